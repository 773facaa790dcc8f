"""The confirm step: what is about to happen (a sentence and the rows of a view
model), then "confirm" or "cancel". Used before anything that cannot be undone (a
payment, a certificate issued on paper).

A service subclass returns its texts and `view()`, and acts in `accepted()` /
`declined()` (by default: the signals of the same names; cancel goes back to the
service's entry screen).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout

from kiosk.services.views import ResultView
from ui.widgets.buttons import make_button
from ui.widgets.scroll_column import scrolling

from .base import FlowScreen, Said
from .flow import ServiceFlow
from .text import Tr

if TYPE_CHECKING:
    from ui.main_window import MainWindow

_CTX = "ConfirmScreen"
TITLE = QT_TRANSLATE_NOOP("ConfirmScreen", "Please check and confirm")
CONFIRM = QT_TRANSLATE_NOOP("ConfirmScreen", "Confirm")
CANCEL = QT_TRANSLATE_NOOP("ConfirmScreen", "Cancel")


class ConfirmScreen(FlowScreen):
    idle_kind = "form"
    confirmed = Signal()
    cancelled = Signal()

    def __init__(self, window: MainWindow, flow: ServiceFlow) -> None:
        super().__init__(window, flow)
        self.title = self.bind(self.title_label("label.title"), self.title_text)
        self.body = self.bind(self.text_label("label.body"), self.body_text, hide_empty=True)
        self.details = self.bind(self.text_label("label.details"), self._details)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        for w in (self.title, self.body):
            self.layout_.addWidget(w)
        # Long detail rows scroll instead of growing the screen past the panel.
        self.layout_.addWidget(scrolling(self.details, "area.details", units=window.units), 1)
        self.cancel = self.bind(make_button("", "action.cancel", role="secondary"),
                                self.cancel_text)
        self.ok = self.bind(make_button("", "action.confirm", role="primary"),
                            self.confirm_text)
        self.cancel.clicked.connect(self.declined)
        self.ok.clicked.connect(self.accepted)
        self.mark_secondary(self.cancel)  # simple mode: behind "More"
        row = QHBoxLayout()
        row.addWidget(self.cancel)
        row.addWidget(self.ok)
        self.layout_.addLayout(row)
        self.refresh()

    def title_text(self) -> Said:
        return Tr(_CTX, TITLE)

    def body_text(self) -> Said:
        return None

    def view(self) -> ResultView | None:
        return None

    def confirm_text(self) -> Said:
        return Tr(_CTX, CONFIRM)

    def cancel_text(self) -> Said:
        return Tr(_CTX, CANCEL)

    def _details(self) -> str:
        view = self.view()
        return "" if view is None else view.text()

    def accepted(self) -> None:
        if not self.flow.busy:
            self.confirmed.emit()

    def declined(self) -> None:
        self.cancelled.emit()
        self.flow.go(self.flow.spec.entry_screen)

    def update_state(self) -> None:
        self.ok.setEnabled(not self.flow.busy)
