"""Use case `certificate.verify`: is a tax certificate genuine? (Qt-free)

A scanned certificate QR (`CERT1:<body>.<signature>`, offline_queue.certificates) is
checked offline from its signature alone, with the issuer keys the kiosk holds as
reference data (kind `certificate_key`); while online, also against the issuer's
register, which knows revoked certificates. A typed 验证码 can only be checked online.

What the screen shows is the summary the issuer signed or holds, never what is printed
beside the QR (paper and seals can be forged: services.md §2.2). Every failure is "无法
验证 / Cannot be verified" with a reason code (ui/messages.py):

- certificate.damaged: not a certificate QR, or altered so it no longer reads
- certificate.bad_signature: the signature does not match (forged or altered)
- certificate.unknown_key: signed by a key this kiosk does not know (from elsewhere)
- certificate.key_expired: issued outside the validity of the issuer's key
- certificate.revoked: the issuer revoked it (online only)
- certificate.unknown: the register has no such certificate / no such 验证码
- certificate.code_format: a typed code that cannot be one (16 letters and digits)
- certificate.needs_network: a 验证码 check while offline
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from offline_queue.certificates import (
    REFERENCE_KIND,
    CertificateError,
    normalise_check_code,
    verify_qr,
)

from .. import log
from ..central_client import CentralRejected, CentralUnavailable
from .catalogue import Policy
from .views import ResultView, Row, Tone, pick

if TYPE_CHECKING:
    from offline_queue.reference import ReferenceInbox

    from ..central_client import CentralClient
    from ..connectivity import Connectivity
    from .context import ServiceContext

_log = log.get("session")
SERVICE_ID = "certificate.verify"


@dataclass(frozen=True)
class CertificateVerdict:
    """The answer shown: genuine (真实有效) with the certified summary, or not (无法验证)
    with `reason`. `checked_online`: the issuer's register was asked (else the
    signature alone vouches for it)."""

    genuine: bool
    summary: dict[str, Any] | None = None
    reason: str | None = None
    checked_online: bool = False
    revoked_on: str | None = None


class CertificateVerifyService:
    service_id = SERVICE_ID
    offline_policy = Policy.CACHE

    def __init__(self, *, central: CentralClient, reference: ReferenceInbox,
                 connectivity: Connectivity) -> None:
        self.central = central
        self.reference = reference
        self.connectivity = connectivity

    def issuer_keys(self) -> dict[str, dict[str, Any]]:
        """The issuer keys this kiosk holds (key id -> reference body)."""
        return {entry.key: entry.body for entry in self.reference.items(REFERENCE_KIND)}

    def check_qr(self, text: str) -> CertificateVerdict:
        """Verify a scanned certificate QR: the signature (offline), then, when the
        link is up, the issuer's register (revoked, unknown). Blocking (network): run
        it off the GUI thread."""
        try:
            summary = verify_qr(text, self.issuer_keys())
        except CertificateError as exc:
            _log.info("certificate QR refused: %s", exc.code)
            return CertificateVerdict(False, reason=exc.code)
        signed = summary.as_dict()
        if not self.connectivity.online:
            return CertificateVerdict(True, signed)
        try:
            answer = self.central.certificate_status(summary.number)
        except CentralUnavailable:
            return CertificateVerdict(True, signed)  # the signature still vouches for it
        except CentralRejected as exc:
            if exc.status == 429:  # busy public check: the signature still vouches
                return CertificateVerdict(True, signed)
            raise
        if answer is None:  # signed by a known key yet not in the register
            return CertificateVerdict(False, reason="certificate.unknown", checked_online=True)
        return self._from_register(answer, signed)

    def check_code(self, code: str) -> CertificateVerdict:
        """Look a typed 验证码 up in the issuer's register (online only)."""
        normal = normalise_check_code(code)
        if normal is None:
            return CertificateVerdict(False, reason="certificate.code_format")
        try:
            answer = self.central.certificate_by_code(normal)
        except CentralUnavailable:
            return CertificateVerdict(False, reason="certificate.needs_network")
        except CentralRejected as exc:
            if exc.status == 429:
                return CertificateVerdict(False, reason="certificate.too_many")
            raise
        if answer is None:
            return CertificateVerdict(False, reason="certificate.unknown", checked_online=True)
        return self._from_register(answer, None)

    @staticmethod
    def _from_register(answer: dict[str, Any],
                       signed: dict[str, Any] | None) -> CertificateVerdict:
        summary = answer.get("summary") if isinstance(answer.get("summary"), dict) else None
        if answer.get("status") == "revoked":
            return CertificateVerdict(False, summary, "certificate.revoked", True,
                                      str(answer.get("revoked_on") or "") or None)
        if answer.get("status") != "valid" or summary is None:
            return CertificateVerdict(False, reason="certificate.unknown", checked_online=True)
        if signed is not None and summary != signed:
            # A QR whose signed summary differs from the register's: not the same paper.
            return CertificateVerdict(False, reason="certificate.bad_signature",
                                      checked_online=True)
        return CertificateVerdict(True, summary, checked_online=True)


