"""Use case `taxpayer.info` 税务登记信息 (Qt-free): the identified taxpayer's
registration as the central registry holds it (sealed `taxpayer/info`), online only.

Shown and printed masked (kiosk/domain/masking.py): a person's name, ID number and
address, the legal representative's name; an enterprise's name and USCC are public
register data and shown in full.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..domain.masking import Surface, mask
from .context import ServiceContext
from .taxpayer_lookup import LookupFailed, TaxpayerLookup, day, taxpayer_name, taxpayer_tin
from .views import ResultView, Row, Tone, pick

SERVICE_ID = "taxpayer.info"

#: Registration status codes of the registry (central.registry.TAXPAYER_STATUSES).
STATUSES: dict[str, tuple[str, str]] = {
    "normal": ("正常", "Normal"),
    "abnormal": ("非正常", "Irregular"),
    "suspended": ("停业", "Suspended"),
    "cancelled": ("注销", "Deregistered"),
}
KINDS: dict[str, tuple[str, str]] = {
    "person": ("自然人", "Natural person"),
    "enterprise": ("单位纳税人", "Enterprise"),
}
LABELS: dict[str, tuple[str, str]] = {
    "title": ("税务登记信息", "Tax registration"),
    "name": ("纳税人名称", "Taxpayer"),
    "tin": ("纳税人识别号", "Taxpayer ID"),
    "kind": ("纳税人类型", "Type"),
    "status": ("登记状态", "Status"),
    "registered_on": ("登记日期", "Registered on"),
    "tax_office": ("主管税务机关", "Tax office"),
    "industry": ("行业", "Industry"),
    "address": ("注册地址", "Registered address"),
    "legal_rep": ("法定代表人", "Legal representative"),
    "tax_kinds": ("税（费）种", "Taxes"),
    "none": ("—", "—"),
    "status_note": ("登记状态非正常时，请到办税服务厅窗口办理。",
                    "With this status, please go to a service window."),
}


@dataclass(frozen=True)
class TaxpayerInfo:
    """The registry's answer, unmasked (memory only)."""

    tin: str
    name: str
    kind: str
    status: str
    registered_on: str
    tax_office: str
    industry: str
    address: str
    legal_rep: str
    tax_kinds: tuple[str, ...] = field(default=())

    def __repr__(self) -> str:
        return f"TaxpayerInfo(kind={self.kind!r}, status={self.status!r}, <personal data hidden>)"


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    return value.strip() if isinstance(value, str) else ""


class TaxpayerInfoService(TaxpayerLookup):
    service_id = SERVICE_ID

    def fetch(self) -> TaxpayerInfo:
        """Blocking: the registration (LookupFailed with the reason)."""
        data = self.call("taxpayer.info", "taxpayer/info")
        if not _text(data, "tin") or not _text(data, "name"):
            raise LookupFailed("unreadable registration answer", "service.network")
        kinds = data.get("tax_kinds")
        registered = day(data.get("registered_on"))
        return TaxpayerInfo(
            tin=_text(data, "tin"), name=_text(data, "name"),
            kind="enterprise" if data.get("kind") == "enterprise" else "person",
            status=_text(data, "status") or "normal",
            registered_on=registered.isoformat() if registered else "",
            tax_office=_text(data, "tax_office"), industry=_text(data, "industry"),
            address=_text(data, "address"), legal_rep=_text(data, "legal_rep"),
            tax_kinds=tuple(str(k) for k in kinds if isinstance(k, str))
            if isinstance(kinds, list) else ())

    def view(self, info: TaxpayerInfo, lang: str, surface: Surface = "screen") -> ResultView:
        """The registration for the screen or the slip, masked for `surface`."""
        def label(key: str) -> str:
            return pick(LABELS[key], lang)

        none = label("none")
        status = pick(STATUSES.get(info.status, (info.status, info.status)), lang)
        rows = [Row("name", label("name"), taxpayer_name(info.name, info.kind, surface)),
                Row("tin", label("tin"), taxpayer_tin(info.tin, info.kind, surface)),
                Row("kind", label("kind"), pick(KINDS[info.kind], lang)),
                Row("status", label("status"), status),
                Row("registered_on", label("registered_on"), info.registered_on or none),
                Row("tax_office", label("tax_office"), info.tax_office or none)]
        if info.industry:
            rows.append(Row("industry", label("industry"), info.industry))
        rows.append(Row("address", label("address"),
                        (mask("address", info.address, surface) or none) if info.address
                        else none))
        if info.kind == "enterprise" or info.legal_rep:
            rows.append(Row("legal_rep", label("legal_rep"),
                            (mask("name", info.legal_rep, surface) or none)
                            if info.legal_rep else none))
        sep = "、" if lang == "zh" else ", "
        rows.append(Row("tax_kinds", label("tax_kinds"),
                        sep.join(info.tax_kinds) if info.tax_kinds else none))
        notes = (label("status_note"),) if info.status != "normal" else ()
        tone: Tone = "good" if info.status == "normal" else "warning"
        headline = f"登记状态：{status}" if lang == "zh" else f"Status: {status}"
        return ResultView(headline, tone, tuple(rows), notes)

    def print_slip(self, info: TaxpayerInfo, lang: str) -> None:
        """The registration on a slip, masked for paper (PrintFailed when it cannot)."""
        view = self.view(info, lang, "paper")
        self._slips.print_receipt(
            lang=lang, title=LABELS["title"], number_label=pick(LABELS["tin"], lang),
            number=taxpayer_tin(info.tin, info.kind, "paper"), headline=view.title,
            rows=[(r.label, r.value) for r in view.rows if r.key != "tin"],
            notes=list(view.notes))


def build(ctx: ServiceContext) -> TaxpayerInfoService:
    """The catalogue's factory for `taxpayer.info`."""
    return TaxpayerInfoService.from_context(ctx)
