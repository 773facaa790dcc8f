"""Screens of `guide.catalogue` 办税导航: search the matters (words, pinyin initials,
synonyms) or browse them by group; a matter's page says whether it can be done on
this terminal (`action.open_service` opens that service) or at which counter
(`label.where`), lists the materials and prints the checklist."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP

from kiosk.services.guide import GuideCatalogue
from kiosk.services.views import ListItemView, ResultView
from ui.flow.base import Said
from ui.flow.text import Plain, Tr
from ui.theme import set_style_property
from ui.widgets.buttons import make_button

from .guidance_kit import DetailScreen, GuidanceFlow, SearchScreen, insert_after

if TYPE_CHECKING:
    from ui.main_window import MainWindow

GROUP_PREFIX = "group:"


class GuideFlow(GuidanceFlow):
    def open_here(self) -> None:
        """Open the service that does the chosen matter on this terminal."""
        service: GuideCatalogue | None = self.service
        target = None if service is None or self.selected is None else service.here(
            self.selected)
        if target is not None and target in self.window_.flows:
            self.window_.open_service(target)

    def printer_problem(self) -> str | None:
        """The checklist prints on A4: that printer's problem, not the receipt's."""
        service: GuideCatalogue | None = self.service
        return service.printer_problem() if service is not None else super().printer_problem()


class GuideSearch(SearchScreen):
    screen_id = "guide.catalogue"
    flow: GuideFlow

    def __init__(self, window: MainWindow, flow: GuideFlow) -> None:
        super().__init__(window, flow)

    def extra_top(self) -> None:
        self.all_groups = self.bind(make_button("", "action.groups", role="secondary"),
                                    self._groups_text, hide_empty=True)
        self.all_groups.clicked.connect(lambda: self.flow.set_tab(""))
        self.layout_.addWidget(self.all_groups)

    def title_text(self) -> Said:
        return self.tr("Tax guide: what to bring and where to go")

    def intro_text(self) -> Said:
        return self.tr("Search a matter, or choose a group below.")

    def _groups_text(self) -> Said:
        return self.tr("All groups") if self.flow.tab and not self.flow.query.strip() else None

    def _service(self) -> GuideCatalogue | None:
        service: GuideCatalogue | None = self.flow.service
        return service

    def results(self) -> list[ListItemView]:
        service = self._service()
        if service is None:
            return []
        lang = self.lang()
        if self.flow.query.strip():
            return service.search(self.flow.query, lang)
        if self.flow.tab:
            return service.in_group(self.flow.tab, lang)
        return [ListItemView(GROUP_PREFIX + key, title, "") for key, title in service.groups(lang)]

    def opened(self, key: str) -> None:
        if key.startswith(GROUP_PREFIX):
            self.flow.set_tab(key.removeprefix(GROUP_PREFIX))
        else:
            self.flow.open_entry(key, "guide.catalogue.matter")


PRINT_CHECKLIST = QT_TRANSLATE_NOOP("GuideMatter", "Print the materials checklist")


class GuideMatter(DetailScreen):
    screen_id = "guide.catalogue.matter"
    list_screen = "guide.catalogue"
    flow: GuideFlow

    def __init__(self, window: MainWindow, flow: GuideFlow) -> None:
        super().__init__(window, flow)
        self.where = self.bind(self.text_label("label.where", role="subtitle"), self._where)
        insert_after(self.layout_, self.outcome, self.where)
        self.open_here = self.add_action("action.open_service", self._open_text,
                                         flow.open_here)
        self.refresh()

    def _service(self) -> GuideCatalogue | None:
        service: GuideCatalogue | None = self.flow.service
        return service

    def title_text(self) -> Said:
        return self.tr("Tax guide")

    def view(self) -> ResultView | None:
        service = self._service()
        if service is None or self.flow.selected is None:
            return None
        return service.matter_view(self.flow.selected, self.lang())

    def _here(self) -> str | None:
        service = self._service()
        if service is None or self.flow.selected is None:
            return None
        target = service.here(self.flow.selected)
        return target if target is not None and target in self.window_.flows else None

    def _where(self) -> Said:
        service = self._service()
        if service is None or self.flow.selected is None:
            return None
        matter = service.matter(self.flow.selected)
        if matter is None:
            return None
        if self._here() is not None:
            return self.tr("Can be done here, on this terminal")
        counter = matter.body.get("counter_zh" if self.lang() == "zh" else "counter_en")
        return Plain(self.tr("At a counter: %1").replace("%1", str(counter or "")))

    def _open_text(self) -> Said:
        target = self._here()
        if target is None:
            return None
        from kiosk.services.catalogue import spec

        return self.tr("Open here: %1").replace("%1", spec(target).title(self.lang()))

    def update_state(self) -> None:
        super().update_state()
        self.slip.hide()  # the checklist is an A4 page: no slip slides out of the slot
        where = getattr(self, "where", None)  # None while the base class builds
        if where is not None:
            set_style_property(where, "role", "success" if self._here() else "warning")

    def print_text(self) -> Said:
        return Tr("GuideMatter", PRINT_CHECKLIST)

    def print_status_text(self) -> Said:
        if self.print_state == "printing" and self.printer_problem is None:
            return self.tr("Printing the checklist on A4 paper…")
        if self.print_state == "printed" and self.printer_problem is None:
            return self.tr("The checklist is printed on A4 paper. "
                           "Please take it from the A4 printer.")
        return super().print_status_text()

    def print_job(self) -> Callable[[], object] | None:
        service = self._service()
        key, lang = self.flow.selected, self.lang()
        if service is None or key is None:
            return None
        return lambda: service.print_checklist(key, lang)


FLOW = GuideFlow
SCREENS = (GuideSearch, GuideMatter)

# `make screenshots` (kiosk/scenario/screenshots.py): a pinyin search, then a matter.
SHOTS = [("open", "guide.catalogue"), ("expect_screen", "guide.catalogue"),
         ("type", {"into": "field.search", "text": "wszm"}), ("settle", None),
         ("shot", "guide.catalogue"), ("tap", "result.1"),
         ("expect_screen", "guide.catalogue.matter"), ("shot", "guide.catalogue.matter")]
