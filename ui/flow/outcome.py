"""The outcome screen: a result view model (kiosk.services.views.ResultView) as a
headline and detail rows, an optional warning, and a print action.

Printing is state (`print_state`: None, "printing", "printed", or a PrintFailed code)
and the printer's problem is a code, both rendered on every refresh, so the status
follows a language switch. While the receipt printer cannot print (out of paper,
cover open, not answering) the print button waits, with the reason under it, and comes
back by itself (MainWindow.device_status_changed).

A service subclass returns `view()` (built by the core for `self.lang()`), its texts,
and `print_job()`: the blocking call that prints, run in the background.

While a slip prints, a picture shows where it comes out (the slip sliding out of the
printer slot; still once printed), beside the result (landscape) or under it (portrait).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from kiosk.services.views import ResultView
from ui.theme import Space, set_style_property
from ui.widgets.adaptive import OrientationBox, panel_orientation
from ui.widgets.busy import SlipTray
from ui.widgets.buttons import make_button
from ui.widgets.scroll_column import scrolling

from .base import FlowScreen, Said
from .flow import ServiceFlow
from .text import Msg, Tr

if TYPE_CHECKING:
    from ui.main_window import MainWindow

_CTX = "OutcomeScreen"
PRINTING = QT_TRANSLATE_NOOP("OutcomeScreen", "Printing…")
PRINTED = QT_TRANSLATE_NOOP("OutcomeScreen", "Slip printed. Please take it.")
PRINT = QT_TRANSLATE_NOOP("OutcomeScreen", "Print a slip")
TITLE = QT_TRANSLATE_NOOP("OutcomeScreen", "Result")
AGAIN = QT_TRANSLATE_NOOP("OutcomeScreen", "Start again")


class OutcomeScreen(FlowScreen):
    def __init__(self, window: MainWindow, flow: ServiceFlow) -> None:
        super().__init__(window, flow)
        self.print_state: str | None = None
        self.printer_problem: str | None = None
        self.title = self.bind(self.title_label("label.title"), self.title_text)
        self.outcome = self.bind(self.text_label("label.outcome", role="success"),
                                 lambda: self._view_part("title"))
        set_style_property(self.outcome, "textsize", "title")
        self.crc_warning = self.bind(self.text_label("label.crc_warning", role="warning"),
                                     self.warning_text, hide_empty=True)
        self.details = self.bind(self.text_label("label.details"),
                                 lambda: self._view_part("text"))
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.print_status = self.bind(self.text_label("label.print_status", role="subtitle"),
                                      self.print_status_text)
        self.again = self.bind(make_button("", "action.again", role="secondary"),
                               self.again_text)
        self.again.clicked.connect(lambda: flow.go(flow.spec.entry_screen))
        # Simple mode: one action; the top bar's Back does what "again" does.
        self.mark_secondary(self.again, drop=True)
        self.print_button = self.bind(make_button("", "action.print", role="primary"),
                                      self.print_text)
        self.print_button.clicked.connect(self.print_slip)
        self.slip = SlipTray(units=window.units)
        self.layout_.addWidget(self.title)
        result = QVBoxLayout()
        result.setSpacing(window.units.px(Space.M))
        for w in (self.outcome, self.crc_warning):
            result.addWidget(w)
        # Long detail rows (a certificate's, simple mode's larger text) scroll under
        # the headline instead of being cut off at the panel's edge.
        self.details_area = scrolling(self.details, "area.details", units=window.units)
        result.addWidget(self.details_area, 1)
        self.body = OrientationBox()
        self.body.setSpacing(window.units.px(Space.XL))
        self.body.addLayout(result, 3)
        self.body.addWidget(self.slip, 2)
        self.body.set_orientation(panel_orientation(window))
        self.layout_.addLayout(self.body, 1)
        self.layout_.addWidget(self.print_status)
        row = QHBoxLayout()
        row.addWidget(self.again)
        row.addWidget(self.print_button)
        self.layout_.addLayout(row)
        window.device_status_changed.connect(self._devices_changed)
        self.refresh()

    # -- hooks -------------------------------------------------------------------------
    def view(self) -> ResultView | None:
        return None

    def title_text(self) -> Said:
        return Tr(_CTX, TITLE)

    def warning_text(self) -> Said:
        return None

    def again_text(self) -> Said:
        return Tr(_CTX, AGAIN)

    def print_text(self) -> Said:
        return Tr(_CTX, PRINT)

    def print_job(self) -> Callable[[], object] | None:
        """The blocking call that prints the slip of what is shown (None: no print)."""
        return None

    # -- rendering ---------------------------------------------------------------------
    def _view_part(self, part: str) -> str:
        view = self.view()
        if view is None:
            return ""
        return view.title if part == "title" else view.text()

    def print_status_text(self) -> Said:
        if self.print_state == "printing":
            return Tr(_CTX, PRINTING)
        if self.printer_problem is not None:
            return Msg(self.printer_problem)
        if self.print_state == "printed":
            return Tr(_CTX, PRINTED)
        if self.print_state is not None:
            return Msg(self.print_state)
        return None

    def update_state(self) -> None:
        view = self.view()
        if view is not None:
            self.set_tone(self.outcome, view.tone)
        self.print_button.setEnabled(self.print_state != "printing"
                                     and self.printer_problem is None)
        self.slip.set_state(self.print_state)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.body.set_orientation(panel_orientation(self.window_))
        super().resizeEvent(event)

    def on_enter(self) -> None:
        if self.print_state != "printing":
            self.print_state = None  # a new result: no status of an earlier slip
        self.printer_problem = self.flow.printer_problem()
        self.refresh()

    def _devices_changed(self, _status: object = None) -> None:
        problem = self.flow.printer_problem()
        if problem is None and self.printer_problem is not None \
                and self.print_state not in ("printing", "printed"):
            self.print_state = None  # the printer is back: its old failure is moot
        self.printer_problem = problem
        self.refresh()

    # -- printing ----------------------------------------------------------------------
    def print_slip(self) -> None:
        job = self.print_job()
        if job is None or self.print_state == "printing":
            return
        self.flow.print_in_background(job, self._printing)

    def _printing(self, state: str) -> None:
        self.print_state = state
        if state == "printing":
            self.refresh()
        else:  # the printer's own problem may have changed with the print
            self._devices_changed()
