"""Screens shared by the guidance services (issue #13): a search list and a detail
page over reference data prepared by a Qt-free service (kiosk.services.guidance).

- `GuidanceFlow`: loads the service's prepared data off the GUI thread whenever one
  of its screens is shown (the service rebuilds only when the inbox changed), keeps
  the query, the chosen tab and the chosen entry as state;
- `SearchScreen`: `field.search` (results update as the taxpayer types, from the
  on-screen keyboard too: a plain QLineEdit), optional tabs `tab.<key>`, the results
  `result.1` … `result.N` (a fixed pool of buttons, reused while typing),
  `label.empty`, and `label.cached`: when the data was synced (policy `cache`);
- `DetailScreen`: an OutcomeScreen for one entry (`label.outcome`, `label.details`,
  `action.print`), with `action.again` back to the list.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk.services.guidance import Snapshot, synced_label
from kiosk.services.views import ListItemView
from ui.flow.base import FlowScreen, Said
from ui.flow.flow import ServiceFlow
from ui.flow.outcome import OutcomeScreen
from ui.flow.text import Tr
from ui.widgets.buttons import make_button

if TYPE_CHECKING:
    from kiosk.services.catalogue import ServiceSpec
    from ui.main_window import MainWindow

_CTX = "GuidanceScreen"
CACHED = QT_TRANSLATE_NOOP("GuidanceScreen", "Information as of %1")
CACHED_OFFLINE = QT_TRANSLATE_NOOP(
    "GuidanceScreen", "Information as of %1 (saved on this terminal: the tax service cannot be reached now)")
NEVER = QT_TRANSLATE_NOOP(
    "GuidanceScreen", "This information has not been downloaded to this terminal yet. Please ask the hall staff.")
LOADING = QT_TRANSLATE_NOOP("GuidanceScreen", "Loading…")
NOTHING = QT_TRANSLATE_NOOP("GuidanceScreen", "Nothing found. Try other words or the first letters of the pinyin.")
SEARCH_HINT = QT_TRANSLATE_NOOP("GuidanceScreen", "Type words or pinyin initials, e.g. wszm")
BACK = QT_TRANSLATE_NOOP("GuidanceScreen", "Back to the list")
PRINT = QT_TRANSLATE_NOOP("GuidanceScreen", "Print")
MAX_RESULTS = 30


def _layout_of(root: QLayout, widget: QWidget) -> QBoxLayout | None:
    """The box layout under `root` that holds `widget` (the kit nests its layouts)."""
    if isinstance(root, QBoxLayout) and root.indexOf(widget) >= 0:
        return root
    for i in range(root.count()):
        item = root.itemAt(i)
        child = item.layout() if item is not None else None
        found = _layout_of(child, widget) if child is not None else None
        if found is not None:
            return found
    return None


def insert_after(root: QLayout, anchor: QWidget, widget: QWidget, stretch: int = 0) -> None:
    """Put `widget` right after `anchor`, wherever the kit placed it."""
    box = _layout_of(root, anchor)
    if box is None:
        root.addWidget(widget)
    else:
        box.insertWidget(box.indexOf(anchor) + 1, widget, stretch)


def replace_widget(root: QLayout, old: QWidget, new: QWidget, stretch: int = 1) -> None:
    """Put `new` where `old` is (`old` then lives inside `new`, e.g. a scroll area)."""
    box = _layout_of(root, old)
    if box is None:
        root.addWidget(new)
        return
    index = box.indexOf(old)
    box.removeWidget(old)
    box.insertWidget(index, new, stretch)


class GuidanceFlow(ServiceFlow):
    """A `cache` service's journey: its data loaded in the background, the query, the
    tab and the entry chosen."""

    def __init__(self, window: MainWindow, spec: ServiceSpec) -> None:
        super().__init__(window, spec)
        self.query = ""
        self.tab = ""
        self.selected: str | None = None
        self.snapshot: Snapshot[Any] | None = None
        self.load_failed = False
        self._inside = False
        window.screen_changed.connect(self._screen_changed)

    def _screen_changed(self, screen_id: str) -> None:
        """Coming back from another service (or home) starts a fresh search; moving
        between this service's own screens keeps the query and the tab."""
        inside = screen_id == self.spec.id or screen_id.startswith(self.spec.id + ".")
        if inside and not self._inside and (self.query or self.tab or self.selected):
            self.query, self.tab, self.selected = "", "", None
            self.changed.emit()
        self._inside = inside

    def load(self) -> None:
        """Bring the service's prepared data up to date (off the GUI thread)."""
        service = self.service
        if service is None or self.busy:
            return

        def done(snapshot: Snapshot[Any]) -> None:
            self.snapshot = snapshot
            self.load_failed = False
            self.changed.emit()

        def failed(_exc: BaseException) -> None:
            self.load_failed = True
            self.changed.emit()

        self.run(service.refresh, done, failed)

    def set_query(self, text: str) -> None:
        self.query = text
        self.changed.emit()

    def set_tab(self, tab: str) -> None:
        self.tab = tab
        self.query = ""
        self.changed.emit()

    def open_entry(self, key: str, screen_id: str) -> None:
        self.selected = key
        self.go(screen_id)
        self.changed.emit()

    def synced_at(self) -> datetime | None:
        return synced_label(self.snapshot)

    def online(self) -> bool:
        core = self.core
        return True if core is None else core.connectivity.online


