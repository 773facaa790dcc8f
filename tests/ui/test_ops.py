"""Background ops deliver on the GUI thread; sd_notify reaches a real unix socket."""
from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ui.notify import Watchdog, sd_notify, watchdog_interval_ms
from ui.ops import POOL_THREADS, LatestRead, Op, OpTracker, thread_pool, tracker

GUI = threading.main_thread().ident


def test_success_runs_on_the_gui_thread(qtbot: QtBot) -> None:
    owner = QObject()
    seen: dict[str, object] = {}

    def work() -> int:
        seen["work_thread"] = threading.get_ident()
        return 42

    def ok(value: int) -> None:
        seen["value"] = value
        seen["callback_thread"] = threading.get_ident()

    with qtbot.waitSignal(tracker.idle):
        Op(owner, work).success(ok).run_in_background()
        assert tracker.in_flight() == 1
    assert seen["value"] == 42
    assert seen["work_thread"] != GUI
    assert seen["callback_thread"] == GUI


def test_failure_runs_on_the_gui_thread(qtbot: QtBot) -> None:
    owner = QObject()
    seen: list[tuple[Exception, int | None]] = []

    def work() -> None:
        raise ConnectionError("central unreachable")

    Op(owner, work).success(lambda _: pytest.fail("no success")) \
        .failure(lambda exc: seen.append((exc, threading.get_ident()))) \
        .run_in_background()
    qtbot.waitUntil(lambda: bool(seen))
    exc, thread = seen[0]
    assert isinstance(exc, ConnectionError) and thread == GUI


def test_failure_without_handler_is_logged(qtbot: QtBot, caplog: pytest.LogCaptureFixture) -> None:
    owner = QObject()

    id_number = "".join(["110105", "19491231", "0021"])  # runtime data, not source text

    def work() -> None:
        raise ValueError(f"bad id {id_number}")

    with caplog.at_level(logging.ERROR, logger="kiosk.ui"):
        Op(owner, work).run_in_background()
        qtbot.waitUntil(lambda: tracker.in_flight() == 0)
    assert "ValueError" in caplog.text
    assert id_number not in caplog.text
    assert "in work" in caplog.text  # the stack is there for the technician


def test_callback_is_dropped_when_the_parent_is_gone(qtbot: QtBot) -> None:
    owner = QObject()
    release = threading.Event()
    called: list[object] = []
    Op(owner, lambda: release.wait(5)).success(called.append).run_in_background()
    shiboken6.delete(owner)  # the screen was rebuilt while the call was running
    release.set()
    qtbot.waitUntil(lambda: tracker.in_flight() == 0)
    assert called == []


def test_tracker_counts_in_flight_ops(qtbot: QtBot) -> None:
    owner = QObject()
    own = OpTracker()
    gates = [threading.Event() for _ in range(3)]
    done: list[int] = []
    for i, gate in enumerate(gates):
        Op(owner, lambda g=gate, n=i: (g.wait(5), n)[1], op_tracker=own) \
            .success(done.append).run_in_background()
    assert own.in_flight() == 3
    for gate in gates:
        gate.set()
    assert own.wait_idle(timeout_s=5)
    assert sorted(done) == [0, 1, 2]


def test_latest_read_delivers_only_the_newest_result(qtbot: QtBot) -> None:
    owner = QObject()
    delivered: list[str] = []
    reads = LatestRead(owner, delivered.append)
    gate = threading.Event()

    def old() -> str:
        gate.wait(10)  # finishes after the newer read
        return "old"

    reads.run(old)
    reads.run(lambda: "new")
    qtbot.waitUntil(lambda: delivered == ["new"])
    gate.set()
    assert tracker.wait_idle(timeout_s=10)
    qtbot.wait(20)
    assert delivered == ["new"]


def test_pool_has_four_threads() -> None:
    assert thread_pool().maxThreadCount() == POOL_THREADS == 4


def test_run_in_background_only_from_the_gui_thread(qapp: QApplication) -> None:
    errors: list[BaseException] = []
    owner = QObject()

    def start() -> None:
        try:
            Op(owner, lambda: 1).run_in_background()
        except RuntimeError as exc:
            errors.append(exc)

    t = threading.Thread(target=start)
    t.start()
    t.join(5)
    assert len(errors) == 1


# -- sd_notify ------------------------------------------------------------------------

@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(5)
    yield sock, str(path)
    sock.close()


def test_sd_notify_is_a_no_op_outside_systemd(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert sd_notify("READY=1") is False
    assert sd_notify("READY=1", env={"NOTIFY_SOCKET": "vsock:2:1234"}) is False


def test_sd_notify_sends_to_a_socket_path(notify_socket: tuple[socket.socket, str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    sock, path = notify_socket
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    assert sd_notify("READY=1") is True
    assert sock.recv(256) == b"READY=1"


def test_sd_notify_abstract_namespace() -> None:
    name = f"kiosk-test-{os.getpid()}-{threading.get_ident()}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0" + name)
    sock.settimeout(5)
    try:
        assert sd_notify("WATCHDOG=1", env={"NOTIFY_SOCKET": "@" + name}) is True
        assert sock.recv(256) == b"WATCHDOG=1"
    finally:
        sock.close()


def test_sd_notify_failure_is_reported_not_raised(tmp_path: Path) -> None:
    assert sd_notify("READY=1", env={"NOTIFY_SOCKET": str(tmp_path / "nobody")}) is False


def test_watchdog_interval_from_systemd_env() -> None:
    pid = str(os.getpid())
    assert watchdog_interval_ms({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": pid}) == 15000
    assert watchdog_interval_ms({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}) is None
    assert watchdog_interval_ms({}) is None
    assert watchdog_interval_ms({"WATCHDOG_USEC": "junk"}) is None


def test_watchdog_pings_from_the_gui_thread(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch,
                                            notify_socket: tuple[socket.socket, str]) -> None:
    sock, path = notify_socket
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    dog = Watchdog(interval_ms=20)
    assert dog.start() and dog.active
    assert sock.recv(64) == b"WATCHDOG=1"  # the immediate ping
    sock.setblocking(False)
    qtbot.waitUntil(lambda: _can_recv(sock), timeout=3000)  # a timer ping
    dog.stop()
    assert not Watchdog(interval_ms=0).start()


def _can_recv(sock: socket.socket) -> bool:
    try:
        return sock.recv(64) == b"WATCHDOG=1"
    except BlockingIOError:
        return False
