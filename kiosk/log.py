"""Logging with named categories and an optional JSON formatter (qutebrowser style).

Categories: session, device.printer, device.scanner, queue, sync, ui, central.
Personal data never goes into a log line: callers log references and codes only, and
`setup` installs offline_queue.redact's filter on the handler, so an ID, phone or card
number that slips through anyway (message, arguments, traceback) comes out redacted.

`setup` configures the root logger, so every namespace (`kiosk.*`, `drivers.*`,
`offline_queue.*`, `central.*`, `ui.*`) logs at INFO through the one handler and
follows --log-json.

`install_crash_hooks` (the launcher calls it) turns an uncaught exception on any thread
into a logged, redacted crash and a non-zero exit, so systemd restarts the kiosk.
"""
from __future__ import annotations

import logging
import os
import sys
import threading
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

CATEGORIES = ("session", "device.printer", "device.scanner", "queue", "sync", "ui",
              "central", "init", "crash")


def get(category: str) -> logging.Logger:
    return logging.getLogger(f"kiosk.{category}")


class JsonFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__()
        import json  # only with --log-json: off the boot path otherwise

        self._dumps = json.dumps

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "category": record.name.removeprefix("kiosk."),
            "message": record.getMessage(),
        }
        # The redacting filter leaves the (redacted) traceback in exc_text.
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["traceback"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return self._dumps(entry, ensure_ascii=False)


# Libraries that would otherwise log every request, statement or migration step at
# INFO (our own modules report what matters).
QUIET = ("httpx", "httpcore", "multipart", "asyncio", "alembic")


HANDLER_NAME = "kiosk.stderr"


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is now (a redirection or a test's capture may
    replace it after setup)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def setup(json_lines: bool = False, level: int = logging.INFO) -> None:
    """One stderr handler on the root logger (plain or JSON lines), with redaction;
    calling it again replaces that handler (and leaves others alone)."""
    from offline_queue.redact import RedactingFilter, install

    handler = _StderrHandler()
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if json_lines else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [h for h in root.handlers if h.get_name() != HANDLER_NAME] + [handler]
    root.setLevel(level)
    kiosk = logging.getLogger("kiosk")  # configured on its own before: now via the root
    kiosk.handlers.clear()
    kiosk.setLevel(logging.NOTSET)
    kiosk.propagate = True
    for name in QUIET:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
    install()  # also logging.lastResort


# EX_SOFTWARE. kiosk.service has Restart=on-failure: any non-zero exit restarts it.
CRASH_EXIT = 70
INTERRUPTED_EXIT = 130  # Ctrl-C that nothing caught, as a shell reports it


def install_crash_hooks(exit_code: int = CRASH_EXIT) -> None:
    """Uncaught exceptions end the process: on the main thread (sys.excepthook), on any
    other thread (threading.excepthook) and in a Qt slot or event handler (PySide hands
    those to sys.excepthook, then would let the event loop carry on). Each is logged
    once at CRITICAL with its traceback through the root handler, redacted like every
    record, and the process exits with `exit_code`: a kiosk half-broken by a crashed
    thread (sync stopped, a screen stuck) is worse than a restart by systemd.

    The exit is os._exit: sys.exit would end only the crashing thread, and PySide
    swallows SystemExit raised from a slot. What must survive is on disk already (the
    outbox commits each record before it answers)."""
    from offline_queue.redact import install

    install()  # the last-resort handler redacts too when setup() was never called

    def on_main_thread(exc_type: type[BaseException], exc: BaseException,
                       tb: TracebackType | None) -> None:
        _crash(exc_type, exc, tb, threading.current_thread().name, exit_code)

    def on_thread(args: threading.ExceptHookArgs) -> None:
        if issubclass(args.exc_type, SystemExit):
            return  # a thread that ends itself on purpose, as Python's own hook treats it
        _crash(args.exc_type, args.exc_value, args.exc_traceback,
               args.thread.name if args.thread is not None else "?", exit_code)

    sys.excepthook = on_main_thread
    threading.excepthook = on_thread


def _crash(exc_type: type[BaseException], exc: BaseException | None,
           tb: TracebackType | None, thread: str, exit_code: int) -> None:
    try:
        if issubclass(exc_type, KeyboardInterrupt):
            exit_code = INTERRUPTED_EXIT
            get("crash").warning("interrupted (thread %s)", thread)
        else:
            get("crash").critical("uncaught %s on thread %s; exiting with status %d",
                                  exc_type.__name__, thread, exit_code,
                                  exc_info=(exc_type, exc, tb) if exc is not None else None)
        for handler in logging.getLogger().handlers:
            handler.flush()
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(exit_code)
