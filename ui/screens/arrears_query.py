"""Screens of `arrears.query` 欠税查询: what is owed by tax kind and period, each with
its late fee to today, the totals ("无欠税 / No tax owed" when none), a slip, and the
way to pay (`tax.pay`, when this terminal offers it)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QHBoxLayout

from kiosk.services.arrears import PAY_SERVICE_ID, ArrearsStatement
from kiosk.services.catalogue import UnknownService, spec
from kiosk.services.views import ListItemView, ResultView
from ui.flow.base import Said
from ui.flow.lookup import LookupFlow, LookupListScreen
from ui.widgets.buttons import make_button


def pay_offered() -> bool:
    """Whether the catalogue has the payment service (issue #11)."""
    try:
        spec(PAY_SERVICE_ID)
    except UnknownService:
        return False
    return True


class ArrearsFlow(LookupFlow):
    result: ArrearsStatement | None

    def fetch(self) -> Callable[[], Any] | None:
        service = self.service
        return None if service is None else service.statement


class ArrearsScreen(LookupListScreen):
    screen_id = "arrears.query"
    flow: ArrearsFlow

    def add_actions(self, row: QHBoxLayout) -> None:
        self.pay_button = self.bind(make_button("", "action.pay", role="primary"),
                                    lambda: self.tr("Pay now"))
        self.pay_button.clicked.connect(lambda: self.window_.open_service(PAY_SERVICE_ID))
        row.addWidget(self.pay_button)

    def title_text(self) -> Said:
        return self.tr("Tax owed")

    def result_view(self) -> ResultView | None:
        statement, service = self.flow.result, self.flow.service
        if statement is None or service is None:
            return None
        return service.view(statement, self.lang())

    def empty_text(self) -> Said:
        return None  # "无欠税 / No tax owed" is the headline

    def items(self) -> list[ListItemView]:
        statement, service = self.flow.result, self.flow.service
        if statement is None or service is None:
            return []
        return service.items(statement, self.lang())

    def print_text(self) -> Said:
        return self.tr("Print the statement")

    def print_job(self) -> Callable[[], object] | None:
        statement, service, lang = self.flow.result, self.flow.service, self.lang()
        if statement is None or service is None:
            return None
        return lambda: service.print_slip(statement, lang)

    def update_state(self) -> None:
        super().update_state()
        if not hasattr(self, "pay_button"):
            return
        statement = self.flow.result
        self.pay_button.setVisible(statement is not None and statement.owed and pay_offered())
        self.pay_button.setEnabled(not self.flow.busy)


FLOW = ArrearsFlow
SCREENS = (ArrearsScreen,)

# `make screenshots`: the demo enterprise owes two taxes, with late fees.
SHOTS = [("open", "arrears.query"), ("expect_screen", "identity.login"),
         ("id_card", {}), ("expect_screen", "identity.login.enterprise"),
         ("tap", "item.91110105MA01R8XK4P"), ("expect_screen", "arrears.query"),
         ("shot", "arrears.query"),
         ("tap", "action.logout"), ("id_card", "remove"), ("tap", "action.start")]
