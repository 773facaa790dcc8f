"""Use case `residence.certificate` 中国税收居民身份证明: apply for a tax residence
certificate (国家税务总局公告2016年第40号) for a year and a country or region, with the
reason and the kinds of income (Qt-free).

Offline policy: queue. The application is always an outbox record of kind
`residence.application`; its number (`payloads.residence_application_number`: "SR",
the date in China, 8 digits of the payload's hash) and the expected date (10 working
days, `payloads.residence_expected_on`) are computed here from the payload, the same
functions the central service applies when the record arrives, so the 受理回执 prints
them at once, also offline. Once synced, `progress.query` lists the application.
A person reviews it at the tax office; the certificate itself is not printed here.
"""
from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from offline_queue.outbox import Outbox, OutboxError
from offline_queue.payloads import (
    RESIDENCE_APPLICATION_KIND,
    ResidenceApplicationPayload,
    residence_application_number,
    residence_expected_on,
)

from .. import log
from ..config import LimitsConfig
from ..domain.errors import DomainError
from ..domain.masking import mask
from ..hall_time import to_hall
from .context import run_inline
from .exposure import check_room
from .slips import SlipPrinter
from .views import ResultView, Row, pick

if TYPE_CHECKING:
    from .context import ServiceContext
    from .identity import SessionIdentity

_log = log.get("session")
SERVICE_ID = "residence.certificate"
COUNTRY_MAX = 40  # a typed country or region

# Choices of the form: key -> (Chinese, English). The payload carries the Chinese
# names, as the tax office's register does.
COUNTRIES: dict[str, tuple[str, str]] = {
    "hk": ("中国香港", "Hong Kong, China"),
    "mo": ("中国澳门", "Macao, China"),
    "sg": ("新加坡", "Singapore"),
    "jp": ("日本", "Japan"),
    "kr": ("韩国", "Korea"),
    "us": ("美国", "United States"),
    "gb": ("英国", "United Kingdom"),
    "de": ("德国", "Germany"),
    "other": ("其他国家（地区）", "Another country or region"),
}
REASONS: dict[str, tuple[str, str]] = {
    "treaty": ("享受税收协定待遇", "Tax treaty benefits"),
    "arrangement": ("享受内地与港澳税收安排待遇", "Mainland–Hong Kong/Macao arrangement"),
    "transport": ("享受航空、海运、汽车运输协定税收条款待遇", "Air, sea or road transport agreement"),
    "other": ("其他需要证明税收居民身份的情形", "Another reason to prove tax residence"),
}
INCOME_TYPES: dict[str, tuple[str, str]] = {
    "dividends": ("股息", "Dividends"),
    "interest": ("利息", "Interest"),
    "royalties": ("特许权使用费", "Royalties"),
    "wages": ("工资薪金所得", "Wages and salaries"),
    "services": ("劳务报酬所得", "Fees for services"),
    "business": ("营业利润", "Business profits"),
    "gains": ("财产转让所得", "Capital gains"),
    "other": ("其他所得", "Other income"),
}

LABELS: dict[str, tuple[str, str]] = {
    "title": ("中国税收居民身份证明 申请受理回执", "Tax residence certificate: application receipt"),
    "number": ("申请编号", "Application no."),
    "applicant": ("申请人", "Applicant"),
    "id": ("证件号码/纳税人识别号", "ID / TIN"),
    "year": ("证明年度", "Year"),
    "country": ("国家（地区）", "Country or region"),
    "reason": ("申请事由", "Reason"),
    "income": ("所得类型", "Income"),
    "submitted": ("受理日期", "Submitted on"),
    "expected": ("预计办结日期", "Expected by"),
    "accepted": ("申请已受理", "Application accepted"),
    "collect": ("税务机关审核后出具证明。请在预计办结日期后凭本回执和身份证件到主管税务机关领取；"
                "办理进度可在本机「办理进度」查询。",
                "The tax office reviews it and issues the certificate. Collect it at your "
                "tax office with this receipt and your ID after the expected date; see its "
                "progress under \"Application progress\" on this terminal."),
    "materials": ("如需补充合同、付款凭证或居住证明等资料，税务机关将与您联系。",
                  "If contracts, payment records or proof of residence are needed, the tax "
                  "office will contact you."),
}


class ResidenceInvalid(DomainError):
    """An application the payload model refuses (a field the form should have caught),
    or no identified taxpayer (`session.needed`)."""

    code = "residence.invalid"


@dataclass(frozen=True)
class ResidenceQueued:
    """An application committed to the outbox: its record, number and expected date."""

    record_uuid: str
    number: str
    submitted_on: date
    expected_on: date
    year: int
    country: str
    reason: str
    income_types: tuple[str, ...]
    applicant: str = field(default="", repr=False)  # full name, for masking only
    applicant_id: str = field(default="", repr=False)
    enterprise: bool = False


def country_name(key: str, typed: str = "") -> str:
    """The payload's country or region: the Chinese name of a choice, or what was
    typed for `other`."""
    if key == "other":
        return " ".join(typed.split())[:COUNTRY_MAX]
    return COUNTRIES[key][0]


def years(today: date) -> tuple[str, ...]:
    """The years offered: last year first (the usual case), then this year and the
    two before last."""
    y = today.year
    return (str(y - 1), str(y), str(y - 2), str(y - 3))


