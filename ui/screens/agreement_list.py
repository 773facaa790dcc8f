"""Screens of `agreement.list` 三方协议: the taxpayer's tax–bank–taxpayer agreements
and their verification state, read-only (accounts masked to the last 4 digits)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiosk.services.views import ListItemView
from ui.flow.base import Said
from ui.flow.lookup import LookupFlow, LookupListScreen
from ui.flow.text import Both


class AgreementFlow(LookupFlow):
    def fetch(self) -> Callable[[], Any] | None:
        service = self.service
        return None if service is None else service.agreements


class AgreementScreen(LookupListScreen):
    screen_id = "agreement.list"
    flow: AgreementFlow

    def title_text(self) -> Said:
        return Both("三方协议", "Tax payment agreements")

    def headline_text(self) -> Said:
        result = self.flow.result
        if result is None:
            return None
        if not result:
            return Both("您没有三方协议", "You have no tax payment agreement")
        return Both(f"共 {len(result)} 份三方协议", f"{len(result)} agreement(s)")

    def items(self) -> list[ListItemView]:
        service, result = self.flow.service, self.flow.result
        if service is None or not result:
            return []
        return service.items(result, self.lang())


FLOW = AgreementFlow
SCREENS = (AgreementScreen,)

# `make screenshots`: the demo person's tripartite agreement (not yet verified).
SHOTS = [("open", "agreement.list"), ("expect_screen", "identity.login"),
         ("id_card", {}), ("expect_screen", "identity.login.enterprise"),
         ("tap", "item.self"), ("expect_screen", "agreement.list"),
         ("shot", "agreement.list"),
         ("tap", "action.logout"), ("id_card", "remove"), ("tap", "action.start")]
