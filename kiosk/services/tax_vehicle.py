"""Use case `tax.vehicle` 车船税申报缴纳 (Qt-free): a natural person's vehicles not
covered by an insurer's collection, from the central service, each unpaid year at
the province's annual amount for its displacement bracket (reference data),
prorated in the purchase year (annual × months owned ÷ 12, the month of purchase
counted) with the 滞纳金 when overdue (kiosk.domain.vehicle_filing). Filing and paying
are one step: the filing facts travel with the payment (`business`)."""
from __future__ import annotations

from .context import ServiceContext
from .paying import Bill, Vehicle, vehicle_lines, vehicles_of
from .taxpayer_lookup import LookupFailed, TaxpayerLookup

SERVICE_ID = "tax.vehicle"


class VehicleTaxService(TaxpayerLookup):
    service_id = SERVICE_ID

    def vehicles(self) -> list[Vehicle]:
        return vehicles_of(self)[0]

    def bill(self) -> Bill:
        """Blocking: one line per unpaid year of every vehicle. LookupFailed
        `vehicle.none` when the taxpayer has no vehicle to file here."""
        who = self.who()
        vehicles, table = vehicles_of(self)
        if not vehicles:
            raise LookupFailed("no vehicle registered", "vehicle.none")
        lines, filing = vehicle_lines(vehicles, table, self.today())
        return Bill(service_id=SERVICE_ID, tin=who.subject.tin, lines=tuple(lines),
                    business={"kind": "vehicle", "vehicles": filing}, as_of=self.today())


def build(ctx: ServiceContext) -> VehicleTaxService:
    return VehicleTaxService.from_context(ctx)
