"""FlowScreen: a screen of a service flow whose every text is rendered from state.

A screen binds each widget to a provider: a function that returns what the widget
should say now (a `ui.flow.text` Text, a string from `self.tr(...)`, or None). `refresh()`
renders every binding; it runs on LanguageChange, when the flow's state changes and
when the screen is shown. Nothing is ever set once and forgotten, so a language switch
re-renders run-time texts too.

Simple (elderly) mode, issue #13: one action per screen. A kit screen marks its
secondary actions (`mark_secondary`); while the window is in simple mode they are
dropped (the top bar's Back and Home do the same) or wait behind one "更多 / More"
button (`action.more`) that shows them for this visit of the screen.

Kit base classes name their own translation context explicitly (`QCoreApplication.
translate("QueuedScreen", ...)` or `Tr`): `self.tr()` in a base class would look up the
subclass's context, which lupdate never wrote.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar, Union

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import QAbstractButton, QBoxLayout, QLabel, QLayout, QWidget

from ui.screens.base import Screen
from ui.theme import set_style_property
from ui.widgets.buttons import make_button

from .flow import ServiceFlow
from .text import is_text, render

if TYPE_CHECKING:
    from ui.main_window import MainWindow

    from .text import Text

Said = Union["Text", str, None]
Provider = Callable[[], Said]
W = TypeVar("W", bound=QWidget)

_CTX = "FlowScreen"
MORE = QT_TRANSLATE_NOOP("FlowScreen", "More")
MORE_NAME = QT_TRANSLATE_NOOP("FlowScreen", "More actions")


def _box_holding(root: QLayout, widget: QWidget) -> QBoxLayout | None:
    """The box layout under `root` that holds `widget` (kit screens nest layouts)."""
    if isinstance(root, QBoxLayout) and root.indexOf(widget) >= 0:
        return root
    for i in range(root.count()):
        item = root.itemAt(i)
        child = item.layout() if item is not None else None
        found = _box_holding(child, widget) if child is not None else None
        if found is not None:
            return found
    return None


class FlowScreen(Screen):
    idle_kind = "reading"
    accepts_scans = True  # the main window routes scans; see MainWindow.deliver_scan

    def __init__(self, window: MainWindow, flow: ServiceFlow) -> None:
        super().__init__(window)
        self.flow = flow
        self.service_id = flow.service_id
        self._bindings: list[tuple[QWidget, Provider, bool]] = []
        # Simple mode: (widget, dropped rather than behind More, only when this says so).
        self._secondary: list[tuple[QWidget, bool, Callable[[], bool] | None]] = []
        self._wish: dict[QWidget, bool] = {}  # hide_empty widgets: shown by their text?
        self._more_open = False
        self.more_button: QAbstractButton | None = None
        flow.changed.connect(self._flow_changed)
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
        if self.retired:  # a late signal of the ended session: nothing left to show
            return
        for widget, provider, hide_empty in self._bindings:
            text = self.say(provider())
            if isinstance(widget, QAbstractButton):
                widget.setText(text)
                widget.setAccessibleName(text.replace("\n", " "))
            elif isinstance(widget, QLabel):
                widget.setText(text)
            if hide_empty:
                self._wish[widget] = bool(text)
                widget.setVisible(bool(text))
        self.update_state()
        self.apply_simple()

    # -- simple mode -------------------------------------------------------------------
    @property
    def simple(self) -> bool:
        """The window is in simple (elderly) mode (ui/elderly.py)."""
        return bool(getattr(self.window_, "simple", False))

    def mark_secondary(self, widget: W, *, drop: bool = False,
                       when: Callable[[], bool] | None = None) -> W:
        """In simple mode `widget` is dropped (`drop`) or waits behind "More"; with
        `when`, only while `when()` says another action is the screen's one. A marked
        widget's own visibility comes from its binding (`hide_empty`) or is "shown"."""
        self._secondary.append((widget, drop, when))
        return widget

    def apply_simple(self) -> None:
        """Show or hide the marked actions for the current mode (after each refresh,
        and when the mode changes)."""
        if not self._secondary:
            return
        simple = self.simple
        behind_more: list[QWidget] = []
        for widget, drop, when in self._secondary:
            wanted = self._wish.get(widget, True)
            secondary = simple and (when is None or when())
            if secondary and wanted and not drop and not self._more_open:
                behind_more.append(widget)
            widget.setVisible(wanted and not (secondary and (drop or not self._more_open)))
        if behind_more and self.more_button is None:
            self._make_more(behind_more[0])
        if self.more_button is not None:
            self.more_button.setVisible(bool(behind_more))

    def _make_more(self, first: QWidget) -> None:
        button = make_button("", "action.more", role="secondary")
        button.clicked.connect(self._open_more)
        self.more_button = button
        self._name_more()
        box = _box_holding(self.layout_, first)
        if box is None:
            self.layout_.addWidget(button)
        else:  # where the first hidden action stood
            box.insertWidget(box.indexOf(first), button)

    def _name_more(self) -> None:
        if self.more_button is not None:
            self.more_button.setText(QCoreApplication.translate(_CTX, str(MORE)))
            self.more_button.setAccessibleName(QCoreApplication.translate(_CTX, str(MORE_NAME)))

    def _open_more(self) -> None:
        """The "More" step: this screen's other actions, until it is left."""
        self._more_open = True
        self.apply_simple()

    def update_state(self) -> None:
        """Enabled states, style roles: whatever besides texts follows the state."""

    def _flow_changed(self) -> None:
        # Only the screen on show re-renders now; the others do in on_enter, when they
        # are shown. Re-rendering every screen of the flow on each change cost the GUI
        # thread ~4 ms between a scan and its result (gui_max_stall_ms, #9).
        if self.window_.stack.currentWidget() is self:
            self.refresh()

    def _busy_changed(self, _busy: bool) -> None:
        self._flow_changed()

    def retranslate(self) -> None:
        self._name_more()
        self.refresh()

    def retire(self) -> None:
        # The flow goes too (deleteLater), but its signals may still be queued.
        if self.retired:
            return
        super().retire()
        for signal, slot in ((self.flow.changed, self._flow_changed),
                             (self.flow.busy_changed, self._busy_changed)):
            try:
                signal.disconnect(slot)
            except RuntimeError:  # already gone with its flow
                pass

    def scan_not_taken(self, text: str, error: str | None,
                       unavailable: str | None = None) -> None:
        """A scan no service takes: this service explains, in its own words."""
        self.flow.handle_scan(text)

    def on_enter(self) -> None:
        self.refresh()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt API)
        if self._more_open:  # the next visit starts with the one action
            self._more_open = False
            self.apply_simple()
        super().hideEvent(event)

    @staticmethod
    def set_tone(label: QLabel, tone: str) -> None:
        """A headline's colour role from a view model's tone."""
        set_style_property(label, "role", "success" if tone == "good" else "warning")
