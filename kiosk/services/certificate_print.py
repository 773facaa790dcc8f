"""Use case `certificate.print`: print a 税收完税证明 (文书式 for one payment, 表格式 for a
period) or a natural person's 纳税记录 on the A4 printer (Qt-free).

The central service issues every certificate (`certificate/issue`, a sealed call with
the taxpayer's session): it draws the 证明号 and 验证码, signs the QR and keeps the
certificate in its register (revocable). The kiosk never invents any of it: it masks
the taxpayer for paper (kiosk.domain.masking, surface "paper"), lays the page out
(printing.certificate), shows a preview (the screen renders the same `Document`) and
sends it to the A4 printer driver. Policy: online-only (the register is central).

The paid vouchers to choose from (文书式) come from `taxpayer/payments`; the
`voucher.reprint` service shares the session plumbing (`SessionCalls`).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from drivers.errors import DeviceError
from printing.certificate import certificate_document
from printing.document import Document

from .. import log
from ..central_client import CentralRejected, CentralUnavailable
from ..domain.errors import DomainError
from ..domain.masking import mask
from ..hall_time import to_hall
from .slips import PrintFailed
from .views import ListItemView, ResultView, Row, pick

if TYPE_CHECKING:
    from offline_queue.crypto import KioskKeys

    from ..central_client import CentralClient
    from ..connectivity import Connectivity
    from .context import ServiceContext
    from .identity import SessionIdentity

_log = log.get("session")
SERVICE_ID = "certificate.print"
KINDS = ("document", "table", "record")
#: The central's refusal codes the screens have words for (ui/messages.py).
CENTRAL_CODES = frozenset({"certificate.no_payments", "certificate.person_only",
                           "period.invalid", "session.expired", "voucher.unknown"})
MAX_PERIOD_MONTHS = 36  # as central.certificates.MAX_PERIOD_MONTHS
_MONTH = re.compile(r"^(\d{4})(\d{2})$")


class CertificatePrintError(DomainError):
    """A refused step; `code` is a ui/messages.py code (certificate.no_payments,
    period.invalid, session.expired, service.network, central.rejected,
    session.needed, ...)."""

    code = "central.rejected"


def yuan_text(amount: str | Decimal) -> str:
    """`¥ 1,234.56` (the sign apart, as the issue asks for amounts on screen)."""
    try:
        return f"¥ {Decimal(str(amount)):,.2f}"
    except InvalidOperation:
        return str(amount)


def month_text(period: str) -> str:
    """202401 -> 2024-01 (anything else as it is)."""
    match = _MONTH.match(period)
    return f"{match.group(1)}-{match.group(2)}" if match else period


@dataclass(frozen=True)
class PaidVoucher:
    """A paid tax voucher (税票号) of the identified taxpayer."""

    voucher_no: str
    tax_kind: str
    period: str  # YYYYMM
    amount: str  # yuan, decimal text
    paid_on: str  # YYYY-MM-DD
    tax_office: str
    printed: int = 0

    @classmethod
    def from_answer(cls, item: dict[str, Any]) -> PaidVoucher:
        return cls(voucher_no=str(item["voucher_no"]), tax_kind=str(item["tax_kind"]),
                   period=str(item["period"]), amount=str(item["amount"]),
                   paid_on=str(item["paid_on"]), tax_office=str(item.get("tax_office") or ""),
                   printed=int(item.get("printed") or 0))


@dataclass(frozen=True)
class IssuedCertificate:
    """A certificate the central service issued: its answer as it came (unmasked,
    memory only) and the language it is laid out in."""

    data: dict[str, Any] = field(repr=False)

    @property
    def number(self) -> str:
        return str(self.data["number"])

    @property
    def kind(self) -> str:
        return str(self.data["kind"])

    def __repr__(self) -> str:
        return f"IssuedCertificate(number={self.number!r}, kind={self.kind!r})"


def check_period(period_from: str, period_to: str, today: date) -> tuple[str, str]:
    """The kiosk's own check of a 表格式 / 纳税记录 period (the central checks again):
    YYYYMM each, from <= to, not after this month, at most 36 months;
    CertificatePrintError `period.invalid` otherwise."""
    months = []
    for text in (period_from.strip(), period_to.strip()):
        match = _MONTH.match(text)
        if match is None or not 1990 <= int(match.group(1)) <= 2999 \
                or not 1 <= int(match.group(2)) <= 12:
            raise CertificatePrintError("a period month is YYYYMM", "period.invalid")
        months.append(int(match.group(1)) * 12 + int(match.group(2)) - 1)
    start, end = months
    if start > end or end > today.year * 12 + today.month - 1 \
            or end - start + 1 > MAX_PERIOD_MONTHS:
        raise CertificatePrintError("the period is not a valid span", "period.invalid")
    return period_from.strip(), period_to.strip()


def default_period(today: date) -> tuple[str, str]:
    """The last full year of months up to last month (what a 表格式 usually covers)."""
    end = today.year * 12 + today.month - 2  # last month, 0-based
    start = end - 11
    return f"{start // 12}{start % 12 + 1:02d}", f"{end // 12}{end % 12 + 1:02d}"


class SessionCalls:
    """Sealed calls made with the identified taxpayer's central session; refusals
    become `error_type` with a message code."""

    def __init__(self, *, central: CentralClient, keys: KioskKeys,
                 connectivity: Connectivity, identity: SessionIdentity | None,
                 as_enrolled: Callable[[Callable[[], Any]], Any] | None = None,
                 error_type: type[DomainError] = CertificatePrintError,
                 codes: frozenset[str] = CENTRAL_CODES) -> None:
        self.central = central
        self.keys = keys
        self.connectivity = connectivity
        self.identity = identity
        self._as_enrolled = as_enrolled or (lambda call: call())
        self._error = error_type
        self._codes = codes

    def session(self) -> str:
        token = self.identity.session_token() if self.identity is not None else None
        if token is None:  # an offline identity (ID card alone) has no session
            raise self._error("needs an identification with the tax service",
                              "session.needed")
        return token

    def call(self, purpose: str, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        """One sealed call with the session added to `payload`."""
        body = {"session": self.session(), **payload}
        try:
            answer = self._as_enrolled(
                lambda: self.central.sealed_call(self.keys, purpose, path, body))
        except CentralUnavailable:
            self.connectivity.mark_down()
            raise self._error("the tax service cannot be reached", "service.network") from None
        except CentralRejected as exc:
            self.connectivity.mark_ok()
            code = exc.reason.split(":", 1)[0].strip()
            if code in self._codes:
                raise self._error(exc.reason, code) from None
            raise self._error(f"refused ({exc.status})", "central.rejected") from None
        self.connectivity.mark_ok()
        if not isinstance(answer, dict):
            raise self._error("unreadable answer", "service.network")
        return answer

    def payments(self) -> list[PaidVoucher]:
        """The taxpayer's paid vouchers, newest first (blocking)."""
        answer = self.call("taxpayer.payments", "taxpayer/payments", {})
        try:
            return [PaidVoucher.from_answer(item) for item in answer.get("items") or ()]
        except (KeyError, TypeError, ValueError):
            raise self._error("unreadable payments", "service.network") from None

    def taxpayer_kind(self) -> str:
        who = self.identity.current if self.identity is not None else None
        return who.subject.kind if who is not None else "person"


