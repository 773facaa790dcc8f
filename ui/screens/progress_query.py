"""Screens of `progress.query` 办理进度: the taxpayer's applications and refunds
(`item.<number>`), each with its steps and current state, 不予受理 with the reason;
a slip of the chosen one."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiosk.services.progress import Application
from kiosk.services.views import ListItemView
from ui.flow.base import Said
from ui.flow.lookup import LookupFlow, LookupListScreen


class ProgressFlow(LookupFlow):
    result: tuple[Application, ...] | None

    def fetch(self) -> Callable[[], Any] | None:
        service = self.service
        return None if service is None else service.fetch


class ProgressScreen(LookupListScreen):
    screen_id = "progress.query"
    flow: ProgressFlow

    def title_text(self) -> Said:
        return self.tr("Progress of my applications")

    def empty_text(self) -> Said:
        if self.flow.result is None:
            return None
        return self.tr("You have no applications or refunds in progress.")

    def headline_text(self) -> Said:
        if self.flow.result and self.selected is None:
            return self.tr("Tap an application to see its steps.")
        return None

    def headline_tone(self) -> str:
        return "neutral"

    def items(self) -> list[ListItemView]:
        apps, service = self.flow.result, self.flow.service
        if apps is None or service is None:
            return []
        return service.items(apps, self.lang())

    def print_text(self) -> Said:
        return self.tr("Print this application's progress")

    def print_job(self) -> Callable[[], object] | None:
        apps, service, lang = self.flow.result, self.flow.service, self.lang()
        chosen = next((a for a in apps or () if a.number == self.selected), None)
        if chosen is None or service is None:
            return None
        return lambda: service.print_slip(chosen, lang)


FLOW = ProgressFlow
SCREENS = (ProgressScreen,)

# `make screenshots`: the demo person's applications, the refund's steps opened.
SHOTS = [("open", "progress.query"), ("expect_screen", "identity.login"),
         ("id_card", {}), ("expect_screen", "identity.login.enterprise"),
         ("tap", "item.self"), ("expect_screen", "progress.query"),
         ("tap", "item.SQ2026000101"), ("shot", "progress.query"),
         ("tap", "action.logout"), ("id_card", "remove"), ("tap", "action.start")]