KIND_NAMES = {"document": ("税收完税证明（文书式）", "Tax payment certificate (one payment)"),
              "table": ("税收完税证明（表格式）", "Tax payment certificate (a period)"),
              "record": ("纳税记录", "Tax payment record")}
_ROWS = (("number", "证明号", "Certificate no."), ("kind", "证明种类", "Kind"),
         ("taxpayer", "纳税人", "Taxpayer"), ("taxpayer_id", "证件号码/纳税人识别号", "ID / TIN"),
         ("tax_kinds", "税种", "Tax kinds"), ("period", "所属期间", "Period"),
         ("total", "金额合计", "Total"), ("issued_on", "填发日期", "Issued on"),
         ("tax_office", "税务机关", "Tax office"))


def _period(text: str) -> str:
    """202401-202412 -> 2024-01 – 2024-12; 202403 -> 2024-03."""
    parts = [f"{p[:4]}-{p[4:]}" if len(p) == 6 and p.isdigit() else p for p in text.split("-")]
    return " – ".join(dict.fromkeys(parts))  # one month: 2025-12, not 2025-12 – 2025-12


def verdict_view(verdict: CertificateVerdict, lang: str) -> ResultView:
    """The verdict as the screen shows it: 真实有效 / Genuine with the certified summary,
    or 无法验证 / Cannot be verified (the reason is a message code the screen renders)."""
    zh = lang == "zh"
    if verdict.genuine:
        title = "真实有效" if zh else "Genuine"
    elif verdict.reason == "certificate.revoked":
        title = "已作废" if zh else "Revoked"
    else:
        title = "无法验证" if zh else "Cannot be verified"
    rows: list[Row] = []
    summary = verdict.summary or {}
    for key, label_zh, label_en in _ROWS if summary else ():
        value = summary.get(key, "")
        if key == "kind":
            value = pick(KIND_NAMES.get(str(value), (str(value), str(value))), lang)
        elif key == "tax_kinds":
            value = "、".join(value) if zh else ", ".join(value)
        elif key == "period":
            value = _period(str(value))
        elif key == "total":
            value = f"¥ {Decimal(str(value)):,.2f}"
        rows.append(Row(key, label_zh if zh else label_en, str(value)))
    notes: list[str] = []
    if verdict.revoked_on:
        notes.append(f"作废日期：{verdict.revoked_on}" if zh
                     else f"Revoked on {verdict.revoked_on}")
    if verdict.genuine:
        notes.append(("已与税务机关登记信息核对一致。" if verdict.checked_online else
                      "已核对签名（离线）；联网后还可核对是否作废。") if zh else
                     ("Checked against the tax office's register." if verdict.checked_online
                      else "Signature checked offline; online, the register also says "
                           "whether it was revoked."))
        notes.append("请以上述信息为准，而非纸面内容。" if zh else
                     "Trust these details, not what the paper says.")
    tone: Tone = "good" if verdict.genuine else "bad"
    return ResultView(title, tone, tuple(rows), tuple(notes))


def build(ctx: ServiceContext) -> CertificateVerifyService:
    """The catalogue's factory for `certificate.verify`."""
    return CertificateVerifyService(central=ctx.central, reference=ctx.reference,
                                    connectivity=ctx.connectivity)
