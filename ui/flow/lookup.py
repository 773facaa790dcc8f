"""The look-up pieces of the flow kit: a flow that fetches the identified taxpayer's
own records when its entry screen shows, and a list/detail screen around it.

`LookupFlow.fetch()` (a service subclass returns the blocking call) runs on the pool
each time the entry screen is entered; the answer is `result`, a failure `error` (a
message code: service.network, session.expired, ...). After `session.expired` the
core has forgotten who was identified, so the screen offers `action.sign_in`, which
opens the service again through the identity gate.

`LookupListScreen` adds to `ListDetailScreen`: a headline (`label.headline`, e.g. the
total owed) and rows under it (`label.summary`), "please wait" (`label.status`), the error (`label.error`), "look up
again" (`action.refresh`) and the print action with its status (`action.print`,
`label.print_status`); subclasses return `items()`, `headline_text()`, `summary_text()` and `print_job()`.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtWidgets import QHBoxLayout

from kiosk.services.taxpayer_lookup import LookupFailed
from kiosk.services.views import ResultView
from ui.theme import set_style_property
from ui.widgets.buttons import make_button

from .base import Said
from .flow import ServiceFlow
from .list_detail import ListDetailScreen
from .text import Msg, Plain, Text, Tr

if TYPE_CHECKING:
    from ui.main_window import MainWindow

_CTX = "LookupListScreen"
WAIT = QT_TRANSLATE_NOOP("LookupListScreen", "Looking this up with the tax service…")
REFRESH = QT_TRANSLATE_NOOP("LookupListScreen", "Look up again")
SIGN_IN = QT_TRANSLATE_NOOP("LookupListScreen", "Sign in again")
PRINT = QT_TRANSLATE_NOOP("LookupListScreen", "Print a slip")
PRINTING = QT_TRANSLATE_NOOP("LookupListScreen", "Printing…")
PRINTED = QT_TRANSLATE_NOOP("LookupListScreen", "Slip printed. Please take it.")


class LookupFlow(ServiceFlow):
    """Holds one look-up's answer for the session; `fetch()` returns the blocking call."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.result: Any = None
        self.error_code: str | None = None

    def fetch(self) -> Callable[[], Any] | None:
        """The blocking call that answers this look-up (None: no service)."""
        return None

    def load(self) -> None:
        work = self.fetch()
        if work is None:
            return
        self.error_code = None
        self.error = None

        def done(result: Any) -> None:
            self.result = result
            self.changed.emit()

        def failed(exc: BaseException) -> None:
            text = self.error_text(exc)
            self.error_code = text.code if isinstance(text, Msg) else None
            self.result = None
            self.set_error(text)

        if self.run(work, done, failed):
            self.changed.emit()

    @property
    def signed_out(self) -> bool:
        """The central ended the session: the taxpayer must sign in again."""
        return self.error_code in ("session.expired", "lookup.identify")

    def sign_in_again(self) -> None:
        self.window_.open_service(self.service_id)


class LookupListScreen(ListDetailScreen):
    flow: LookupFlow

    def __init__(self, window: MainWindow, flow: LookupFlow) -> None:
        super().__init__(window, flow)
        self.print_state: str | None = None
        self.headline = self.bind(self.text_label("label.headline", role="success"),
                                  self.headline_text, hide_empty=True)
        set_style_property(self.headline, "textsize", "title")
        self.status = self.bind(self.text_label("label.status", role="subtitle"),
                                lambda: Tr(_CTX, WAIT) if flow.busy else None,
                                hide_empty=True)
        self.error = self.bind(self.text_label("label.error", role="error"),
                               lambda: flow.error, hide_empty=True)
        self.summary = self.bind(self.text_label("label.summary"), self.summary_text,
                                 hide_empty=True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        for i, widget in enumerate((self.headline, self.status, self.error, self.summary), 1):
            self.layout_.insertWidget(i, widget)
        self.print_status = self.bind(self.text_label("label.print_status", role="subtitle"),
                                      self._print_status, hide_empty=True)
        self.layout_.addWidget(self.print_status)
        self.action_row = QHBoxLayout()
        self.refresh_button = self.bind(make_button("", "action.refresh", role="secondary"),
                                        self._refresh_text)
        self.refresh_button.clicked.connect(self._refresh_tapped)
        self.action_row.addWidget(self.refresh_button)
        self.add_actions(self.action_row)
        self.print_button = self.bind(make_button("", "action.print", role="primary"),
                                      self.print_text)
        self.print_button.clicked.connect(self.print_slip)
        self.action_row.addWidget(self.print_button)
        self.layout_.addLayout(self.action_row)
        self.refresh()

    # -- hooks -------------------------------------------------------------------------
    def result_view(self) -> ResultView | None:
        """The looked-up result as one view (its title the headline, its rows the
        summary), or None; screens with a single result override only this."""
        return None

    def _shown_view(self) -> ResultView | None:
        try:
            return self.result_view()
        except LookupFailed:  # the session ended under the screen: a repaint never raises
            return None

    def headline_text(self) -> Said:
        view = self._shown_view()
        return None if view is None else Plain(view.title)

    def summary_text(self) -> Said:
        """Rows shown above the list (a ResultView's `text()`), or None."""
        view = self._shown_view()
        return None if view is None else Plain(view.text())

    def headline_tone(self) -> str:
        view = self._shown_view()
        return "good" if view is None else view.tone

    def print_text(self) -> Said:
        return Tr(_CTX, PRINT)

    def print_job(self) -> Callable[[], object] | None:
        """The blocking call that prints what is shown (None: nothing to print)."""
        return None

    def add_actions(self, row: QHBoxLayout) -> None:
        """More buttons, between "look up again" and "print"."""

    def empty_text(self) -> Said:
        flow = self.flow
        if flow.result is None:
            return None  # still loading, or the error says why
        return super().empty_text()

    # -- behaviour ---------------------------------------------------------------------
    def _refresh_text(self) -> Text:
        return Tr(_CTX, SIGN_IN if self.flow.signed_out else REFRESH)

    def _refresh_tapped(self) -> None:
        if self.flow.signed_out:
            self.flow.sign_in_again()
        else:
            self.print_state = None
            self.flow.load()

    def _print_status(self) -> Said:
        state = self.print_state
        if state is None:
            return None
        if state == "printing":
            return Tr(_CTX, PRINTING)
        if state == "printed":
            return Tr(_CTX, PRINTED)
        return Msg(state)

    def print_slip(self) -> None:
        job = self.print_job()
        if job is None or self.print_state == "printing":
            return
        self.flow.print_in_background(job, self._printing)

    def _printing(self, state: str) -> None:
        self.print_state = state
        self.refresh()

    def update_state(self) -> None:
        if not hasattr(self, "print_button"):
            return  # the base class refreshes before the buttons exist
        idle = not self.flow.busy
        self.refresh_button.setEnabled(idle)
        self.print_button.setVisible(self.flow.result is not None)
        self.print_button.setEnabled(idle and self.print_state != "printing"
                                     and self.print_job() is not None)
        self.set_tone(self.headline, self.headline_tone())

    def on_enter(self) -> None:
        self.print_state = None
        super().on_enter()
        if not self.flow.busy:
            self.flow.load()