class CertificatePrintService:
    service_id = SERVICE_ID

    def __init__(self, calls: SessionCalls, *, a4: Callable[[], Any],
                 today: Callable[[], date], now: Callable[[], datetime],
                 kiosk_id: str) -> None:
        self.calls = calls
        self._a4 = a4
        self._today = today
        self._now = now
        self.kiosk_id = kiosk_id

    def today(self) -> date:
        return self._today()

    def kinds(self) -> tuple[str, ...]:
        """What the identified taxpayer may ask for: a 纳税记录 only for a person."""
        return KINDS if self.calls.taxpayer_kind() == "person" else KINDS[:2]

    def default_period(self) -> tuple[str, str]:
        return default_period(self._today())

    # -- blocking calls ---------------------------------------------------------------
    def payments(self) -> list[PaidVoucher]:
        return self.calls.payments()

    def issue(self, kind: str, *, voucher_no: str | None = None,
              period_from: str | None = None, period_to: str | None = None
              ) -> IssuedCertificate:
        """Ask the central service to issue and register the certificate."""
        if kind not in KINDS:
            raise CertificatePrintError(f"not a certificate kind: {kind!r}", "choice.invalid")
        payload: dict[str, Any] = {"kind": kind}
        if kind == "document":
            if not voucher_no:
                raise CertificatePrintError("choose a payment", "certificate.no_payments")
            payload["voucher_no"] = voucher_no
        else:
            payload["period_from"], payload["period_to"] = check_period(
                period_from or "", period_to or "", self._today())
        answer = self.calls.call("certificate.issue", "certificate/issue", payload)
        cert = answer.get("certificate")
        if not isinstance(cert, dict) or not cert.get("number") or not cert.get("qr_text"):
            raise CertificatePrintError("unreadable certificate", "service.network")
        issued = IssuedCertificate(cert)
        _log.info("certificate issued (%s)", issued.kind)
        return issued

    def document(self, cert: IssuedCertificate, lang: str) -> Document:
        """The A4 page(s), the taxpayer masked for paper (张*丰, 1****************4;
        an enterprise's name and USCC are public register data)."""
        data = dict(cert.data)
        who = dict(data.get("taxpayer") or {})
        if who.get("kind", "person") == "person":
            number = str(who.get("id_number") or who.get("tin") or "")
            data["taxpayer"] = {"kind": "person",
                                "tin": mask("id_number", number, "paper") or "",
                                "name": mask("name", str(who.get("name", "")), "paper") or ""}
        else:
            data["taxpayer"] = {"kind": "enterprise", "tin": str(who.get("tin", "")),
                                "name": str(who.get("name", ""))}
        return certificate_document(data, lang="en" if lang == "en" else "zh",
                                    printed_at=to_hall(self._now()), kiosk_id=self.kiosk_id)

    def print(self, document: Document, cert: IssuedCertificate) -> None:
        """Send the page(s) to the A4 printer; PrintFailed with the reason."""
        printer = self._a4()
        if printer is None:
            raise PrintFailed("a4.no_hardware", "no A4 printer is configured")
        try:
            printer.print_document(document, title=f"certificate {cert.number}")
        except DeviceError as exc:
            code = exc.extended.value if exc.extended else exc.code.value
            _log.warning("certificate not printed: %s", code)
            raise PrintFailed(code, exc.message) from exc
        _log.info("certificate printed (%s)", cert.kind)

    # -- views --------------------------------------------------------------------------
    def voucher_items(self, vouchers: list[PaidVoucher], lang: str) -> list[ListItemView]:
        """The payments to choose a 文书式 from: `item.<voucher_no>`."""
        out = []
        for v in vouchers:
            summary = f"{v.tax_kind} · {month_text(v.period)} · {yuan_text(v.amount)}"
            out.append(ListItemView(v.voucher_no, v.voucher_no, summary,
                                    voucher_view(v, lang)))
        return out

    def summary_view(self, cert: IssuedCertificate, lang: str) -> ResultView:
        """What the preview screen says beside the page."""
        data = cert.data
        kind = pick(KIND_NAMES.get(cert.kind, (cert.kind, cert.kind)), lang)
        rows = [Row("number", pick(("证明号", "Certificate no."), lang), cert.number),
                Row("kind", pick(("证明种类", "Kind"), lang), kind)]
        if cert.kind == "document":
            row = (data.get("rows") or [{}])[0]
            rows.append(Row("voucher", pick(("原凭证号", "Voucher no."), lang),
                            str(row.get("voucher_no", ""))))
        else:
            rows.append(Row("period", pick(("开具期间", "Period"), lang),
                            f"{month_text(str(data.get('period_from') or ''))} – "
                            f"{month_text(str(data.get('period_to') or ''))}"))
        rows.append(Row("payments", pick(("缴款笔数", "Payments"), lang),
                        str(len(data.get("rows") or ()))))
        rows.append(Row("total", pick(("金额合计", "Total"), lang),
                        yuan_text(str(data.get("total", "")))))
        note = pick(("请核对预览后打印。证明可凭二维码或验证码查验。",
                     "Check the preview, then print. The certificate can be checked by "
                     "its QR code or verification code."), lang)
        return ResultView(kind, "neutral", tuple(rows), (note,))