def cached_text(flow: GuidanceFlow) -> Said:
    """When the shown data was synced, and that it is the saved copy while offline."""
    if flow.snapshot is None:
        return Tr(_CTX, LOADING) if not flow.load_failed else Tr(_CTX, NEVER)
    when = flow.synced_at()
    if when is None:
        return Tr(_CTX, NEVER)
    stamp = when.strftime("%Y-%m-%d %H:%M")
    return Tr(_CTX, CACHED if flow.online() else CACHED_OFFLINE, (stamp,))


class SearchScreen(FlowScreen):
    """A search over a service's entries. Subclasses give `results()` (for
    `flow.query` and `flow.tab`), `tabs()`, texts, and `opened(key)`."""

    flow: GuidanceFlow
    searchable: ClassVar[bool] = True

    def __init__(self, window: MainWindow, flow: GuidanceFlow) -> None:
        super().__init__(window, flow)
        self.title = self.bind(self.title_label("label.title"), self.title_text)
        self.cached = self.bind(self.text_label("label.cached", role="muted"),
                                lambda: cached_text(self.flow))
        self.intro = self.bind(self.text_label("label.body"), self.intro_text, hide_empty=True)
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.cached)
        self.layout_.addWidget(self.intro)
        self.tab_buttons: dict[str, QPushButton] = {}
        tabs = self.tabs()
        if tabs:
            row = QHBoxLayout()
            for key, _label in tabs:
                button = make_button("", f"tab.{key}", role="secondary")
                button.setCheckable(True)
                button.clicked.connect(partial(self._tab, key))
                self.bind(button, partial(self._tab_label, key))
                self.tab_buttons[key] = button
                row.addWidget(button)
            self.layout_.addLayout(row)
            if not flow.tab:
                flow.tab = tabs[0][0]
        self.search = QLineEdit()
        self.search.setObjectName("field.search")
        self.search.setMaxLength(60)
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._typed)
        self.search.setVisible(self.searchable)
        self.layout_.addWidget(self.search)
        self.extra_top()
        self.empty = self.bind(self.text_label("label.empty", role="subtitle"),
                               self._empty_text, hide_empty=True)
        self.layout_.addWidget(self.empty)
        holder = QWidget()
        self.results_box = QVBoxLayout(holder)
        self.results_box.setContentsMargins(0, 0, 0, 0)
        self.result_buttons: list[QPushButton] = []
        for n in range(1, MAX_RESULTS + 1):
            button = make_button("", f"result.{n}", role="secondary")
            button.setStyleSheet("text-align: left;")
            button.clicked.connect(partial(self._tapped, n - 1))
            button.hide()
            self.results_box.addWidget(button)
            self.result_buttons.append(button)
        self.results_box.addStretch(1)
        self.results_area = QScrollArea()
        self.results_area.setObjectName("area.results")
        self.results_area.setWidget(holder)
        self.results_area.setWidgetResizable(True)
        self.results_area.setFrameShape(QFrame.Shape.NoFrame)
        self.results_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.layout_.addWidget(self.results_area, 1)
        self.extra_bottom()
        self._shown: list[ListItemView] = []
        self.refresh()

    # -- hooks -------------------------------------------------------------------------
    def title_text(self) -> Said:
        return None

    def intro_text(self) -> Said:
        return None

    def search_hint(self) -> str:
        return self.say(Tr(_CTX, SEARCH_HINT))

    def tabs(self) -> list[tuple[str, Said]]:
        return []

    def results(self) -> list[ListItemView]:
        return []

    def empty_text(self) -> Said:
        return Tr(_CTX, NOTHING)

    def opened(self, key: str) -> None:
        """An entry was tapped."""

    def extra_top(self) -> None:
        """Widgets between the search field and the results (subclasses)."""

    def extra_bottom(self) -> None:
        """Widgets under the results (subclasses)."""

    # -- behaviour ---------------------------------------------------------------------
    def _typed(self, text: str) -> None:
        if text != self.flow.query:
            self.flow.set_query(text)

    def _tab_label(self, key: str) -> Said:
        return dict(self.tabs()).get(key)

    def _tab(self, key: str, _checked: bool = False) -> None:
        self.flow.set_tab(key)

    def _tapped(self, index: int, _checked: bool = False) -> None:
        if index < len(self._shown):
            self.opened(self._shown[index].key)

    def _empty_text(self) -> Said:
        if self.flow.snapshot is None:
            return None
        return None if self._shown else self.empty_text()

    def refresh(self) -> None:
        if self.tab_buttons and not self.flow.tab:  # a fresh start: the first tab
            self.flow.tab = next(iter(self.tab_buttons))
        self._shown = self.results()[:MAX_RESULTS] if self.flow.snapshot is not None else []
        for n, button in enumerate(self.result_buttons):
            if n < len(self._shown):
                item = self._shown[n]
                text = f"{item.title}\n{item.summary}" if item.summary else item.title
                button.setText(text)
                button.setAccessibleName(text.replace("\n", " "))
                button.show()
            else:
                button.hide()
        if self.search.text() != self.flow.query:
            self.search.setText(self.flow.query)
        self.search.setPlaceholderText(self.search_hint())
        self.search.setAccessibleName(self.search_hint())
        for key, button in self.tab_buttons.items():
            button.setChecked(key == self.flow.tab)
        super().refresh()

    def on_enter(self) -> None:
        self.flow.load()
        super().on_enter()
        if self.searchable:
            self.search.setFocus()


