"""Screens of `tax.pay` 缴纳税款: every unpaid item (arrears and vehicle tax years), all
chosen at first, the breakdown and the total, then the payment screens."""
from __future__ import annotations

from ui.flow.base import Said
from ui.flow.payment import PAYMENT_SCREENS
from ui.flow.text import Both

from .paying_kit import BillFlow, BillScreen


class TaxPayScreen(BillScreen):
    screen_id = "tax.pay"

    def title_text(self) -> Said:
        return Both("缴纳税款", "Pay tax")


FLOW = BillFlow
SCREENS = (TaxPayScreen, *PAYMENT_SCREENS)

# `make screenshots`: the demo enterprise's bill, its payment QR code, and the result
# after the taxpayer cancels (nothing charged, so the arrears look-up still shows them).
SHOTS = [("open", "tax.pay"), ("expect_screen", "identity.login"),
         ("id_card", {}), ("expect_screen", "identity.login.enterprise"),
         ("tap", "item.91110105MA01R8XK4P"), ("expect_screen", "tax.pay"),
         ("shot", "tax.pay"), ("tap", "action.pay_qr"), ("expect_screen", "payment.qr"),
         ("shot", "payment.qr"), ("tap", "action.cancel"), ("expect_screen", "payment.result"),
         ("settle", None), ("shot", "payment.result-cancelled"), ("tap", "action.done"),
         ("tap", "action.logout"), ("id_card", "remove"), ("tap", "action.start")]