class ResidenceService:
    service_id = SERVICE_ID

    def __init__(self, *, outbox: Outbox, slips: SlipPrinter, identity: SessionIdentity | None,
                 now: Callable[[], datetime], on_queued: Callable[[], None] | None = None,
                 limits: LimitsConfig | None = None,
                 run_io: Callable[[Callable[[], Any]], Future[Any]] = run_inline) -> None:
        self._outbox = outbox
        self._slips = slips
        self._identity = identity
        self._now = now
        self._on_queued = on_queued
        self._limits = limits
        self._run_io = run_io

    def today(self) -> date:
        return to_hall(self._now()).date()

    def submit(self, *, year: int, country: str, reason: str,
               income_types: list[str]) -> ResidenceQueued:
        """Queue the application (blocking: an fsync). `reason` and `income_types` are
        keys of REASONS / INCOME_TYPES; `country` the name. ResidenceInvalid for what
        the payload refuses, QueueLimitExceeded beyond an exposure limit."""
        who = self._identity.current if self._identity is not None else None
        if who is None:
            raise ResidenceInvalid("nobody is identified", "session.needed")
        if reason not in REASONS or not income_types \
                or any(t not in INCOME_TYPES for t in income_types):
            raise ResidenceInvalid("reason or income types unknown")
        kinds = [INCOME_TYPES[t][0] for t in INCOME_TYPES if t in income_types]
        try:
            payload = ResidenceApplicationPayload(
                tin=who.subject.tin, year=year, country=country.strip(),
                reason=REASONS[reason][0], income_types=kinds, at=self._now())
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            raise ResidenceInvalid(f"application refused: {type(exc).__name__}") from None
        data = payload.model_dump(mode="json")
        number = residence_application_number(data)
        submitted = to_hall(payload.at).date()
        if self._limits is not None:
            check_room(self._outbox, self._limits)
        record = self._outbox.enqueue(RESIDENCE_APPLICATION_KIND, data, confirm_later=True)
        _log.info("residence application queued as seq %s", record.seq)
        if self._on_queued is not None:
            self._on_queued()
        subject = who.subject
        return ResidenceQueued(
            record.uuid, number, submitted, residence_expected_on(submitted), year,
            payload.country, payload.reason, tuple(payload.income_types),
            applicant=subject.name, applicant_id=subject.id_number or subject.tin,
            enterprise=subject.kind == "enterprise")

    def confirm_shown(self, queued: ResidenceQueued) -> Future[None]:
        """The taxpayer saw the application number (written on the I/O worker)."""
        reference = queued.record_uuid

        def write() -> None:
            try:
                self._outbox.mark_confirmed(reference)
            except OutboxError as exc:
                _log.warning("application shown, but not recorded as shown: %s", exc)
                raise

        return self._run_io(write)

    def view(self, queued: ResidenceQueued, lang: str, surface: str = "screen") -> ResultView:
        """What the screen and the 受理回执 say (masked for `surface`)."""
        def label(key: str) -> str:
            return pick(LABELS[key], lang)

        paper: Literal["paper", "screen"] = "paper" if surface == "paper" else "screen"
        if queued.enterprise:
            name, number = queued.applicant, queued.applicant_id
        else:
            name = mask("name", queued.applicant, paper) or ""
            number = mask("id_number", queued.applicant_id, paper) or ""
        zh = lang == "zh"
        income = ("、" if zh else ", ").join(
            pick(INCOME_TYPES[k], lang) for k in INCOME_TYPES
            if INCOME_TYPES[k][0] in queued.income_types)
        reason = next((pick(v, lang) for v in REASONS.values() if v[0] == queued.reason),
                      queued.reason)
        country = next((pick(v, lang) for v in COUNTRIES.values() if v[0] == queued.country),
                       queued.country)
        rows = (Row("number", label("number"), queued.number),
                Row("applicant", label("applicant"), name),
                Row("id", label("id"), number),
                Row("year", label("year"), str(queued.year)),
                Row("country", label("country"), country),
                Row("reason", label("reason"), reason),
                Row("income", label("income"), income),
                Row("submitted", label("submitted"), queued.submitted_on.isoformat()),
                Row("expected", label("expected"), queued.expected_on.isoformat()))
        return ResultView(label("accepted"), "good", rows,
                          (label("collect"), label("materials")))

    def print_slip(self, queued: ResidenceQueued, lang: str) -> None:
        """The 受理回执 with the application number and the expected date
        (PrintFailed when it cannot print; the application stays queued either way)."""
        view = self.view(queued, lang, "paper")
        self._slips.print_receipt(
            lang=lang, title=LABELS["title"], number_label=pick(LABELS["number"], lang),
            number=queued.number, headline=view.title,
            rows=[(r.label, r.value) for r in view.rows if r.key != "number"],
            notes=list(view.notes))


def build(ctx: ServiceContext) -> ResidenceService:
    """The catalogue's factory for `residence.certificate`."""
    return ResidenceService(outbox=ctx.outbox, slips=ctx.slips, identity=ctx.identity,
                            now=ctx.clock.now, on_queued=ctx.on_queued, limits=ctx.limits,
                            run_io=ctx.run_io)
