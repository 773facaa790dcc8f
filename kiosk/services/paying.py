"""What the paying services of issue #11 share (Qt-free): a bill of items the taxpayer
chooses from (`Bill`: each a kiosk.payments.model.PaymentItem with its explanation),
the payment request made of the chosen ones, and the vehicle years owed (used by
`tax.vehicle` and listed by `tax.pay`).

Services: `tax.pay` (kiosk.services.tax_pay), `tax.vehicle` (tax_vehicle),
`tax.iit_annual` (tax_iit_annual), `tax.social_insurance` (tax_social_insurance),
`agreement.list` (agreement_list). Each is online-only and needs an identified
taxpayer with a central session; the sealed calls go through
kiosk.services.taxpayer_lookup.TaxpayerLookup (`LookupFailed` with a message code).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from ..domain.calculators import CalculatorInputError, check_vehicle_amounts
from ..domain.vehicle_filing import VehicleFilingError, VehicleYear, vehicle_years
from ..payments.model import PaymentItem, PaymentRequest
from .taxpayer_lookup import LookupFailed, TaxpayerLookup, day, money, period_text
from .views import pick

VEHICLE_TAX_ZH = "车船税"
VEHICLE_TAX_EN = "Vehicle and vessel tax"

LABELS: dict[str, tuple[str, str]] = {
    "tax": ("税款", "Tax"),
    "late_fee": ("滞纳金", "Late fee"),
    "total": ("合计", "Total"),
    "to_pay": ("应缴金额 %s", "To pay %s"),
    "nothing_chosen": ("请至少选择一项", "Choose at least one item"),
    "due": ("缴款期限 %s", "due %s"),
    "days": ("滞纳 %d 天", "%d days late"),
    "vehicle_item": ("车船税 %s %d年", "Vehicle tax %s %d"),
    "months": ("%d 个月", "%d months"),
}


@dataclass(frozen=True)
class BillLine:
    """One item of a bill: what is paid and how it was worked out (both languages)."""

    item: PaymentItem
    title: tuple[str, str]
    explain: tuple[str, str] = ("", "")

    def title_in(self, lang: str) -> str:
        return pick(self.title, lang)


@dataclass(frozen=True)
class Bill:
    """What a paying service offers to pay; `business` goes with the payment."""

    service_id: str
    tin: str
    lines: tuple[BillLine, ...]
    business: dict[str, Any] = field(default_factory=dict)
    as_of: date | None = None

    def chosen(self, picked: set[int]) -> tuple[BillLine, ...]:
        return tuple(line for i, line in enumerate(self.lines) if i in picked)

    def totals(self, picked: set[int]) -> tuple[Decimal, Decimal, Decimal]:
        """(tax, late fee, total) of the chosen lines."""
        lines = self.chosen(picked)
        tax = sum((line.item.tax for line in lines), Decimal("0.00"))
        fee = sum((line.item.late_fee for line in lines), Decimal("0.00"))
        return tax, fee, tax + fee

    def request(self, picked: set[int]) -> PaymentRequest:
        """The payment of the chosen lines; LookupFailed `payment.nothing_chosen`."""
        lines = self.chosen(picked)
        if not lines:
            raise LookupFailed("nothing chosen", "payment.nothing_chosen")
        return PaymentRequest(service_id=self.service_id, tin=self.tin,
                              items=tuple(line.item for line in lines),
                              business=self.business)

    def breakdown(self, picked: set[int], lang: str) -> str:
        tax, fee, total = self.totals(picked)
        return "\n".join((f"{pick(LABELS['tax'], lang)}: {money(tax)}",
                          f"{pick(LABELS['late_fee'], lang)}: {money(fee)}",
                          f"{pick(LABELS['total'], lang)}: {money(total)}"))

    def total_text(self, picked: set[int], lang: str) -> str:
        return pick(LABELS["to_pay"], lang) % money(self.totals(picked)[2])


def line_explain(item: PaymentItem, extra: tuple[str, str] = ("", ""),
                 days: int = 0) -> tuple[str, str]:
    """The second line of an item: tax, late fee (days late), due date."""
    out = []
    for lang in ("zh", "en"):
        parts = [f"{pick(LABELS['tax'], lang)} {money(item.tax)}"]
        if item.late_fee > 0:
            parts.append(f"{pick(LABELS['late_fee'], lang)} {money(item.late_fee)}"
                         f" ({pick(LABELS['days'], lang) % days})")
        if item.due_on is not None:
            parts.append(pick(LABELS["due"], lang) % item.due_on.isoformat())
        text = (" · " if lang == "en" else "，").join(parts)
        more = extra[0] if lang == "zh" else extra[1]
        out.append(f"{more}\n{text}" if more else text)
    return out[0], out[1]


@dataclass(frozen=True)
class Vehicle:
    vin: str
    plate: str
    displacement_l: str
    bought_on: date
    insurer_collected: bool
    paid_through: int | None

    @property
    def name(self) -> str:
        return self.plate or self.vin


def vehicles_of(service: TaxpayerLookup) -> tuple[list[Vehicle], dict[str, Decimal]]:
    """The taxpayer's vehicles and the province's rate table (sealed
    `taxpayer/vehicles`); LookupFailed `vehicle.no_rates` when the table is missing
    or outside the national ranges."""
    answer = service.call("taxpayer.vehicles", "taxpayer/vehicles")
    raw = answer.get("vehicles")
    vehicles = []
    for row in raw if isinstance(raw, list) else []:
        if not isinstance(row, dict):
            continue
        bought = day(row.get("bought_on"))
        paid = row.get("paid_through")
        if bought is None or not isinstance(row.get("vin"), str):
            continue
        vehicles.append(Vehicle(vin=row["vin"], plate=str(row.get("plate") or ""),
                                displacement_l=str(row.get("displacement_l") or ""),
                                bought_on=bought,
                                insurer_collected=bool(row.get("insurer_collected")),
                                paid_through=paid if isinstance(paid, int) else None))
    rates = answer.get("rates")
    try:
        table = check_vehicle_amounts(rates if isinstance(rates, dict) else {})
    except CalculatorInputError:
        table = {}
    if vehicles and not table:
        raise LookupFailed("no vehicle rate table", "vehicle.no_rates")
    return vehicles, table


def vehicle_lines(vehicles: list[Vehicle], table: dict[str, Decimal],
                  today: date) -> tuple[list[BillLine], list[dict[str, Any]]]:
    """One bill line per unpaid year of each vehicle (the filing facts alongside)."""
    lines: list[BillLine] = []
    filing: list[dict[str, Any]] = []
    for car in vehicles:
        try:
            years = vehicle_years(displacement_l=car.displacement_l, bought_on=car.bought_on,
                                  paid_through=car.paid_through, today=today,
                                  annual_amounts=table,
                                  insurer_collected=car.insurer_collected)
        except (CalculatorInputError, VehicleFilingError):
            continue  # a registry row the kiosk cannot compute: the window handles it
        for year in years:
            lines.append(_vehicle_line(car, year))
            filing.append({"vin": car.vin, "plate": car.plate, "year": year.year,
                           "displacement_l": car.displacement_l,
                           "bought_on": car.bought_on.isoformat(),
                           "bracket": year.detail.bracket.key,
                           "annual": str(year.detail.annual), "months": year.detail.months,
                           "tax": str(year.tax), "late_fee": str(year.late_fee)})
    return lines, filing


def _vehicle_line(car: Vehicle, year: VehicleYear) -> BillLine:
    item = PaymentItem(kind="vehicle", ref=car.vin, label_zh=VEHICLE_TAX_ZH,
                       label_en=VEHICLE_TAX_EN, period=year.period, tax=year.tax,
                       late_fee=year.late_fee, due_on=year.due_on)
    d = year.detail
    how = (f"{d.bracket.label_zh}，年税额 {money(d.annual)} × {d.months} ÷ 12",
           f"{d.bracket.label_en}, {money(d.annual)} a year × {d.months} ÷ 12")
    title = (pick(LABELS["vehicle_item"], "zh") % (car.name, year.year),
             pick(LABELS["vehicle_item"], "en") % (car.name, year.year))
    return BillLine(item=item, title=title,
                    explain=line_explain(item, how, year.late_days))


__all__ = ["Bill", "BillLine", "LABELS", "Vehicle", "line_explain", "period_text",
           "vehicle_lines", "vehicles_of"]
