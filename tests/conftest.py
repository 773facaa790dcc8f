"""Every test runs without a display: Qt's offscreen platform unless told otherwise.

Strict by design (issue #9):
- Python warnings are errors (pyproject.toml, [tool.pytest.ini_options] filterwarnings).
- A Qt warning, critical or fatal message fails the test during which Qt printed it
  (setup, call or teardown), and one printed outside any test fails the session. Only
  the messages in QT_ALLOWED pass: Qt prints them by itself on the offscreen platform,
  whatever our code does. pytest-qt's own capture is off (`--no-qt-log` in addopts):
  it would take the handler over during each test and only look at the call phase.
- Logging, sys.excepthook and threading.excepthook are put back after every test: a
  test that runs `kiosk.cli.main` in-process configures the root logger (kiosk.log.setup),
  which would otherwise print INFO lines into pytest's output for the rest of the run.
"""
from __future__ import annotations

import logging
import os
import re
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The on-screen keyboard is Qt's input method plugin: chosen before any QApplication
# exists, as kiosk/launcher.py does (ui/widgets/virtual_keyboard.py).
os.environ.setdefault("QT_IM_MODULE", "qtvirtualkeyboard")
os.environ.setdefault("QT_VIRTUALKEYBOARD_DESKTOP_DISABLE", "1")  # never a window of its own

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler  # noqa: E402

# What Qt prints by itself, never because of our code (each with where it comes from),
# matched against "<category>: <message>".
QT_ALLOWED = (
    # The offscreen platform has no window manager to pass size hints to
    # (qtbase src/plugins/platforms/offscreen/qoffscreenwindow.cpp).
    re.compile(r"This plugin does not support propagateSizeHints\(\)"),
    # QtMultimedia's FFmpeg backend looks for optional system libraries when it loads
    # (VA-API, PipeWire); a machine without them (CI, a minimal Debian) has none.
    re.compile(r"^qt\.multimedia\.symbolsresolver: Couldn't (load|resolve) "),
    re.compile(r"(?i)^qt\.multimedia\.\S+: .*pipewire"),
    # QVideoFrame.toImage() converts on the GPU where there is one; the offscreen
    # platform has no RHI backend, so Qt says once per thread that it uses the CPU.
    re.compile(r"ensureRhi\(QRhi\*\) : No RHI backend\. Using CPU conversion\.$"),
)

_FAILING = {QtMsgType.QtWarningMsg: "warning", QtMsgType.QtCriticalMsg: "critical",
            QtMsgType.QtFatalMsg: "fatal"}


@dataclass(frozen=True)
class QtMessage:
    kind: str
    message: str
    where: str


_pending: list[QtMessage] = []


def _on_qt_message(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    kind = _FAILING.get(mode)
    if kind is None or any(p.search(f"{context.category}: {message}") for p in QT_ALLOWED):
        return
    where = f"{context.file}:{context.line}" if context.file else (context.category or "")
    _pending.append(QtMessage(kind, message, where))  # any thread: list.append is atomic


qInstallMessageHandler(_on_qt_message)


def _take_pending() -> list[QtMessage]:
    taken = _pending[:]
    del _pending[:len(taken)]
    return taken


def _describe(messages: list[QtMessage]) -> str:
    return "\n".join(f"Qt {m.kind}: {m.message}" + (f" ({m.where})" if m.where else "")
                     for m in messages)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    messages = _take_pending()
    if messages:
        text = f"Qt printed during {call.when}:\n{_describe(messages)}"
        if report.passed:
            report.outcome = "failed"
            report.longrepr = text
        else:
            report.sections.append(("Qt messages", text))
    return report


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    messages = _take_pending()
    if messages:
        sys.stderr.write(f"\nQt printed outside any test:\n{_describe(messages)}\n")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _restore_process_state() -> Iterator[None]:
    """Logging configuration and exception hooks as they were before the test."""
    root = logging.getLogger()
    loggers = {name: logging.getLogger(name) for name in ("kiosk", *_configured_loggers())}
    saved = {name: (lg.handlers[:], lg.level, lg.propagate) for name, lg in loggers.items()}
    root_state = (root.handlers[:], root.level)
    last_resort = logging.lastResort
    last_resort_filters = last_resort.filters[:] if last_resort is not None else []
    hooks = (sys.excepthook, threading.excepthook)
    yield
    sys.excepthook, threading.excepthook = hooks
    root.handlers[:] = root_state[0]
    root.setLevel(root_state[1])
    for name, (handlers, level, propagate) in saved.items():
        lg = logging.getLogger(name)
        lg.handlers[:] = handlers
        lg.setLevel(level)
        lg.propagate = propagate
    logging.lastResort = last_resort
    if last_resort is not None:
        last_resort.filters[:] = last_resort_filters


def _configured_loggers() -> tuple[str, ...]:
    """Loggers kiosk.log.setup sets a level on (imported lazily: no Qt-free import cost)."""
    from kiosk.log import QUIET

    return QUIET
