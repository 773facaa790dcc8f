"""Kit pieces the identity gate shared out (issue #9 §2): the choice screen of big
buttons, values relayed from worker threads, start/stop while screens show, the
countdown's clock, the QR code widget, and a side print's state.

Run in the real main window (without a core), with real threads and the real pool.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Hashable

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from kiosk.services.catalogue import Group, Policy, ServiceSpec
from kiosk.services.slips import PrintFailed
from kiosk.services.views import labeller, surface_of
from ui.flow.base import Said
from ui.flow.choice import ChoiceScreen
from ui.flow.flow import ServiceFlow, print_failure
from ui.flow.live import Poll, Relay, WhileShown, clock_left
from ui.flow.text import Both
from ui.main_window import MainWindow
from ui.widgets.qr_image import QrImage, qr_pixmap

SPEC = ServiceSpec(id="kit.live", title_zh="测试", title_en="Test", summary_zh="测试",
                   summary_en="Test", group=Group.GUIDANCE, policy=Policy.LOCAL,
                   entry_screen="kit.live", icon="info")


@pytest.fixture
def window(kit_window: MainWindow) -> MainWindow:
    return kit_window


class Ways(ChoiceScreen):
    screen_id = "kit.live"
    with_notes = True
    hidden: frozenset[str] = frozenset()
    greyed: frozenset[str] = frozenset()

    def __init__(self, window: MainWindow, flow: ServiceFlow) -> None:
        super().__init__(window, flow)
        self.taken: list[Hashable] = []
        self.refresh()

    def title_text(self) -> Said:
        return Both("选择", "Choose")

    def choices(self) -> tuple[tuple[Hashable, str], ...]:
        return (("a", "action.a"), ("b", "action.b"))

    def choice_text(self, key: Hashable) -> Said:
        return Both(f"方式 {key}", f"Way {key}")

    def choice_note(self, key: Hashable) -> Said:
        return Both("暂不可用", "Not now") if key in self.greyed else None

    def offered(self, key: Hashable) -> bool:
        return key not in self.hidden

    def usable(self, key: Hashable) -> bool:
        return key not in self.greyed

    def chose(self, key: Hashable) -> None:
        self.taken.append(key)


def _ways(window: MainWindow) -> Ways:
    flow = ServiceFlow(window, SPEC)
    screen = Ways(window, flow)
    window.add_screen(screen)
    window.show_screen(screen.screen_id)
    return screen


def test_choice_screen_offers_greys_explains_and_follows_the_language(
        window: MainWindow, qtbot: QtBot) -> None:
    screen = _ways(window)
    a = screen.findChild(QPushButton, "action.a")
    b = screen.findChild(QPushButton, "action.b")
    assert a is not None and b is not None
    assert a.text() == "方式 a" and a.accessibleName() == "方式 a"
    qtbot.mouseClick(b, Qt.MouseButton.LeftButton)
    assert screen.taken == ["b"]

    screen.greyed = frozenset({"a"})
    screen.hidden = frozenset({"b"})
    screen.refresh()
    note = screen.findChild(QLabel, "label.unavailable.a")
    assert note is not None and note.isVisible() and note.text() == "暂不可用"
    assert not a.isEnabled() and a.isVisible()
    assert not b.isVisible()
    assert not screen.findChild(QLabel, "label.unavailable.b").isVisible()

    window.set_language("en")
    QCoreApplication.sendPostedEvents(None, QEvent.Type.LanguageChange)
    assert a.text() == "Way a" and note.text() == "Not now"

    screen.greyed = frozenset()
    screen.flow._set_busy(True)  # every way waits while the flow works
    assert not a.isEnabled()
    screen.flow._set_busy(False)
    assert a.isEnabled() and not note.isVisible()


def test_relay_brings_worker_values_to_the_gui_thread_and_outlives_its_owner(
        qapp: QApplication, qtbot: QtBot) -> None:
    owner = QObject()
    seen: list[tuple[object, bool]] = []
    relay = Relay(owner, lambda v: seen.append((v, threading.current_thread() is
                                                 threading.main_thread())))
    worker = threading.Thread(target=relay.send, args=("card",))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: seen == [("card", True)])

    owner.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    errors: list[BaseException] = []

    def late() -> None:
        try:
            relay.send("late")
        except BaseException as exc:  # noqa: BLE001 - the test looks for any
            errors.append(exc)

    worker = threading.Thread(target=late)
    worker.start()
    worker.join()
    qapp.processEvents()
    assert errors == [] and seen == [("card", True)]


def test_while_shown_starts_on_its_screens_and_stops_on_others(window: MainWindow) -> None:
    calls: list[str] = []
    WhileShown(window, {"one", "two"}, lambda: calls.append("start"),
               lambda: calls.append("stop"), parent=window)
    for screen_id in ("one", "two", "home", "two"):
        window.screen_changed.emit(screen_id)
    assert calls == ["start", "start", "stop", "start"]


def test_clock_left_counts_whole_seconds_and_never_below_zero() -> None:
    assert clock_left(100.0, now=lambda: 0.5) == "1:39"
    assert clock_left(100.0, now=lambda: 99.9) == "0:00"
    assert clock_left(100.0, now=lambda: 150.0) == "0:00"


def test_qr_image_draws_a_code_once_and_clears(qapp: QApplication) -> None:
    image = QrImage(200)
    assert image.objectName() == "image.qr"
    image.show_text("TAXKIOSK:TEST")
    first = image.pixmap()
    assert not first.isNull() and first.width() <= 200 and first.width() == first.height()
    image.show_text("TAXKIOSK:TEST")  # the same text: nothing redrawn
    assert image.pixmap().cacheKey() == first.cacheKey()
    image.show_text(None)
    assert image.pixmap().isNull()
    corner = qr_pixmap("x", 100).toImage()
    assert corner.pixelColor(0, 0).name() == "#ffffff"  # the quiet zone


def test_print_in_background_reports_printing_then_the_outcome(
        window: MainWindow, qtbot: QtBot) -> None:
    flow = ServiceFlow(window, SPEC)
    states: list[str] = []
    flow.changed.connect(lambda: states.append(str(flow.print_state)))
    flow.print_in_background(lambda: None)
    qtbot.waitUntil(lambda: states == ["printing", "printed"])

    def jammed() -> None:
        raise PrintFailed("paper_out", "test")

    heard: list[str] = []
    flow.print_in_background(jammed, heard.append)
    qtbot.waitUntil(lambda: heard == ["printing", "paper_out"])
    assert print_failure(RuntimeError("no code")) == "failure"
    assert not flow.busy  # a side job: the flow stays free


def test_labeller_and_surface_of() -> None:
    label = labeller({"title": ("标题", "Title")}, "en")
    assert label("title") == "Title"
    assert labeller({"title": ("标题", "Title")}, "zh")("title") == "标题"
    assert surface_of("paper") == "paper" and surface_of("screen") == "screen"
    assert surface_of("anything") == "screen"


class _Worker:
    def __init__(self, report: Callable[[object], None]) -> None:
        self.report = report
        self.stopped = False

    def stop(self) -> None:
        self.stopped = True


def test_poll_drops_the_reports_of_a_stopped_or_replaced_worker(
        qapp: QApplication, qtbot: QtBot) -> None:
    owner = QObject()
    seen: list[object] = []
    poll = Poll(owner, seen.append)
    workers: list[_Worker] = []

    def begin(report: Callable[[object], None]) -> _Worker:
        workers.append(_Worker(report))
        return workers[-1]

    poll.start(begin)
    first = workers[0]
    threading.Thread(target=first.report, args=("qr 1",)).start()
    qtbot.waitUntil(lambda: seen == ["qr 1"])
    poll.stop()
    assert first.stopped and not poll.running
    poll.start(begin)
    first.report("late")  # the stopped worker reports once more
    workers[1].report("qr 2")
    qtbot.waitUntil(lambda: seen == ["qr 1", "qr 2"])
    qapp.processEvents()
    assert seen == ["qr 1", "qr 2"]
    poll.ended()
    assert not poll.running
    owner.deleteLater()
