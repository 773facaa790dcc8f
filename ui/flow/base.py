"""FlowScreen: a screen of a service flow whose every text is rendered from state.

A screen binds each widget to a provider: a function that returns what the widget
should say now (a `ui.flow.text` Text, a string from `self.tr(...)`, or None). `refresh()`
renders every binding; it runs on LanguageChange, when the flow's state changes and
when the screen is shown. Nothing is ever set once and forgotten, so a language switch
re-renders run-time texts too.

Kit base classes name their own translation context explicitly (`QCoreApplication.
translate("QueuedScreen", ...)` or `Tr`): `self.tr()` in a base class would look up the
subclass's context, which lupdate never wrote.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar, Union

from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

from ui.screens.base import Screen
from ui.theme import set_style_property

from .flow import ServiceFlow
from .text import is_text, render

if TYPE_CHECKING:
    from ui.main_window import MainWindow

    from .text import Text

Said = Union["Text", str, None]
Provider = Callable[[], Said]
W = TypeVar("W", bound=QWidget)


class FlowScreen(Screen):
    idle_kind = "reading"
    accepts_scans = True  # the main window routes scans; see MainWindow.deliver_scan

    def __init__(self, window: MainWindow, flow: ServiceFlow) -> None:
        super().__init__(window)
        self.flow = flow
        self.service_id = flow.service_id
        self._bindings: list[tuple[QWidget, Provider, bool]] = []
        flow.changed.connect(self.refresh)
        flow.busy_changed.connect(self._busy_changed)

    def lang(self) -> str:
        return self.window_.language

    def say(self, value: Said) -> str:
        """The words for a provider's answer in the current language."""
        if value is None:
            return ""
        return render(value, self.lang()) if is_text(value) else str(value)

    def bind(self, widget: W, provider: Provider, *, hide_empty: bool = False) -> W:
        """Render `provider()` into `widget` on every refresh; a button's accessible
        name follows its text; with `hide_empty` the widget shows only with a text."""
        self._bindings.append((widget, provider, hide_empty))
        return widget

    def refresh(self) -> None:
        for widget, provider, hide_empty in self._bindings:
            text = self.say(provider())
            if isinstance(widget, QAbstractButton):
                widget.setText(text)
                widget.setAccessibleName(text.replace("\n", " "))
            elif isinstance(widget, QLabel):
                widget.setText(text)
            if hide_empty:
                widget.setVisible(bool(text))
        self.update_state()

    def update_state(self) -> None:
        """Enabled states, style roles: whatever besides texts follows the state."""

    def _busy_changed(self, _busy: bool) -> None:
        self.refresh()

    def retranslate(self) -> None:
        self.refresh()

    def scan_not_taken(self, text: str, error: str | None,
                       unavailable: str | None = None) -> None:
        """A scan no service takes: this service explains, in its own words."""
        self.flow.handle_scan(text)

    def on_enter(self) -> None:
        self.refresh()

    @staticmethod
    def set_tone(label: QLabel, tone: str) -> None:
        """A headline's colour role from a view model's tone."""
        set_style_property(label, "role", "success" if tone == "good" else "warning")
