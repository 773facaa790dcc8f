"""Idle watcher (injectable clock, swallowed waking touch) and the countdown overlay."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QPointingDevice
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from ui.i18n import Translations
from ui.idle import IdleWatcher, ManualClock
from ui.widgets.idle_overlay import IdleOverlay


@pytest.fixture
def watcher(qapp: QApplication, manual_clock: ManualClock) -> Iterator[IdleWatcher]:
    w = IdleWatcher(clock=manual_clock, limit_s=90, countdown_s=30)
    w.enabled = True
    w.install(qapp)
    yield w
    w.enabled = False
    w.uninstall()


class Screen(QWidget):
    """A stand-in main window: a button, a field, and the overlay wired to a watcher."""

    def __init__(self, watcher: IdleWatcher) -> None:
        super().__init__()
        self.resize(800, 600)
        self.clicks = 0
        self.button = QPushButton("Confirm", self)
        self.button.setObjectName("action.confirm")
        self.button.clicked.connect(self._clicked)
        self.field = QLineEdit(self)
        box = QVBoxLayout(self)
        box.addWidget(self.field)
        box.addWidget(self.button)
        self.overlay = IdleOverlay(self)
        watcher.warn.connect(self.overlay.show_countdown)
        watcher.tick.connect(self.overlay.update_countdown)
        watcher.dismissed.connect(self.overlay.dismiss)
        self.overlay.continue_requested.connect(watcher.reset)

    def _clicked(self) -> None:
        self.clicks += 1


@pytest.fixture
def screen(qtbot: QtBot, watcher: IdleWatcher) -> Screen:
    s = Screen(watcher)
    qtbot.addWidget(s)
    s.show()
    qtbot.waitExposed(s)
    return s


# -- timing ---------------------------------------------------------------------------

def test_warn_then_ticks_then_expired(qtbot: QtBot, watcher: IdleWatcher) -> None:
    with qtbot.assertNotEmitted(watcher.warn):
        watcher.advance(89.9)
    with qtbot.waitSignal(watcher.warn) as warned:
        watcher.advance(0.1)
    assert warned.args == [30]
    assert watcher.warning_active and watcher.seconds_left == 30
    with qtbot.assertNotEmitted(watcher.tick):
        watcher.advance(0.5)
    with qtbot.waitSignal(watcher.tick) as ticked:
        watcher.advance(0.5)
    assert ticked.args == [29]
    with qtbot.assertNotEmitted(watcher.expired):
        watcher.advance(28.9)
    with qtbot.waitSignal(watcher.expired):
        watcher.advance(0.1)
    assert not watcher.warning_active
    with qtbot.assertNotEmitted(watcher.warn):
        watcher.advance(500)  # quiet after expiry until activity or reset()


def test_a_long_jump_still_warns_before_it_expires(qtbot: QtBot, watcher: IdleWatcher) -> None:
    with qtbot.waitSignals([watcher.warn, watcher.expired], order="strict"):
        watcher.advance(1000)


def test_the_countdown_starts_when_the_limit_was_reached(qtbot: QtBot,
                                                          watcher: IdleWatcher) -> None:
    with qtbot.waitSignal(watcher.warn) as warned:
        watcher.advance(100)
    assert warned.args == [20]


def test_real_timer_evaluates_the_clock(qtbot: QtBot, watcher: IdleWatcher,
                                        manual_clock: ManualClock) -> None:
    manual_clock.advance(90)  # no evaluate(): the 250 ms timer must notice
    with qtbot.waitSignal(watcher.warn, timeout=3000):
        pass


def test_activity_restarts_the_idle_period(qtbot: QtBot, watcher: IdleWatcher,
                                           screen: Screen) -> None:
    watcher.advance(80)
    with qtbot.waitSignal(watcher.activity):
        qtbot.mouseClick(screen.button, Qt.MouseButton.LeftButton)
    assert screen.clicks == 1, "activity without a warning is not swallowed"
    with qtbot.assertNotEmitted(watcher.warn):
        watcher.advance(80)
    qtbot.keyClick(screen.field, "7")
    assert screen.field.text() == "7"
    with qtbot.assertNotEmitted(watcher.warn):
        watcher.advance(89)
    with qtbot.waitSignal(watcher.warn):
        watcher.advance(1)


def test_limits_per_screen_and_audio_mode(qtbot: QtBot, watcher: IdleWatcher) -> None:
    watcher.set_limit(180)
    watcher.set_time_scale(2.0)
    with qtbot.assertNotEmitted(watcher.warn):
        watcher.advance(359)
    with qtbot.waitSignal(watcher.warn) as warned:
        watcher.advance(1)
    assert warned.args == [60]
    with pytest.raises(ValueError):
        watcher.countdown_s = 10  # ux.md: at least 20 s
    with pytest.raises(ValueError):
        watcher.set_limit(0)


def test_disabled_watcher_never_warns(qtbot: QtBot, watcher: IdleWatcher) -> None:
    watcher.enabled = False  # attract screen
    with qtbot.assertNotEmitted(watcher.warn):
        watcher.advance(1000)
    watcher.enabled = True  # a fresh period starts now
    with qtbot.assertNotEmitted(watcher.warn):
        watcher.advance(89)


def test_reset_dismisses_the_warning(qtbot: QtBot, watcher: IdleWatcher) -> None:
    watcher.advance(90)
    with qtbot.waitSignal(watcher.dismissed):
        watcher.reset()
    assert not watcher.warning_active
    with qtbot.assertNotEmitted(watcher.warn):
        watcher.advance(89)


def test_advance_needs_a_manual_clock(qapp: QApplication) -> None:
    with pytest.raises(TypeError):
        IdleWatcher(clock=lambda: 0.0).advance(1)


# -- the waking touch is swallowed ----------------------------------------------------

def test_waking_click_is_swallowed(qtbot: QtBot, watcher: IdleWatcher, screen: Screen) -> None:
    with qtbot.waitSignal(watcher.warn):
        watcher.advance(90)
    assert screen.overlay.isVisible()
    with qtbot.waitSignals([watcher.dismissed, watcher.activity]), \
            qtbot.assertNotEmitted(screen.overlay.continue_requested):
        # Even a click on the overlay's own button only dismisses.
        qtbot.mouseClick(screen.overlay.continue_button, Qt.MouseButton.LeftButton)
    assert not watcher.warning_active
    assert not screen.overlay.isVisible()
    qtbot.mouseClick(screen.button, Qt.MouseButton.LeftButton)
    assert screen.clicks == 1, "the next tap works normally"


def test_waking_touch_is_swallowed(qtbot: QtBot, watcher: IdleWatcher, screen: Screen) -> None:
    device: QPointingDevice = QTest.createTouchDevice()
    centre = screen.button.geometry().center()
    watcher.advance(90)
    screen.overlay.dismiss()  # even with nothing covering the button
    with qtbot.waitSignal(watcher.dismissed):
        QTest.touchEvent(screen, device).press(0, centre).commit()
    QTest.touchEvent(screen, device).move(0, centre + QPoint(2, 2)).commit()
    QTest.touchEvent(screen, device).release(0, centre).commit()
    QApplication.processEvents()
    assert screen.clicks == 0, "the waking tap must not press the button"
    QTest.touchEvent(screen, device).press(0, centre).commit()
    QTest.touchEvent(screen, device).release(0, centre).commit()
    qtbot.waitUntil(lambda: screen.clicks == 1)


class Recorder(QWidget):
    """Records the input events that reach it."""

    def __init__(self) -> None:
        super().__init__()
        self.resize(200, 200)
        self.seen: list[QEvent.Type] = []

    def event(self, e: QEvent) -> bool:
        if e.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease,
                        QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            self.seen.append(e.type())
        return super().event(e)


def test_the_whole_waking_gesture_is_swallowed(qtbot: QtBot, watcher: IdleWatcher) -> None:
    rec = Recorder()
    rec.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    qtbot.addWidget(rec)
    rec.show()
    qtbot.waitExposed(rec)
    watcher.advance(90)
    qtbot.mouseClick(rec, Qt.MouseButton.LeftButton)
    assert rec.seen == [], "neither the press nor its release may arrive"
    qtbot.mouseClick(rec, Qt.MouseButton.LeftButton)
    assert rec.seen == [QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease]
    rec.seen.clear()
    rec.setFocus()
    watcher.advance(90)
    qtbot.keyClick(rec, Qt.Key.Key_Space)
    assert rec.seen == []
    qtbot.keyClick(rec, Qt.Key.Key_Space)
    assert rec.seen == [QEvent.Type.KeyPress, QEvent.Type.KeyRelease]


def test_waking_key_is_swallowed(qtbot: QtBot, watcher: IdleWatcher, screen: Screen) -> None:
    screen.field.setFocus()
    watcher.advance(90)
    screen.overlay.dismiss()
    screen.field.setFocus()
    qtbot.keyClick(screen.field, "5")
    assert screen.field.text() == ""
    assert not watcher.warning_active
    qtbot.keyClick(screen.field, "5")
    assert screen.field.text() == "5"


# -- the overlay ----------------------------------------------------------------------

def test_overlay_covers_and_follows_its_parent(qtbot: QtBot, screen: Screen) -> None:
    overlay = screen.overlay
    assert overlay.objectName() == "overlay.idle"
    assert not overlay.isVisible()
    overlay.show_countdown(30)
    assert overlay.isVisible() and overlay.geometry() == screen.rect()
    screen.resize(1024, 700)
    qtbot.waitUntil(lambda: overlay.geometry() == screen.rect())
    count = overlay.findChild(QWidget, "idle.countdown")
    assert count.text() == "30"
    overlay.update_countdown(7)
    assert count.text() == "7" and overlay.seconds == 7
    assert overlay.continue_button.hasFocus()


def test_overlay_continue_button(qtbot: QtBot, screen: Screen) -> None:
    screen.field.setFocus()
    screen.overlay.show_countdown(25)
    button = screen.findChild(QPushButton, "action.continue")
    assert button is screen.overlay.continue_button
    assert button.accessibleName()
    with qtbot.waitSignal(screen.overlay.continue_requested):
        button.click()  # programmatic: no input event, so the watcher does not see it
    assert not screen.overlay.isVisible()
    assert screen.field.hasFocus(), "focus goes back where it was"


def test_overlay_backdrop_tap_continues(qtbot: QtBot, screen: Screen,
                                        watcher: IdleWatcher) -> None:
    watcher.uninstall()  # without the watcher's swallowing, the overlay handles it
    screen.overlay.show_countdown(25)
    with qtbot.waitSignal(screen.overlay.continue_requested):
        qtbot.mouseClick(screen.overlay, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert screen.clicks == 0


def test_overlay_is_translated(qtbot: QtBot, screen: Screen, translations: Translations,
                               flush_language_change: Callable[[], None]) -> None:
    title = screen.overlay.findChild(QWidget, "overlay.idle.title")
    button = screen.overlay.continue_button
    screen.overlay.show_countdown(30)
    assert title.text() == "Are you still there?"
    translations.set_language("zh")
    qtbot.waitUntil(lambda: title.text() == "您还在吗？")
    assert button.text() == "继续办理"
    count = screen.overlay.findChild(QWidget, "idle.countdown")
    assert count.accessibleName() == "剩余 30 秒"
    translations.set_language("en")
    flush_language_change()
    assert button.text() == "Continue"


def test_full_cycle_with_the_overlay(qtbot: QtBot, watcher: IdleWatcher, screen: Screen) -> None:
    count = screen.overlay.findChild(QWidget, "idle.countdown")
    watcher.advance(90)
    assert screen.overlay.isVisible() and count.text() == "30"
    watcher.advance(12)
    assert count.text() == "18"
    with qtbot.waitSignal(watcher.expired):
        watcher.advance(18)
