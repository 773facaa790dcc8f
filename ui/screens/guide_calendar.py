"""Screen of `guide.calendar` 办税日历: this month's filing deadlines in the hall's
time zone, each with the days left (`deadline.<n>` labels; due today or within 3
days highlighted, passed ones muted), and the next deadline when this month's are
over."""
from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel

from kiosk.services.calendar import DeadlineView, FilingCalendar
from ui.flow.base import FlowScreen, Said
from ui.theme import set_style_property

from .guidance_kit import GuidanceFlow, cached_text

if TYPE_CHECKING:
    from ui.main_window import MainWindow

MAX_ROWS = 16
ROLES = {"passed": "muted", "today": "warning", "soon": "warning", "later": "body"}


class CalendarScreen(FlowScreen):
    screen_id = "guide.calendar"
    flow: GuidanceFlow

    def __init__(self, window: MainWindow, flow: GuidanceFlow) -> None:
        super().__init__(window, flow)
        self.title = self.bind(self.title_label("label.title"), self._title)
        self.cached = self.bind(self.text_label("label.cached", role="muted"),
                                lambda: cached_text(self.flow))
        self.today_label = self.bind(self.text_label("label.today", role="subtitle"),
                                     self._today)
        for w in (self.title, self.cached, self.today_label):
            self.layout_.addWidget(w)
        self.rows: list[QLabel] = []
        for n in range(1, MAX_ROWS + 1):
            label = self.bind(self.text_label(f"deadline.{n}"), partial(self._row, n),
                              hide_empty=True)
            self.rows.append(label)
            self.layout_.addWidget(label)
        self.empty = self.bind(self.text_label("label.empty", role="subtitle"), self._empty,
                               hide_empty=True)
        self.next_label = self.bind(self.text_label("label.next", role="subtitle"), self._next,
                                    hide_empty=True)
        self.layout_.addWidget(self.empty)
        self.layout_.addWidget(self.next_label)
        self.layout_.addStretch(1)
        self.refresh()

    def _service(self) -> FilingCalendar | None:
        service: FilingCalendar | None = self.flow.service
        return service

    def _deadlines(self) -> list[DeadlineView]:
        service = self._service()
        if service is None or self.flow.snapshot is None:
            return []
        today = service.today()
        return service.month(today.year, today.month, today)

    def _title(self) -> Said:
        service = self._service()
        if service is None:
            return self.tr("Filing calendar")
        today = service.today()
        return self.tr("Filing deadlines in %1").replace(
            "%1", f"{today.year}年{today.month}月" if self.lang() == "zh"
            else today.strftime("%B %Y"))

    def _today(self) -> Said:
        service = self._service()
        return None if service is None else self.tr("Today is %1 (hall time)").replace(
            "%1", service.today().isoformat())

    def _left(self, view: DeadlineView) -> str:
        if view.state == "passed":
            return self.tr("closed")
        if view.state == "today":
            return self.tr("last day today")
        return self.tr("days left: %1").replace("%1", str(view.days_left))

    def _row(self, n: int) -> Said:
        views = self._deadlines()
        if n > len(views):
            return None
        view = views[n - 1]
        d = view.deadline
        note = d.note(self.lang())
        moved = f" ({note})" if note and self.lang() == "en" else f"（{note}）" if note else ""
        return f"{d.due.isoformat()}  {d.title(self.lang())}{moved} — {self._left(view)}"

    def _empty(self) -> Said:
        if self.flow.snapshot is None or self._deadlines():
            return None
        return self.tr("No filing deadlines are published for this month.")

    def _next(self) -> Said:
        service = self._service()
        if service is None or self.flow.snapshot is None:
            return None
        views = self._deadlines()
        if views and any(v.state != "passed" for v in views):
            return None
        upcoming = service.next_deadline(service.today())
        if upcoming is None:
            return None
        return self.tr("Next deadline: %1 %2").replace("%1", upcoming.deadline.due.isoformat()) \
            .replace("%2", upcoming.deadline.title(self.lang()))

    def update_state(self) -> None:
        views = self._deadlines()
        for n, label in enumerate(self.rows):
            state = views[n].state if n < len(views) else "later"
            set_style_property(label, "role", ROLES[state])
            label.setProperty("state", state)

    def on_enter(self) -> None:
        self.flow.load()
        super().on_enter()


FLOW = GuidanceFlow
SCREENS = (CalendarScreen,)
