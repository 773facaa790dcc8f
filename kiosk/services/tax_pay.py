"""Use case `tax.pay` 缴纳税款 (Qt-free): every unpaid item of the identified taxpayer,
the arrears of `arrears.query` (with the 滞纳金 of kiosk.domain.late_fee as of today)
and the vehicle tax years owed, all chosen at first; the taxpayer picks one or
several and pays by card or QR (kiosk.payments)."""
from __future__ import annotations

from ..payments.model import PaymentItem
from .arrears import ArrearsService
from .context import ServiceContext
from .paying import Bill, BillLine, line_explain, period_text, vehicle_lines, vehicles_of
from .taxpayer_lookup import TaxpayerLookup

SERVICE_ID = "tax.pay"


class TaxPayService(TaxpayerLookup):
    service_id = SERVICE_ID

    def bill(self) -> Bill:
        """Blocking: the bill of everything unpaid, oldest due first."""
        who = self.who()
        arrears = ArrearsService(central=self._central, keys=self._keys,
                                 connectivity=self._connectivity, identity=self._identity,
                                 slips=self._slips, now=self._now,
                                 as_enrolled=self._as_enrolled)
        statement = arrears.statement(self.today())
        lines: list[BillLine] = []
        for line in statement.lines:
            item = PaymentItem(kind="arrear", ref=line.tax_kind, label_zh=line.tax_kind,
                               label_en=line.tax_kind, period=line.period,
                               tax=line.fee.tax, late_fee=line.fee.fee, due_on=line.due_on)
            title = (f"{line.tax_kind} {period_text(line.period, 'zh')}",
                     f"{line.tax_kind} {period_text(line.period, 'en')}")
            lines.append(BillLine(item=item, title=title,
                                  explain=line_explain(item, days=line.fee.days)))
        filing: list[dict[str, object]] = []
        if who.subject.kind == "person":
            vehicles, table = vehicles_of(self)
            more, filing = vehicle_lines(vehicles, table, self.today())
            lines.extend(more)
        lines.sort(key=lambda line: (line.item.due_on or self.today(), line.item.period))
        business: dict[str, object] = {"kind": "arrears"}
        if filing:
            business["vehicles"] = filing
        return Bill(service_id=SERVICE_ID, tin=who.subject.tin, lines=tuple(lines),
                    business=business, as_of=self.today())


def build(ctx: ServiceContext) -> TaxPayService:
    return TaxPayService.from_context(ctx)