KIND_NAMES: dict[str, tuple[str, str]] = {
    "document": ("税收完税证明（文书式）", "Tax payment certificate (one payment)"),
    "table": ("税收完税证明（表格式）", "Tax payment certificate (a period)"),
    "record": ("纳税记录", "Tax payment record"),
}


def voucher_view(v: PaidVoucher, lang: str) -> ResultView:
    rows = (Row("voucher_no", pick(("税票号", "Voucher no."), lang), v.voucher_no),
            Row("tax_kind", pick(("税种", "Tax kind"), lang), v.tax_kind),
            Row("period", pick(("所属期", "Tax period"), lang), month_text(v.period)),
            Row("amount", pick(("金额", "Amount"), lang), yuan_text(v.amount)),
            Row("paid_on", pick(("缴款日期", "Paid on"), lang), v.paid_on),
            Row("printed", pick(("打印次数", "Times printed"), lang), str(v.printed)))
    return ResultView(v.voucher_no, "neutral", rows)


def session_calls(ctx: ServiceContext, **kwargs: Any) -> SessionCalls:
    return SessionCalls(central=ctx.central, keys=ctx.keys, connectivity=ctx.connectivity,
                        identity=ctx.identity, as_enrolled=ctx.as_enrolled, **kwargs)


def build(ctx: ServiceContext) -> CertificatePrintService:
    """The catalogue's factory for `certificate.print`."""
    return CertificatePrintService(session_calls(ctx), a4=lambda: ctx.driver("a4_printer"),
                                   today=ctx.clock.today, now=ctx.clock.now,
                                   kiosk_id=ctx.kiosk_id)
