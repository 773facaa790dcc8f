"""Use case `arrears.query` 欠税查询 (Qt-free): the identified taxpayer's outstanding
tax by tax kind and period (sealed `taxpayer/arrears`, online only), each with its
滞纳金 computed here (kiosk/domain/late_fee.py: 0.05 % a day from the day after the
due date up to today in China, rounded once to the fen), and the totals.

"无欠税 / No tax owed" when nothing is outstanding. The payment service (`tax.pay`,
issue #11) pays what this lists; `statement()` is what both read.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..domain.late_fee import LateFee, late_fee
from .context import ServiceContext
from .taxpayer_lookup import (
    LookupFailed,
    TaxpayerLookup,
    day,
    decimal,
    money,
    period_text,
    subject_rows,
)
from .views import ListItemView, ResultView, Row, labeller, pick, surface_of

SERVICE_ID = "arrears.query"
PAY_SERVICE_ID = "tax.pay"

LABELS: dict[str, tuple[str, str]] = {
    "title": ("欠税查询", "Tax owed"),
    "none": ("无欠税", "No tax owed"),
    "none_note": ("截至今日，您没有未缴的税款。", "As of today you owe no tax."),
    "owed": ("应缴总额 %s", "Total to pay %s"),
    "as_of": ("计算日期", "Worked out on"),
    "tax_kind": ("税种", "Tax"),
    "period": ("所属期", "Period"),
    "amount": ("欠税金额", "Tax owed"),
    "due_on": ("缴款期限", "Due on"),
    "days": ("滞纳天数", "Days overdue"),
    "fee": ("滞纳金", "Late fee"),
    "total": ("应缴合计", "To pay"),
    "tax_total": ("欠税合计", "Tax owed, total"),
    "fee_total": ("滞纳金合计", "Late fees, total"),
    "grand_total": ("应缴总额", "Total to pay"),
    "days_value": ("%d 天", "%d days"),
    "fee_note": ("滞纳金按日加收滞纳税款万分之五，自缴款期限届满次日起计算至今日；"
                 "实际以缴款当日计算为准。",
                 "The late fee is 0.05 % of the tax a day, from the day after the due "
                 "date up to today; the day you pay decides the final amount."),
    "item": ("%s · %s", "%s · %s"),
    "item_summary": ("欠税 %s，滞纳金 %s", "Tax %s, late fee %s"),
}


@dataclass(frozen=True)
class ArrearLine:
    tax_kind: str
    period: str  # YYYYMM
    due_on: date
    fee: LateFee  # tax, days overdue, late fee and total, as of the statement's day

    @property
    def key(self) -> str:
        return f"{self.tax_kind}.{self.period}"


@dataclass(frozen=True)
class ArrearsStatement:
    as_of: date  # China's date the late fees run to
    lines: tuple[ArrearLine, ...]

    @property
    def owed(self) -> bool:
        return bool(self.lines)

    @property
    def tax_total(self) -> Decimal:
        return sum((line.fee.tax for line in self.lines), Decimal("0.00"))

    @property
    def fee_total(self) -> Decimal:
        return sum((line.fee.fee for line in self.lines), Decimal("0.00"))

    @property
    def total(self) -> Decimal:
        return self.tax_total + self.fee_total


class ArrearsService(TaxpayerLookup):
    service_id = SERVICE_ID

    def statement(self, as_of: date | None = None) -> ArrearsStatement:
        """Blocking: what is owed with late fees to `as_of` (today in China)."""
        answer = self.call("taxpayer.arrears", "taxpayer/arrears")
        today = as_of or self.today()
        lines = []
        for item in self.listed(answer):
            due_on = day(item.get("due_on"))
            period = item.get("period")
            kind = item.get("tax_kind")
            if due_on is None or not isinstance(period, str) or not isinstance(kind, str):
                raise LookupFailed("unreadable arrears answer", "service.network")
            amount = decimal(item.get("amount"))
            if amount <= 0:
                continue
            lines.append(ArrearLine(kind, period, due_on, late_fee(amount, due_on, today)))
        lines.sort(key=lambda line: (line.due_on, line.tax_kind, line.period))
        return ArrearsStatement(today, tuple(lines))

    # -- views -----------------------------------------------------------------------
    def line_rows(self, line: ArrearLine, lang: str) -> list[Row]:
        label = labeller(LABELS, lang)
        return [Row("tax_kind", label("tax_kind"), line.tax_kind),
                Row("period", label("period"), period_text(line.period, lang)),
                Row("amount", label("amount"), money(line.fee.tax)),
                Row("due_on", label("due_on"), line.due_on.isoformat()),
                Row("days", label("days"), label("days_value") % line.fee.days),
                Row("fee", label("fee"), money(line.fee.fee)),
                Row("total", label("total"), money(line.fee.total))]

    def items(self, statement: ArrearsStatement, lang: str) -> list[ListItemView]:
        """One entry per tax kind and period, its detail the late-fee working."""
        out = []
        for line in statement.lines:
            title = pick(LABELS["item"], lang) % (line.tax_kind, period_text(line.period, lang))
            summary = pick(LABELS["item_summary"], lang) % (money(line.fee.tax),
                                                            money(line.fee.fee))
            detail = ResultView(title, "warning", tuple(self.line_rows(line, lang)),
                                (pick(LABELS["fee_note"], lang),))
            out.append(ListItemView(line.key, title, summary, detail))
        return out

    def view(self, statement: ArrearsStatement, lang: str, surface: str = "screen"
             ) -> ResultView:
        """The totals (and, on paper, every line): "无欠税 / No tax owed" when none."""
        label = labeller(LABELS, lang)
        rows = subject_rows(self.who(), lang, surface_of(surface))
        rows.append(Row("as_of", label("as_of"), statement.as_of.isoformat()))
        if not statement.owed:
            return ResultView(label("none"), "good", tuple(rows), (label("none_note"),))
        if surface == "paper":
            for line in statement.lines:
                rows.append(Row(f"line.{line.key}",
                                f"{line.tax_kind} {period_text(line.period, lang)}",
                                f"{money(line.fee.tax)} + {money(line.fee.fee)}"))
        rows += [Row("tax_total", label("tax_total"), money(statement.tax_total)),
                 Row("fee_total", label("fee_total"), money(statement.fee_total)),
                 Row("grand_total", label("grand_total"), money(statement.total))]
        return ResultView(label("owed") % money(statement.total), "warning", tuple(rows),
                          (label("fee_note"),))

    def print_slip(self, statement: ArrearsStatement, lang: str) -> None:
        """The statement on a slip, masked for paper (PrintFailed when it cannot)."""
        view = self.view(statement, lang, "paper")
        tin = next(r for r in view.rows if r.key == "tin")
        self._slips.print_receipt(
            lang=lang, title=LABELS["title"], number_label=tin.label, number=tin.value,
            headline=view.title,
            rows=[(r.label, r.value) for r in view.rows if r.key != "tin"],
            notes=list(view.notes))


def build(ctx: ServiceContext) -> ArrearsService:
    """The catalogue's factory for `arrears.query`."""
    return ArrearsService.from_context(ctx)
