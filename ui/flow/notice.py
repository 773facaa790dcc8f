"""Notice screens: a title, a paragraph and one way on. `QueuedScreen` says a request
was accepted offline, shows its short reference and how its slip is printing;
`PendingScreen` says a slip's result has not come back yet.

A service subclasses them, sets `screen_id` and returns its own sentences from
`title_text()`, `body_text()` and `again_text()` (with `self.tr`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QVBoxLayout

from kiosk.services.views import short_reference
from ui.theme import set_style_property
from ui.widgets.adaptive import OrientationBox, panel_orientation
from ui.widgets.busy import SlipTray
from ui.widgets.buttons import make_button

from .base import FlowScreen, Said
from .flow import ServiceFlow
from .text import Msg, Tr, join

if TYPE_CHECKING:
    from ui.main_window import MainWindow

_CTX = "QueuedScreen"
REFERENCE = QT_TRANSLATE_NOOP("QueuedScreen", "Reference: %1")
PRINTING = QT_TRANSLATE_NOOP("QueuedScreen", "Printing your slip…")
PRINTED = QT_TRANSLATE_NOOP("QueuedScreen", "Your slip has been printed. Please take it.")
WRITE_DOWN = QT_TRANSLATE_NOOP("QueuedScreen", "Please write down the reference above.")
TITLE = QT_TRANSLATE_NOOP("QueuedScreen", "Request accepted")
AGAIN = QT_TRANSLATE_NOOP("QueuedScreen", "Start again")


class NoticeScreen(FlowScreen):
    def __init__(self, window: MainWindow, flow: ServiceFlow) -> None:
        super().__init__(window, flow)
        self.title = self.bind(self.title_label("label.title"), self.title_text)
        self.body = self.bind(self.text_label("label.body"), self.body_text)
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.body)
        self.add_details()
        self.layout_.addStretch(1)
        self.again = self.bind(make_button("", "action.again", role="secondary"),
                               self.again_text)
        self.again.clicked.connect(lambda: flow.go(flow.spec.entry_screen))
        self.layout_.addWidget(self.again)
        self.refresh()

    def add_details(self) -> None:
        """Widgets between the paragraph and the button (subclasses)."""

    def title_text(self) -> Said:
        return Tr(_CTX, TITLE)

    def body_text(self) -> Said:
        return None

    def again_text(self) -> Said:
        return Tr(_CTX, AGAIN)


class QueuedScreen(NoticeScreen):
    """Reads `flow.queued_reference` and `flow.queued_print` (ServiceFlow.accept_queued)."""

    def add_details(self) -> None:
        self.reference = self.bind(self.text_label("label.reference", role="subtitle"),
                                   self.reference_text, hide_empty=True)
        self.print_status = self.bind(self.text_label("label.print_status"),
                                      self.print_text, hide_empty=True)
        # The reference a person may have to write down: large, in groups of 4.
        set_style_property(self.reference, "textsize", "title")
        # The texts (subclasses add theirs to `texts`) beside the slip in landscape, above
        # it in portrait: stacked, a receipt's rows and the tray are taller than the
        # landscape panel.
        self.texts = QVBoxLayout()
        self.texts.addWidget(self.reference)
        self.texts.addWidget(self.print_status)
        # Where the slip with the reference comes out, while and after it prints.
        self.slip = SlipTray(units=self.window_.units)
        self.slip_box = OrientationBox()
        self.slip_box.addLayout(self.texts, 1)
        self.slip_box.addWidget(self.slip, 1)
        self.slip_box.setAlignment(self.texts, Qt.AlignmentFlag.AlignTop)
        self.slip_box.set_orientation(panel_orientation(self.window_))
        self.layout_.addLayout(self.slip_box, 1)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.slip_box.set_orientation(panel_orientation(self.window_))
        super().resizeEvent(event)

    def update_state(self) -> None:
        self.slip.set_state(self.flow.queued_print if self.flow.queued_reference else None)

    def reference_text(self) -> Said:
        ref = self.flow.queued_reference
        return Tr(_CTX, REFERENCE, (short_reference(ref),)) if ref else None

    def print_text(self) -> Said:
        state = self.flow.queued_print
        if not self.flow.queued_reference or not state:
            return None
        if state == "printing":
            return Tr(_CTX, PRINTING)
        if state == "printed":
            return Tr(_CTX, PRINTED)
        return join(Msg(state), Tr(_CTX, WRITE_DOWN))


class PendingScreen(NoticeScreen):
    """A request whose result has not come back yet."""
