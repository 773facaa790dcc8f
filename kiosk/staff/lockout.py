"""Per-card failure counters and locks, in a small JSON file that survives restarts.

`{card_key: {"failures": n, "locked_until": iso | null}}`, keyed by the card's digest
(never the UID), written atomically: temp file, fsync, os.replace, fsync of the folder.
"""
from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

_log = logging.getLogger("kiosk.staff")


@dataclass
class CardState:
    failures: int = 0
    locked_until: datetime | None = None


class LockoutStore:
    """Load and save the lockout state (callers serialise access)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def load(self) -> dict[str, CardState]:
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            _log.warning("staff lockout state %s unreadable (%s): treated as empty",
                         self.path, type(exc).__name__)
            return {}
        try:
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise ValueError("not an object")
            return {str(k): _state(v) for k, v in data.items()}
        except (ValueError, TypeError, KeyError) as exc:
            _log.warning("staff lockout state %s is corrupt (%s): treated as empty",
                         self.path, type(exc).__name__)
            return {}

    def save(self, states: dict[str, CardState]) -> None:
        data = {k: {"failures": s.failures,
                    "locked_until": s.locked_until.isoformat() if s.locked_until else None}
                for k, s in states.items() if s.failures or s.locked_until}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".staff-lockout.", suffix=".tmp",
                                   dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(data, f, sort_keys=True)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(self.path.parent)


def _state(value: Any) -> CardState:
    failures = value["failures"]
    until = value.get("locked_until")
    if not isinstance(failures, int) or isinstance(failures, bool) or failures < 0:
        raise ValueError("bad failure count")
    locked = datetime.fromisoformat(until) if until is not None else None
    if locked is not None and locked.tzinfo is None:
        raise ValueError("naive lock time")
    return CardState(failures, locked)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not possible on every platform
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
