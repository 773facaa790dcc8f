"""Screens of `info.announcements`: tabs `tab.notice` 通知公告, `tab.policy` 政策法规
(newest first, searchable), `tab.case` 重大税收违法失信案件 and `tab.a_level` A级纳税人
(looked up by name or TIN: at least 2 characters; the published fields only)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.services.announcements import Announcements
from kiosk.services.views import ListItemView, ResultView
from ui.flow.base import Said

from .guidance_kit import DetailScreen, GuidanceFlow, SearchScreen

if TYPE_CHECKING:
    from ui.main_window import MainWindow

REGISTERS = ("case", "a_level")


class InfoSearch(SearchScreen):
    screen_id = "info.announcements"
    flow: GuidanceFlow

    def tabs(self) -> list[tuple[str, Said]]:
        return [("notice", self.tr("Notices")), ("policy", self.tr("Policies")),
                ("case", self.tr("Tax violators")), ("a_level", self.tr("A-rated taxpayers"))]

    def title_text(self) -> Said:
        return self.tr("Notices and policies")

    def intro_text(self) -> Said:
        if self.flow.tab == "case":
            return self.tr("Published major tax violation cases. Type a name or TIN.")
        if self.flow.tab == "a_level":
            return self.tr("Taxpayers rated A for tax credit. Type a name or TIN.")
        return self.tr("Newest first. Type words to search.")

    def search_hint(self) -> str:
        if self.flow.tab in REGISTERS:
            return self.tr("Name or taxpayer identification number")
        return super().search_hint()

    def empty_text(self) -> Said:
        if self.flow.tab in REGISTERS and len(self.flow.query.strip()) < 2:
            return self.tr("Type at least 2 characters of the name or number.")
        if self.flow.tab == "a_level":
            return self.tr("Not on the published A-rated list.")
        if self.flow.tab == "case":
            return self.tr("No published case matches.")
        return super().empty_text()

    def results(self) -> list[ListItemView]:
        service: Announcements | None = self.flow.service
        if service is None:
            return []
        tab, query, lang = self.flow.tab, self.flow.query, self.lang()
        if tab == "case":
            return service.cases(query, lang)
        if tab == "a_level":
            return service.a_level(query, lang)
        return service.notices(tab, query, lang)

    def opened(self, key: str) -> None:
        if self.flow.tab != "a_level":  # an A-list entry says all there is in the list
            self.flow.open_entry(key, "info.announcements.detail")


class InfoDetail(DetailScreen):
    screen_id = "info.announcements.detail"
    list_screen = "info.announcements"
    flow: GuidanceFlow

    def __init__(self, window: MainWindow, flow: GuidanceFlow) -> None:
        super().__init__(window, flow)
        self.print_button.hide()
        self.refresh()

    def title_text(self) -> Said:
        if self.flow.tab == "case":
            return self.tr("Major tax violation case")
        return self.tr("Notices and policies")

    def view(self) -> ResultView | None:
        service: Announcements | None = self.flow.service
        key = self.flow.selected
        if service is None or key is None:
            return None
        if self.flow.tab == "case":
            return service.case(key, self.lang())
        return service.notice(key, self.lang())


FLOW = GuidanceFlow
SCREENS = (InfoSearch, InfoDetail)

# `make screenshots` (kiosk/scenario/screenshots.py): the notices, then the newest.
SHOTS = [("open", "info.announcements"), ("expect_screen", "info.announcements"),
         ("settle", None), ("shot", "info.announcements"), ("tap", "result.1"),
         ("expect_screen", "info.announcements.detail"),
         ("shot", "info.announcements.detail")]
