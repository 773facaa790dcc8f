"""Screens of `notices` 我的消息: the notices pushed for the taxpayer's industry,
unread first (`item.<id>`); opening one marks it read (at the central service too, so it
stays read at the next visit), and the home screen's tile shows how many are left
unread."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiosk import log
from kiosk.services.notices import Notice
from kiosk.services.views import ListItemView
from ui.flow.base import Said
from ui.flow.lookup import LookupFlow, LookupListScreen
from ui.flow.text import Plain

_log = log.get("session")


class NoticesFlow(LookupFlow):
    result: tuple[Notice, ...] | None

    def fetch(self) -> Callable[[], Any] | None:
        service = self.service
        return None if service is None else service.fetch


class NoticesScreen(LookupListScreen):
    screen_id = "notices"
    flow: NoticesFlow

    def title_text(self) -> Said:
        return self.tr("My messages")

    def empty_text(self) -> Said:
        if self.flow.result is None:
            return None
        return self.tr("You have no messages.")

    def headline_text(self) -> Said:
        service = self.flow.service
        if self.flow.result is None or service is None:
            return None
        count = service.unread_count()
        return None if count is None else Plain(service.count_text(count, self.lang()))

    def headline_tone(self) -> str:
        service = self.flow.service
        count = service.unread_count() if service is not None else None
        return "warning" if count else "good"

    def items(self) -> list[ListItemView]:
        service = self.flow.service
        if self.flow.result is None or service is None:
            return []
        return service.items(self.lang())

    def chosen(self, key: str) -> None:
        service = self.flow.service
        remember = service.mark_read(key) if service is not None else None
        if remember is not None:
            # Read on screen now; the central service keeps it read for the next
            # visit. If that fails, only the next visit shows it unread again.
            self.flow.background(remember, lambda _r: None,
                                 lambda exc: _log.info("notice read not recorded "
                                                       "centrally: %s", type(exc).__name__))
        self.refresh()

    def print_job(self) -> Callable[[], object] | None:
        return None  # notices are read here; their text is on the tax bureau's site

    def update_state(self) -> None:
        super().update_state()
        if hasattr(self, "print_button"):
            self.print_button.hide()


FLOW = NoticesFlow
SCREENS = (NoticesScreen,)

# `make screenshots`: the demo enterprise's unread messages.
SHOTS = [("open", "notices"), ("expect_screen", "identity.login"),
         ("id_card", {}), ("expect_screen", "identity.login.enterprise"),
         ("tap", "item.91110105MA01R8XK4P"), ("expect_screen", "notices"),
         ("shot", "notices"),
         ("tap", "action.logout"), ("id_card", "remove"), ("tap", "action.start")]
