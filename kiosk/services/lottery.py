"""Use case `invoice.lottery` 有奖发票 (issue #12 §3; services.md §6), Qt-free: the
identified person (ID card) scans the QR of a 数电普票 they bought; the central service
checks eligibility and limits and draws (`lottery/enter`); the kiosk shows the instant
result and tier with "奖金将于核验后发放", or prints a 兑奖凭条 with the claim deadline
when the prize is claimed in person. Nothing is decided or drawn here. Policy:
online-only (the draw is central).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .. import log
from ..domain.errors import DomainError, InvoiceQrError
from ..domain.invoice_qr import parse_invoice_qr
from ..domain.masking import mask
from .certificate_print import SessionCalls, session_calls, yuan_text
from .slips import SlipPrinter
from .views import ResultView, Row, labeller, pick

if TYPE_CHECKING:
    from .context import ServiceContext
    from .identity import SessionIdentity

_log = log.get("session")
SERVICE_ID = "invoice.lottery"
CENTRAL_CODES = frozenset({"session.expired", "lottery.id_card_needed"})

LABELS: dict[str, tuple[str, str]] = {
    "won": ("恭喜中奖：%s", "You won: %s"),
    "lost": ("未中奖，感谢参与", "No prize this time. Thank you for taking part"),
    "paid_after": ("奖金将于核验后发放", "The prize is paid after checking"),
    "claim": ("请凭本凭条、身份证和发票打印件于 %s 前到办税服务厅兑奖",
              "Claim the prize in person by %s with this slip, your ID card and a print "
              "of the invoice"),
    "number": ("发票号码", "Invoice no."),
    "seller": ("销售方", "Seller"),
    "total": ("价税合计", "Total"),
    "tier": ("奖级", "Tier"),
    "prize": ("奖金", "Prize"),
    "claim_by": ("兑奖截止日期", "Claim by"),
    "campaign": ("活动", "Campaign"),
    "counts": ("今日/本月已参与", "Entered today / this month"),
    "winner": ("中奖人", "Winner"),
    "slip_title": ("兑奖凭条", "Prize claim slip"),
}


class LotteryError(DomainError):
    """A refused step; `code` is a ui/messages.py code (qr.*, lottery.not_digital,
    session.expired, session.needed, service.network, central.rejected)."""

    code = "central.rejected"


@dataclass(frozen=True)
class LotteryResult:
    """The central service's answer: drawn (won or not), or refused with a code."""

    data: dict[str, Any]

    @property
    def refusal(self) -> str | None:
        value = self.data.get("refusal")
        return str(value) if self.data.get("status") == "refused" and value else None

    @property
    def won(self) -> bool:
        return self.data.get("status") == "drawn" and bool(self.data.get("won"))

    @property
    def claim_by(self) -> str | None:
        value = self.data.get("claim_by")
        return str(value) if value else None


class LotteryService:
    service_id = SERVICE_ID

    def __init__(self, calls: SessionCalls, slips: SlipPrinter,
                 identity: SessionIdentity | None) -> None:
        self.calls = calls
        self.slips = slips
        self.identity = identity

    def enter(self, qr_text: str) -> LotteryResult:
        """Parse the scanned invoice QR and enter it (blocking). LotteryError for a QR
        that is not a fully-digital invoice's; a refusal comes back in the result."""
        try:
            qr = parse_invoice_qr(qr_text)
        except InvoiceQrError as exc:
            raise LotteryError(str(exc), exc.code) from None
        if not qr.is_fully_digital:
            raise LotteryError("only fully-digital invoices take part", "lottery.not_digital")
        answer = self.calls.call("lottery.enter", "lottery/enter", {
            "number": qr.number, "total": str(qr.amount), "issued_on": qr.issued_on.isoformat()})
        result = LotteryResult(answer)
        _log.info("lottery entry: %s", result.refusal or ("won" if result.won else "no prize"))
        return result

    def view(self, result: LotteryResult, lang: str) -> ResultView:
        """The instant result: the tier and prize, and how it is paid."""
        data = result.data

        label = labeller(LABELS, lang)
        invoice = data.get("invoice") or {}
        rows = [Row("number", label("number"), str(invoice.get("number", ""))),
                Row("seller", label("seller"), str(invoice.get("seller_name", ""))),
                Row("total", label("total"), yuan_text(str(invoice.get("total", "0"))))]
        campaign = data.get("campaign") or {}
        if campaign:
            rows.append(Row("campaign", label("campaign"), str(campaign.get("city", ""))))
        counts, limits = data.get("counts") or {}, data.get("limits") or {}
        if counts:
            def of(name: str) -> str:
                limit = limits.get(name)
                return f"{counts.get(name, 0)}/{limit}" if limit else str(counts.get(name, 0))
            rows.append(Row("counts", label("counts"), f"{of('day')} · {of('month')}"))
        if not result.won:
            return ResultView(label("lost"), "neutral", tuple(rows))
        tier, prize = str(data.get("tier", "")), yuan_text(str(data.get("amount", "0")))
        rows[:0] = [Row("tier", label("tier"), tier), Row("prize", label("prize"), prize)]
        if result.claim_by:
            rows.append(Row("claim_by", label("claim_by"), result.claim_by))
            notes = (label("claim") % result.claim_by,)
        else:
            notes = (label("paid_after"),)
        return ResultView(label("won") % f"{tier} {prize}", "good", tuple(rows), notes)

    def print_claim_slip(self, result: LotteryResult, lang: str) -> None:
        """The 兑奖凭条 of a prize claimed in person (PrintFailed when the printer
        cannot); the winner masked for paper."""
        if not (result.won and result.claim_by):
            return
        view = self.view(result, lang)
        who = self.identity.current if self.identity is not None else None
        rows = [(r.label, r.value) for r in view.rows]
        if who is not None:
            rows.insert(0, (pick(LABELS["winner"], lang),
                            mask("name", who.subject.name, "paper") or ""))
        invoice = result.data.get("invoice") or {}
        self.slips.print_receipt(
            lang=lang, title=LABELS["slip_title"], number_label=pick(LABELS["number"], lang),
            number=str(invoice.get("number", "")), headline=view.title, rows=rows,
            notes=list(view.notes))


def prize_amount(result: LotteryResult) -> Decimal:
    return Decimal(str(result.data.get("amount", "0")))


def build(ctx: ServiceContext) -> LotteryService:
    """The catalogue's factory for `invoice.lottery`."""
    calls = session_calls(ctx, error_type=LotteryError, codes=CENTRAL_CODES)
    return LotteryService(calls, ctx.slips, ctx.identity)


__all__ = ["LotteryError", "LotteryResult", "LotteryService", "build"]
