"""Screens of `tax.vehicle` 车船税: each unpaid year of the taxpayer's vehicles (annual
amount by displacement bracket, prorated in the purchase year, late fee when
overdue), filed and paid in one step."""
from __future__ import annotations

from ui.flow.base import Said
from ui.flow.payment import PAYMENT_SCREENS
from ui.flow.text import Both

from .paying_kit import BillFlow, BillScreen


class VehicleTaxScreen(BillScreen):
    screen_id = "tax.vehicle"

    def title_text(self) -> Said:
        return Both("车船税申报缴纳", "Vehicle tax: file and pay")


FLOW = BillFlow
SCREENS = (VehicleTaxScreen, *PAYMENT_SCREENS)

# `make screenshots`: the demo person's vehicle tax paid by card: the card screen while
# the terminal holds the sale (`slow`), then the result with the vouchers.
SHOTS = [("open", "tax.vehicle"), ("expect_screen", "identity.login"),
         ("id_card", {}), ("expect_screen", "tax.vehicle"), ("shot", "tax.vehicle"),
         ("device_fault", {"device": "payment_terminal", "fault": "slow"}),
         ("tap", "action.pay_card"), ("expect_screen", "payment.card"),
         ("expect_terminal_sale", "running"), ("shot_busy", "payment.card"),
         ("device_restore", "payment_terminal"), ("expect_screen", "payment.result"),
         ("settle", None), ("shot", "payment.result"), ("tap", "action.done"),
         ("tap", "action.logout"), ("id_card", "remove"), ("tap", "action.start")]