class DetailScreen(OutcomeScreen):
    """One entry: the view of `flow.selected`; back goes to the list."""

    flow: GuidanceFlow
    list_screen: ClassVar[str] = ""

    def __init__(self, window: MainWindow, flow: ServiceFlow) -> None:
        super().__init__(window, flow)
        self.again.clicked.disconnect()
        self.again.clicked.connect(lambda: self.flow.go(self.list_screen or
                                                        self.flow.spec.entry_screen))
        self.entry_actions: list[QPushButton] = []
        # Simple mode: an entry's own action (open the service) is the one; print waits
        # behind "More" while there is one.
        self.mark_secondary(self.print_button,
                            when=lambda: any(b.text() for b in self.entry_actions))

    def again_text(self) -> Said:
        return Tr(_CTX, BACK)

    def print_text(self) -> Said:
        return Tr(_CTX, PRINT)

    def add_action(self, name: str, provider: Callable[[], Said],
                   slot: Callable[[], None], role: str = "primary") -> QPushButton:
        """A button under the details (before the print status)."""
        button = self.bind(make_button("", name, role=role), provider,  # type: ignore[arg-type]
                           hide_empty=True)
        button.clicked.connect(slot)
        insert_after(self.layout_, self.details, button)
        self.entry_actions.append(button)
        return button

    def on_enter(self) -> None:
        self.flow.load()
        super().on_enter()

