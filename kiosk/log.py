"""Logging with named categories and an optional JSON formatter (qutebrowser style).

Categories: session, device.printer, device.scanner, queue, sync, ui, central.
Personal data never goes into a log line: callers log references and codes only, and
`setup` installs offline_queue.redact's filter on the handler, so an ID, phone or card
number that slips through anyway (message, arguments, traceback) comes out redacted.

`setup` configures the root logger, so every namespace (`kiosk.*`, `drivers.*`,
`offline_queue.*`, `central.*`, `ui.*`) logs at INFO through the one handler and
follows --log-json.
"""
from __future__ import annotations

import logging
import sys
from datetime import datetime, timezone
from typing import Any

CATEGORIES = ("session", "device.printer", "device.scanner", "queue", "sync", "ui",
              "central", "init")


def get(category: str) -> logging.Logger:
    return logging.getLogger(f"kiosk.{category}")


class JsonFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__()
        import json  # only with --log-json: off the boot path otherwise

        self._dumps = json.dumps

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(),
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


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is now (a redirection or a test's capture may
    replace it after setup)."""

    @property  # type: ignore[override]
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
