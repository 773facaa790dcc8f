"""Screens of `taxpayer.info` 税务登记信息: the identified taxpayer's registration,
masked for the screen, with a slip masked for paper."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiosk.services.taxpayer_info import TaxpayerInfo
from kiosk.services.views import ResultView
from ui.flow.base import Said
from ui.flow.lookup import LookupFlow, LookupListScreen


class TaxpayerInfoFlow(LookupFlow):
    result: TaxpayerInfo | None

    def fetch(self) -> Callable[[], Any] | None:
        service = self.service
        return None if service is None else service.fetch


class TaxpayerInfoScreen(LookupListScreen):
    screen_id = "taxpayer.info"
    flow: TaxpayerInfoFlow

    def title_text(self) -> Said:
        return self.tr("Tax registration")

    def result_view(self) -> ResultView | None:
        info, service = self.flow.result, self.flow.service
        if info is None or service is None:
            return None
        return service.view(info, self.lang())

    def empty_text(self) -> Said:
        return None  # one record: its rows are the summary

    def print_text(self) -> Said:
        return self.tr("Print my registration")

    def print_job(self) -> Callable[[], object] | None:
        info, service, lang = self.flow.result, self.flow.service, self.lang()
        if info is None or service is None:
            return None
        return lambda: service.print_slip(info, lang)


FLOW = TaxpayerInfoFlow
SCREENS = (TaxpayerInfoScreen,)

# `make screenshots`: the demo enterprise's registration, signed in with the demo ID card.
SHOTS = [("open", "taxpayer.info"), ("expect_screen", "identity.login"),
         ("id_card", {}), ("expect_screen", "identity.login.enterprise"),
         ("tap", "item.91110105MA01R8XK4P"), ("expect_screen", "taxpayer.info"),
         ("shot", "taxpayer.info"),
         ("tap", "action.logout"), ("id_card", "remove"), ("tap", "action.start")]
