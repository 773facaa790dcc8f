"""Use case `voucher.reprint` 缴款凭证补打: the identified taxpayer's paid vouchers (税票号,
所属期, 金额, times printed) and a reprint on the receipt printer (Qt-free).

Reprints are counted and shown, never hidden (services.md §2.3: the 备注 holds the
打印次数). Each reprint is counted at the central service first
(`taxpayer/voucher-printed`, a sealed call with the taxpayer's session), and the slip
carries the count it answered, marked 补打. A print that fails after the count stays
counted: the count errs high, never low, so no paper claims fewer prints than there
were. Policy: online-only (the count is central).
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING

from printing.chinese_amount import amount_in_chinese_capitals

from .. import log
from ..domain.errors import DomainError
from ..domain.masking import mask
from .certificate_print import PaidVoucher, SessionCalls, month_text, session_calls, yuan_text
from .slips import SlipPrinter
from .views import ListItemView, ResultView, Row, labeller, pick

if TYPE_CHECKING:
    from .context import ServiceContext
    from .identity import SessionIdentity

_log = log.get("session")
SERVICE_ID = "voucher.reprint"
CENTRAL_CODES = frozenset({"session.expired", "voucher.unknown"})

LABELS: dict[str, tuple[str, str]] = {
    "title": ("电子缴款凭证（补打）", "Tax payment voucher (reprint)"),
    "voucher_no": ("系统税票号", "Voucher no."),
    "tin": ("纳税人识别号", "TIN"),
    "name": ("纳税人名称", "Taxpayer"),
    "tax_kind": ("税种", "Tax kind"),
    "period": ("所属时期", "Tax period"),
    "amount": ("实缴金额", "Amount paid"),
    "capitals": ("金额（大写）", "Amount in words"),
    "paid_on": ("缴款日期", "Paid on"),
    "office": ("税务征收机关", "Tax office"),
    "printed": ("打印次数", "Times printed"),
    "reprint": ("补打 · 第 %d 次打印", "REPRINT · print no. %d"),
    "list_printed": ("已打印 %d 次", "printed %d times"),
    "note": ("本缴款凭证仅作为纳税人记账核算凭证使用，电子缴款的，需与银行对账单电子划缴记录核对一致方有效。",
             "For the taxpayer's accounts only; an electronic payment is valid when it "
             "matches the bank statement."),
}


class VoucherReprintError(DomainError):
    """A refused step; `code` is a ui/messages.py code (voucher.unknown,
    session.expired, session.needed, service.network, central.rejected)."""

    code = "central.rejected"


class VoucherReprintService:
    service_id = SERVICE_ID

    def __init__(self, calls: SessionCalls, slips: SlipPrinter,
                 identity: SessionIdentity | None) -> None:
        self.calls = calls
        self.slips = slips
        self.identity = identity

    # -- blocking calls ---------------------------------------------------------------
    def vouchers(self) -> list[PaidVoucher]:
        """The taxpayer's paid vouchers, newest first."""
        return self.calls.payments()

    def count_print(self, voucher: PaidVoucher) -> PaidVoucher:
        """Count one more print at the central service; the voucher with the new count."""
        answer = self.calls.call("taxpayer.voucher_printed", "taxpayer/voucher-printed",
                                 {"voucher_no": voucher.voucher_no})
        printed = answer.get("printed")
        if not isinstance(printed, int) or printed < 1:
            raise VoucherReprintError("unreadable count", "service.network")
        return replace(voucher, printed=printed)

    def reprint(self, voucher: PaidVoucher, lang: str) -> PaidVoucher:
        """Count the print, then print the voucher marked 补打 with that count
        (PrintFailed when the printer cannot). Returns the counted voucher."""
        counted = self.count_print(voucher)
        view = self.slip_view(counted, lang)
        self.slips.print_receipt(
            lang=lang, title=LABELS["title"], number_label=pick(LABELS["voucher_no"], lang),
            number=counted.voucher_no, headline=view.title,
            rows=[(r.label, r.value) for r in view.rows], notes=list(view.notes))
        _log.info("voucher reprinted (print no. %d)", counted.printed)
        return counted

    # -- views --------------------------------------------------------------------------
    def items(self, vouchers: list[PaidVoucher], lang: str) -> list[ListItemView]:
        """One entry per voucher (`item.<voucher_no>`): 税票号, 所属期, 金额, times printed."""
        out = []
        for v in vouchers:
            summary = " · ".join((month_text(v.period), yuan_text(v.amount), v.tax_kind,
                                  pick(LABELS["list_printed"], lang) % v.printed))
            out.append(ListItemView(v.voucher_no, v.voucher_no, summary, self.detail(v, lang)))
        return out

    def detail(self, v: PaidVoucher, lang: str) -> ResultView:
        label = labeller(LABELS, lang)
        rows = (Row("voucher_no", label("voucher_no"), v.voucher_no),
                Row("tax_kind", label("tax_kind"), v.tax_kind),
                Row("period", label("period"), month_text(v.period)),
                Row("amount", label("amount"), yuan_text(v.amount)),
                Row("paid_on", label("paid_on"), v.paid_on),
                Row("office", label("office"), v.tax_office),
                Row("printed", label("printed"), str(v.printed)))
        return ResultView(v.voucher_no, "neutral", rows)

    def _taxpayer_rows(self, lang: str) -> list[Row]:
        who = self.identity.current if self.identity is not None else None
        if who is None:
            return []
        subject = who.subject
        if subject.kind == "enterprise":  # public register data
            tin, name = subject.tin, subject.name
        else:
            tin = mask("id_number", subject.id_number or subject.tin, "paper") or ""
            name = mask("name", subject.name, "paper") or ""
        return [Row("tin", pick(LABELS["tin"], lang), tin),
                Row("name", pick(LABELS["name"], lang), name)]

    def slip_view(self, v: PaidVoucher, lang: str) -> ResultView:
        """What the reprinted slip says (masked for paper): 补打 with the count."""
        label = labeller(LABELS, lang)
        rows = [*self._taxpayer_rows(lang),
                Row("office", label("office"), v.tax_office),
                Row("tax_kind", label("tax_kind"), v.tax_kind),
                Row("period", label("period"), month_text(v.period)),
                Row("amount", label("amount"), yuan_text(v.amount)),
                Row("capitals", label("capitals"), amount_in_chinese_capitals(Decimal(v.amount))),
                Row("paid_on", label("paid_on"), v.paid_on),
                Row("printed", label("printed"), str(v.printed))]
        return ResultView(label("reprint") % v.printed, "good", tuple(rows), (label("note"),))


def build(ctx: ServiceContext) -> VoucherReprintService:
    """The catalogue's factory for `voucher.reprint`."""
    calls = session_calls(ctx, error_type=VoucherReprintError, codes=CENTRAL_CODES)
    return VoucherReprintService(calls, ctx.slips, ctx.identity)


__all__ = ["VoucherReprintError", "VoucherReprintService", "build"]
