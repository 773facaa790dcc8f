"""Per-card failure counters and locks, in a small JSON file that survives restarts.

`{card_key: {"failures": n, "locked_until": iso | null}}`, keyed by the card's digest
(never the UID), written atomically: temp file, fsync, os.replace, fsync of the folder.
A damaged file fails closed (see LockoutStore).
"""
from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from offline_queue.filemodes import private_dir, restrict_file

_log = logging.getLogger("kiosk.staff")


@dataclass
class CardState:
    failures: int = 0
    locked_until: datetime | None = None


# Reserved key (card keys are sha256 hex): sign-in is locked for every card on this
# kiosk, set when the state file was found damaged.
KIOSK_WIDE = "*"
CORRUPT_SUFFIX = ".corrupt"


class LockoutUnavailable(OSError):
    """The lockout state cannot be read (nor replaced): sign-in stays locked."""


class LockoutStore:
    """Load and save the lockout state (callers serialise access).

    Fail closed: a state that cannot be trusted never reads as "no failures" (that
    would give a stolen card fresh attempts). A corrupt file is moved aside (suffix
    `.corrupt`) and replaced by a kiosk-wide lock (`KIOSK_WIDE`) for `lock_for` from
    `clock()`, the same period a card is locked for, after which sign-in works again
    with fresh counters. A file that cannot be read at all raises LockoutUnavailable
    on every load until it can.
    """

    def __init__(self, path: Path, *, lock_for: timedelta = timedelta(minutes=15),
                 clock: Callable[[], datetime] | None = None) -> None:
        self.path = Path(path)
        restrict_file(self.path)  # 0600: an older install wrote it under umask 022
        self.lock_for = lock_for
        self._clock = clock or (lambda: datetime.now(UTC))

    def load(self) -> dict[str, CardState]:
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError) as exc:
            if isinstance(exc, UnicodeDecodeError):
                return self._replace_corrupt(exc)
            _log.error("staff lockout state %s unreadable (%s): sign-in locked",
                       self.path, type(exc).__name__)
            raise LockoutUnavailable(f"staff lockout state unreadable: "
                                     f"{type(exc).__name__}") from None
        try:
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise ValueError("not an object")
            return {str(k): _state(v) for k, v in data.items()}
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
            return self._replace_corrupt(exc)

    def _replace_corrupt(self, exc: BaseException) -> dict[str, CardState]:
        """Keep the damaged file for a technician and lock sign-in kiosk-wide."""
        until = self._clock() + self.lock_for
        _log.error("staff lockout state %s is corrupt (%s): staff sign-in locked on this "
                   "kiosk until %s; the damaged file is kept as %s%s", self.path,
                   type(exc).__name__, until.isoformat(), self.path.name, CORRUPT_SUFFIX)
        states = {KIOSK_WIDE: CardState(0, until)}
        try:
            os.replace(self.path, self.path.with_name(self.path.name + CORRUPT_SUFFIX))
            self.save(states)
        except OSError as err:
            raise LockoutUnavailable(f"staff lockout state corrupt and not replaceable: "
                                     f"{type(err).__name__}") from None
        return states

    def save(self, states: dict[str, CardState]) -> None:
        data = {k: {"failures": s.failures,
                    "locked_until": s.locked_until.isoformat() if s.locked_until else None}
                for k, s in states.items() if s.failures or s.locked_until}
        private_dir(self.path.parent)  # 0700; mkstemp creates the file 0600
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
