"""Logging with named categories and an optional JSON formatter (qutebrowser style).

Categories: session, device.printer, device.scanner, queue, sync, ui, central.
Personal data never goes into a log line: callers log references and codes only.
"""
from __future__ import annotations

import logging
import sys
from datetime import datetime, timezone

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
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return self._dumps(entry, ensure_ascii=False)


def setup(json_lines: bool = False, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("kiosk")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False  # one line per record, whatever else configured the root
