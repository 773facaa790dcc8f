"""The on-screen keyboard for free text: Qt Virtual Keyboard's InputPanel, docked at the
bottom of the main window (issue #13 §3).

A kiosk has no keyboard and no system input method. Qt Virtual Keyboard (shipped with
PySide6) is Qt's input method plugin: with QT_IM_MODULE=qtvirtualkeyboard set before the
QApplication exists (kiosk/launcher.py, tests/conftest.py), a text field's input method
is the plugin, and the plugin draws into whatever InputPanel item the application made.
Here that item lives in a QQuickWidget inside the main window, so no second top-level
window ever appears (virtual_keyboard.qml).

Which field gets it: a focused, editable QLineEdit / QTextEdit / QPlainTextEdit, unless
a visible in-app keypad (ui/widgets/keypad.py) types into it: digit fields keep their
keypad. Qt's own "show the panel on a tap" (autoSipEnabled) is off so that this rule is
the only one. The dock shows while the input method is visible and hides otherwise.

Languages: zh_CN (Pinyin, with its candidate bar) and en_US, following the session
language. Every served field is marked Qt.ImhSensitiveData: the Pinyin engine then
keeps no user dictionary, so nothing one taxpayer typed is offered to the next
(qtvirtualkeyboard src/plugins/pinyin/pinyininputmethod.cpp).

Offscreen (tests, CI): the offscreen platform has no OpenGL, so Qt Quick picks its
software renderer by itself; the panel renders and takes synthetic mouse events there.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Final

import shiboken6
from PySide6.QtCore import (
    QAbstractItemModel,
    QCoreApplication,
    QEvent,
    QObject,
    QPoint,
    QPointF,
    QSizeF,
    QStandardPaths,
    Qt,
    QTimer,
    QUrl,
)
from PySide6.QtGui import QGuiApplication, QResizeEvent
from PySide6.QtQml import QQmlEngine
from PySide6.QtQuick import QQuickItem
from PySide6.QtQuickWidgets import QQuickWidget
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QWidget,
)

from kiosk import log
from ui.units import Units, current_units

# What decides whether a field needs the keyboard is in keyboard_dock, which loads no
# Qt Quick: the window mounts this keyboard only when a field first needs it.
from ui.widgets.keyboard_dock import (  # noqa: F401 (re-exported)
    IM_MODULE,
    TEXT_WIDGETS,
    available,
    keypad_serves,
    wants_keyboard,
)

QML: Final = Path(__file__).with_name("virtual_keyboard.qml")
LOCALES: Final = {"zh": "zh_CN", "en": "en_US"}
# The widest the keyboard gets (a landscape panel): wider keys only make it taller.
MAX_WIDTH_MM: Final = 300.0

_log = log.get("keyboard")


def prepare_environment(env: dict[str, str] | None = None) -> None:
    """Choose Qt Virtual Keyboard as the input method; call before QApplication.
    An explicit QT_IM_MODULE (a developer's own input method) is left alone."""
    target = os.environ if env is None else env
    target.setdefault("QT_IM_MODULE", IM_MODULE)
    # The plugin's "desktop" mode opens a top-level keyboard window whenever a field is
    # focused and no InputPanel exists yet: the kiosk docks its own, always.
    target.setdefault("QT_VIRTUALKEYBOARD_DESKTOP_DISABLE", "1")


def _prepare_pinyin_dir() -> None:
    """The Pinyin engine wants a directory for its user dictionary and prints a warning
    when it creates it; make it first (the dictionary itself stays off, see above)."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.ConfigLocation)
    if base:
        try:
            Path(base, "qtvirtualkeyboard", "pinyin").mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # a read-only home: the engine then works without it
            _log.warning("no directory for the Pinyin engine: %s", exc.strerror)


_engine: QQmlEngine | None = None


def _shared_engine() -> QQmlEngine:
    """One QML engine for every keyboard of the process. Qt Virtual Keyboard keeps one
    input context per engine in a table keyed by the engine's address and never drops
    an entry (QVirtualKeyboardInputContextForeign::create): an engine made where a
    deleted one was would get the deleted context, and the keyboard would stay dead.
    A second main window (tests, the scenario runner) therefore reuses this engine."""
    global _engine
    if _engine is None:
        _engine = QQmlEngine(QCoreApplication.instance())
    return _engine


class VirtualKeyboard(QQuickWidget):
    """The docked keyboard. `language` gives the session language ("zh"/"en")."""

    def __init__(self, language: Callable[[], str], parent: QWidget | None = None, *,
                 units: Units | None = None) -> None:
        # PySide6 takes None (no parent) here; its stub declares the parent required.
        super().__init__(_shared_engine(), parent)  # type: ignore[arg-type]
        self.setObjectName("keyboard.virtual")
        self._language = language
        u = units or current_units()
        # Taps on keys must leave the focus (and the cursor) in the text field.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setResizeMode(QQuickWidget.ResizeMode.SizeRootObjectToView)
        self.setClearColor(Qt.GlobalColor.black)
        _prepare_pinyin_dir()
        self.setSource(QUrl.fromLocalFile(str(QML)))
        root = self.rootObject()
        if root is None or self.status() != QQuickWidget.Status.Ready:
            errors = "; ".join(e.toString() for e in self.errors())
            raise RuntimeError(f"the on-screen keyboard did not load: {errors}")
        self._root = root
        panel = root.findChild(QQuickItem, "panel")
        assert panel is not None  # objectName in virtual_keyboard.qml
        self.panel = panel
        root.setProperty("maxPanelWidth", float(u.px(MAX_WIDTH_MM)))
        panel.heightChanged.connect(self._fit_height)
        self._fit_height()
        self.hide()
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.setAutoSipEnabled(False)  # only wants_keyboard() decides (see module doc)
        app.focusChanged.connect(self._focus_changed)
        QGuiApplication.inputMethod().visibleChanged.connect(self._im_visible_changed)
        self.set_language(language())

    # -- showing -------------------------------------------------------------------
    def _focus_changed(self, _old: QWidget | None, _now: QWidget | None) -> None:
        # Decide after the focus events have run: a form sets its keypad's target on
        # FocusIn, which tells digit fields from text fields.
        QTimer.singleShot(0, self, self.update_for_focus)

    def update_for_focus(self) -> None:
        """Show the keyboard for a focused text field of this window, hide it else.
        Focus in another window (a second main window in tests) is not ours to judge."""
        if not shiboken6.isValid(self):
            return
        field = QApplication.focusWidget()
        im = QGuiApplication.inputMethod()
        if field is not None and field.window() is not self.window():
            return
        if field is not None and wants_keyboard(field):
            hints = field.inputMethodHints()
            if not hints & Qt.InputMethodHint.ImhSensitiveData:
                field.setInputMethodHints(hints | Qt.InputMethodHint.ImhSensitiveData)
            im.show()
        elif self.isVisible() or im.isVisible():
            im.hide()
        self._im_visible_changed()

    def close_keyboard(self) -> None:
        """Drop any half-typed Pinyin and hide (screen change, session end)."""
        im = QGuiApplication.inputMethod()
        im.reset()
        im.hide()
        self.hide()

    def _im_visible_changed(self) -> None:
        if not shiboken6.isValid(self):
            return
        field = QApplication.focusWidget()
        mine = field is not None and field.window() is self.window()
        self.setVisible(QGuiApplication.inputMethod().isVisible() and mine)
        self._place()

    def _fit_height(self) -> None:
        self.setFixedHeight(max(1, round(self.panel.height())))
        self._place()

    def dock_to(self, host: QWidget) -> None:
        """Keep to the bottom edge of `host` (this widget's parent), full width."""
        self._host = host
        host.installEventFilter(self)
        self._place()

    def _place(self) -> None:
        host = getattr(self, "_host", None)
        if host is None:
            return
        height = self.height()
        self.setGeometry(0, host.height() - height, host.width(), height)
        self.raise_()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if obj is getattr(self, "_host", None) and event.type() == QEvent.Type.Resize:
            self._place()
        return False

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        # The panel's width follows the root's at once, not on a later polish: a tap
        # right after the dock appears lands on the key drawn there.
        self._root.setSize(QSizeF(self.width(), self.height()))

    # -- language ------------------------------------------------------------------
    def set_language(self, language: str) -> None:
        locale = LOCALES.get(language, LOCALES["en"])
        if self._root.property("locale") != locale:
            QGuiApplication.inputMethod().reset()  # no Pinyin half-typed across a switch
            self._root.setProperty("locale", locale)

    @property
    def keyboard_locale(self) -> str:
        """The layout shown: "zh_CN" (Pinyin) or "en_US"."""
        return str(self._root.property("locale"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.LanguageChange:
            self.set_language(self._language())
        super().changeEvent(event)

    # -- what is on it (tests, the scenario runner) ----------------------------------
    def _items(self) -> list[QQuickItem]:
        out: list[QQuickItem] = []
        todo = [self.panel]
        while todo:
            item = todo.pop()
            for child in item.childItems():
                out.append(child)
                todo.append(child)
        return out

    @staticmethod
    def _shown(item: QQuickItem) -> bool:
        while item is not None:
            if not item.isVisible() or item.opacity() == 0:
                return False
            item = item.parentItem()
        return True

    def key(self, text: str) -> QQuickItem | None:
        """The visible key that types `text` (a letter as shown on the key)."""
        for item in self._items():
            meta = item.metaObject()
            if meta.indexOfProperty("displayText") >= 0 and item.property("text") == text \
                    and item.property("enabled") is not False and self._shown(item):
                return item
        return None

    def _candidate_view(self) -> QQuickItem | None:
        return next((i for i in self._items() if i.objectName() == "wordCandidateView"),
                    None)

    def candidates(self) -> list[str]:
        """The candidate bar's words, first to last (Pinyin), from its model."""
        view = self._candidate_view()
        if view is None or not self._shown(view):
            return []
        model = view.property("model")
        if not isinstance(model, QAbstractItemModel):
            return []
        return [str(model.data(model.index(row, 0), Qt.ItemDataRole.DisplayRole))
                for row in range(model.rowCount())]

    def _tap(self, item: QQuickItem) -> None:
        centre = item.mapToScene(QPointF(item.width() / 2, item.height() / 2))
        QTest.mouseClick(self, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         QPoint(round(centre.x()), round(centre.y())))

    def tap(self, text: str) -> None:
        """Tap the key labelled `text`, as a finger would."""
        item = self.key(text)
        if item is None:
            raise KeyError(f"no key {text!r} on the keyboard now")
        self._tap(item)

    def type_letters(self, letters: str) -> None:
        """Tap one key per character (letters, digits on the current layout)."""
        for ch in letters:
            self.tap(ch)

    def _candidate_item(self, word: str) -> QQuickItem | None:
        view = self._candidate_view()
        if view is None or abs(view.y() - float(view.property("visibleYOffset"))) > 0.5:
            return None  # not there, or still sliding in (a tap would miss)
        for item in self._items():
            if not item.metaObject().className().startswith("SelectionListItem") \
                    or not self._shown(item):
                continue
            x = item.mapToItem(view, QPointF(item.width() / 2, 0)).x()
            if 0 <= x <= view.width() and any(
                    c.property("text") == word for c in item.childItems()):
                return item
        return None

    def shows(self, word: str) -> bool:
        """Whether the candidate bar shows `word` where a finger can tap it (the bar
        lays its words out on the next frame after the model changes)."""
        return self._candidate_item(word) is not None

    def choose(self, word: str) -> None:
        """Tap a word shown on the candidate bar."""
        item = self._candidate_item(word)
        if item is None:
            raise KeyError(f"{word!r} is not shown on the candidate bar: "
                           f"{self.candidates()[:10]}")
        self._tap(item)


def mount_keyboard(window: QMainWindow) -> VirtualKeyboard | None:
    """Dock the keyboard along the bottom of the window's central widget, over the
    screens rather than in their layout: a screen keeps its size (the window never
    grows past the panel) and the keyboard covers its lower part while it shows, as on
    a phone. None when the process runs without the plugin as its input method (a
    developer's own input method, a tool): text fields then take a real keyboard."""
    if not available():
        _log.info("on-screen keyboard off: QT_IM_MODULE is not %s", IM_MODULE)
        return None
    central = window.centralWidget()
    if central is None:
        raise TypeError("mount_keyboard needs the window's central widget built")
    language = getattr(window, "language", "zh")
    keyboard = VirtualKeyboard(lambda: str(getattr(window, "language", language)), central,
                               units=getattr(window, "units", None))
    keyboard.dock_to(central)
    return keyboard
