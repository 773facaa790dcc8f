"""Whether this terminal is out of service (issue #14 §2), Qt-free.

Two sources, either one is enough: hall staff in maintenance mode (`set_local`), and the
central service's fleet side, learnt from the answer to each heartbeat
(`apply_central`). While out of service the screen shows a full-screen notice in both
languages with the nearest alternative; the core keeps syncing and sending heartbeats,
so the central service can also bring the terminal back.

Both are kept in `<data_dir>/out_of_service.json` (0600) so a restart (a watchdog kill,
an update, a power cut) does not put a terminal that staff closed back in front of
taxpayers, even before the central service is reachable again.
"""
from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import log

_log = log.get("session")
MAX_TEXT = 200
TEXT_FIELDS = ("reason_zh", "reason_en", "alternative_zh", "alternative_en")


@dataclass(frozen=True)
class Notice:
    """What the out-of-service screen says. `source`: "staff" or "central"."""

    reason_zh: str
    reason_en: str
    alternative_zh: str
    alternative_en: str
    source: str
    since: str

    @classmethod
    def from_texts(cls, texts: dict[str, Any], source: str) -> Notice:
        """A notice from the four texts; ValueError naming a missing or bad one."""
        values: dict[str, str] = {}
        for name in TEXT_FIELDS:
            value = texts.get(name)
            if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT \
                    or any(not c.isprintable() for c in value):
                raise ValueError(f"{name}: one line of 1-{MAX_TEXT} printable characters")
            values[name] = value.strip()
        since = texts.get("since")
        if isinstance(since, datetime):
            since = since.isoformat()
        if not isinstance(since, str) or not since:
            since = datetime.now(UTC).isoformat()
        return cls(**values, source=source, since=since)


class OutOfServiceState:
    """The two flags and their listeners (called on the thread that changed them)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self.listeners: list[Callable[[Notice | None], None]] = []
        self._local: Notice | None = None
        self._central: Notice | None = None
        self._load()

    @property
    def current(self) -> Notice | None:
        """The notice to show: staff's own first (they are at the terminal)."""
        with self._lock:
            return self._local or self._central

    @property
    def local(self) -> Notice | None:
        with self._lock:
            return self._local

    def set_local(self, texts: dict[str, Any]) -> Notice:
        notice = Notice.from_texts(texts, "staff")
        self._change(local=notice)
        return notice

    def clear_local(self) -> None:
        self._change(local=None)

    def apply_central(self, value: object) -> None:
        """The heartbeat answer's `out_of_service`: a notice, or None (in service).
        A malformed one is logged and ignored (the terminal stays as it is)."""
        if value is None:
            self._change(central=None)
            return
        try:
            notice = Notice.from_texts(value if isinstance(value, dict) else {}, "central")
        except ValueError as exc:
            _log.warning("out-of-service notice from the central service ignored: %s", exc)
            return
        with self._lock:
            same = self._central is not None and \
                asdict(self._central) | {"since": ""} == asdict(notice) | {"since": ""}
        if not same:
            self._change(central=notice)

    _UNSET: Any = object()

    def _change(self, *, local: Any = _UNSET, central: Any = _UNSET) -> None:
        with self._lock:
            before = self._local or self._central
            if local is not self._UNSET:
                self._local = local
            if central is not self._UNSET:
                self._central = central
            after = self._local or self._central
            self._save()
        if after != before:
            _log.info("terminal %s (%s)", "out of service" if after else "back in service",
                      after.source if after else "cleared")
            for listener in list(self.listeners):
                listener(after)

    def _save(self) -> None:
        data = {"local": asdict(self._local) if self._local else None,
                "central": asdict(self._central) if self._central else None}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)

    def _load(self) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            _log.warning("out-of-service state unreadable, ignored: %s", exc)
            return
        for key in ("local", "central"):
            value = data.get(key) if isinstance(data, dict) else None
            if isinstance(value, dict):
                try:
                    notice = Notice.from_texts(value, str(value.get("source") or key))
                except ValueError:
                    continue
                setattr(self, "_" + key, notice)
