"""The choice screen: a title, one line of what to do, the flow's error
(`label.error`), then one big button per way on (a sign-in method, a kind of
certificate), each optionally with a note under it saying why it cannot be used now.

A service subclass returns `choices()` (key and automation name of each button, fixed
for the screen's life), `choice_text(key)`, and acts in `chose(key)`; `offered(key)`
hides a choice, `usable(key)` greys it; with `with_notes`, `choice_note(key)`
explains it (`label.unavailable.<key>`). Every button is greyed while the flow is busy.
"""
from __future__ import annotations

from collections.abc import Hashable, Sequence
from functools import partial
from typing import TYPE_CHECKING, ClassVar, Literal

from PySide6.QtWidgets import QLabel, QPushButton

from ui.widgets.buttons import make_button
from ui.widgets.wrap_button import WrapButton

from .base import FlowScreen, Said
from .flow import ServiceFlow

if TYPE_CHECKING:
    from ui.main_window import MainWindow


class ChoiceScreen(FlowScreen):
    intro_name: ClassVar[str] = "label.instruction"  # the line under the title
    choice_role: ClassVar[Literal["primary", "secondary"]] = "secondary"
    # Long two-line choices (a name and what it is for) wrap, aligned left.
    choice_wrap: ClassVar[bool] = False
    with_notes: ClassVar[bool] = False  # a note under each choice (`choice_note`)

    def __init__(self, window: MainWindow, flow: ServiceFlow) -> None:
        super().__init__(window, flow)
        self.title = self.bind(self.title_label("label.title"), self.title_text)
        self.intro = self.bind(self.text_label(self.intro_name, role="subtitle"),
                               self.intro_text, hide_empty=True)
        self.error = self.bind(self.text_label("label.error", role="error"),
                               lambda: flow.error, hide_empty=True)
        for widget in (self.title, self.intro, self.error):
            self.layout_.addWidget(widget)
        self.choice_buttons: dict[Hashable, QPushButton] = {}
        self.choice_notes: dict[Hashable, QLabel] = {}
        for key, name in self.choices():
            button = self.bind(self._make_choice(name), partial(self.choice_text, key))
            button.clicked.connect(partial(self._tapped, key))
            self.layout_.addWidget(button)
            self.choice_buttons[key] = button
            if not self.with_notes:
                continue
            note_name = f"label.unavailable.{getattr(key, 'value', key)}"
            note = self.bind(self.text_label(note_name, role="warning"),
                             partial(self.choice_note, key), hide_empty=True)
            self.layout_.addWidget(note)
            self.choice_notes[key] = note
        self.layout_.addStretch(1)

    def _make_choice(self, name: str) -> QPushButton:
        if not self.choice_wrap:
            return make_button("", name, role=self.choice_role)
        button = make_button("", name, role=self.choice_role, cls=WrapButton)
        button.setStyleSheet("text-align: left;")
        return button

    # -- hooks -------------------------------------------------------------------------
    def title_text(self) -> Said:
        return None

    def intro_text(self) -> Said:
        return None

    def choices(self) -> Sequence[tuple[Hashable, str]]:
        """(key, automation name) of each button, in order."""
        return ()

    def choice_text(self, key: Hashable) -> Said:
        return None

    def choice_note(self, key: Hashable) -> Said:
        """Why `key` cannot be used now (None: nothing to say)."""
        return None

    def offered(self, key: Hashable) -> bool:
        return True

    def usable(self, key: Hashable) -> bool:
        return True

    def chose(self, key: Hashable) -> None:
        """A choice was tapped."""

    # -- behaviour ---------------------------------------------------------------------
    def _tapped(self, key: Hashable, _checked: bool = False) -> None:
        self.chose(key)

    def update_state(self) -> None:
        for key, button in self.choice_buttons.items():
            offered = self.offered(key)
            button.setVisible(offered)
            button.setEnabled(offered and self.usable(key) and not self.flow.busy)
            if not offered and key in self.choice_notes:
                self.choice_notes[key].setVisible(False)


__all__ = ["ChoiceScreen"]
