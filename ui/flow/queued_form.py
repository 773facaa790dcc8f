"""The queued form (kit): a form screen whose submission is queued with a derived
number (kiosk.services.queued_form), then the saved screen with that number, the
details and the slip printing. The same ending online and offline.

A service subclasses `QueuedFormFlow` (sets `queued_screen`, `errors` and `submit`,
which passes the service call to `submit_with`), `QueuedFormScreen` (its fields and
texts; `intro_text()` above the form) and `QueuedSlipScreen` (its sentences). Once a
submission is saved, the form starts empty the next time it shows.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import Qt

from kiosk.services.queued_form import QueuedForm
from kiosk.services.views import pick
from ui.widgets.scroll_column import scrolling

from .base import Said
from .flow import ServiceFlow
from .form import FormScreen
from .notice import QueuedScreen
from .text import Plain

if TYPE_CHECKING:
    from ui.main_window import MainWindow


class QueuedFormFlow(ServiceFlow):
    queued_screen: ClassVar[str]  # the saved screen's id

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        # Set once a submission is saved: the form starts empty the next time it shows.
        self.clear_form = False
        self.last: Any = None  # the last QueuedForm

    def submit(self, values: dict[str, str]) -> None:
        """Call the service with the form's values through `submit_with`."""
        raise NotImplementedError

    def submit_with(self, call: Callable[[], QueuedForm]) -> None:
        """Run the service's (blocking) submit in the background; on success show the
        saved screen, record it was seen and print the slip."""
        self.set_error(None)
        self.run(call, self._queued)

    def _queued(self, queued: QueuedForm) -> None:
        self.last = queued
        self.clear_form = True
        service, lang = self.service, self.lang()
        self.accept_queued(queued.record_uuid, self.queued_screen,
                           lambda: service.confirm_shown(queued),
                           lambda: service.print_slip(queued, lang))


class QueuedFormScreen(FormScreen):
    """The form: the service's error (`label.error`) and an introduction
    (`label.instruction`) above the fields."""

    flow: QueuedFormFlow

    def __init__(self, window: MainWindow, flow: QueuedFormFlow) -> None:
        super().__init__(window, flow)
        self.error = self.bind(self.text_label("label.error", role="error"),
                               lambda: flow.error, hide_empty=True)
        self.layout_.insertWidget(1, self.error)
        self.intro = self.bind(self.text_label("label.instruction"), self.intro_text)
        self.layout_.insertWidget(1, self.intro)
        self.refresh()

    def intro_text(self) -> Said:
        return None

    def on_enter(self) -> None:
        if self.flow.clear_form:
            self.flow.clear_form = False
            for edit in self.inputs.values():
                edit.clear()
            self.errors.clear()
            self.choices = {f.name: f.choices[0] for f in self.fields if f.choices}
        super().on_enter()

    def submit(self, values: dict[str, str]) -> dict[str, str]:
        self.flow.submit(values)
        return {}


class QueuedSlipScreen(QueuedScreen):
    """Saved: the number (`label.reference`, "<number label>: <number>"), the rows the
    service's `view` builds (`label.details`) and the slip's state."""

    flow: QueuedFormFlow

    def add_details(self) -> None:
        super().add_details()
        self.details = self.bind(self.text_label("label.details"), self._details)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        # Long detail rows scroll instead of growing the screen past the panel.
        self.texts.addWidget(scrolling(self.details, "area.details",
                                       units=self.window_.units), 1)

    def reference_text(self) -> Said:
        queued, service = self.flow.last, self.flow.service
        if queued is None or service is None:
            return None
        return Plain(f"{pick(service.number_label, self.lang())}: {queued.number}")

    def _details(self) -> Said:
        queued, service = self.flow.last, self.flow.service
        if queued is None or service is None:
            return None
        return service.view(queued, self.lang()).text()
