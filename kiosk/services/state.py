"""The running kiosk's device and link states, published to `data_dir/state.json`.

Tools run beside a working kiosk (`kiosk services`) read them from this file: they
must never open a device or a port the kiosk holds. The kiosk writes the file from its
own thread (never the GUI thread, never a device thread): after each device status or
link change, at most once a second, and every 30 s anyway so a reader can tell a
running kiosk from a stopped or hung one. Each write replaces the file atomically
(temporary file + rename), owner-only (0600). The file holds no personal data and no
secret: device names, kinds, states and error codes, the link state, times, the pid.

Format (`format` 1):

    {"format": 1, "kiosk_id": "...", "pid": 1234, "running": true,
     "written_at": "<UTC ISO 8601>", "started_at": "<UTC ISO 8601>",
     "link": {"online": true, "offline_since": null},
     "devices": {"<name>": {"kind": "receipt_printer", "state": "idle",
                            "error": null, "condition": null, "problem": null}}}

`problem` is kiosk.services.availability.device_problem of the device's status.
"""
from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import log
from .availability import DEVICES_UNKNOWN

_log = log.get("state")
STATE_FILE = "state.json"
FORMAT = 1
MIN_INTERVAL_S = 1.0  # coalesce bursts of status changes into one write a second
REFRESH_INTERVAL_S = 30.0  # rewritten at least this often while the kiosk runs
STALE_AFTER_S = 120.0  # a reader trusts the file only this long after it was written


def state_path(data_dir: Path) -> Path:
    return data_dir / STATE_FILE


def write_atomically(path: Path, document: dict[str, Any]) -> None:
    """Replace `path` with `document` as JSON, owner-only, never half-written."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    data = json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # an earlier leftover may have had other bits
        os.write(fd, data)
    finally:
        os.close(fd)
    os.replace(tmp, path)


class StatePublisher:
    """Writes `snapshot()` to `path` on its own thread when poked (rate-limited) and
    every REFRESH_INTERVAL_S; `poke()` never blocks, so device threads and the GUI
    thread may call it."""

    def __init__(self, path: Path, snapshot: Callable[[], dict[str, Any]],
                 min_interval_s: float = MIN_INTERVAL_S,
                 refresh_interval_s: float = REFRESH_INTERVAL_S) -> None:
        self.path = path
        self._snapshot = snapshot
        self._min_interval_s = min_interval_s
        self._refresh_interval_s = refresh_interval_s
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.writes = 0  # for tests and the bench: how many times the file was written

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="state-publisher",
                                        daemon=True)
        self._thread.start()
        self.poke()

    def poke(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        last = float("-inf")
        while not self._stopping.is_set():
            self._wake.wait(self._refresh_interval_s)
            if self._stopping.is_set():
                break
            wait = last + self._min_interval_s - time.monotonic()
            if wait > 0 and self._stopping.wait(wait):
                break
            self._wake.clear()
            self._write(running=True)
            last = time.monotonic()

    def _write(self, *, running: bool) -> None:
        try:
            document = self._snapshot()
            document["running"] = running
            write_atomically(self.path, document)
            self.writes += 1
        except Exception as exc:  # noqa: BLE001 - a status file must never stop the kiosk
            _log.warning("kiosk state not published to %s: %s", self.path, exc)

    def stop(self) -> None:
        """Stop the thread and leave the file saying the kiosk stopped."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
            self._thread = None
            self._write(running=False)


@dataclass(frozen=True)
class PublishedState:
    """What a tool knows about the running kiosk's devices and link.

    `devices` is None when unknown; `why_unknown` then says why (missing, unreadable,
    stale, stopped)."""

    devices: dict[str, dict[str, Any]] | None
    link_online: bool | None
    written_at: datetime | None
    why_unknown: str | None = None

    def problem_of(self, kind: str) -> str | None:
        """device_problem of the first published device of `kind`: "no_hardware" when
        the kiosk has none, DEVICES_UNKNOWN when the states are not known."""
        if self.devices is None:
            return DEVICES_UNKNOWN
        for entry in self.devices.values():
            if entry.get("kind") == kind:
                problem = entry.get("problem")
                return str(problem) if problem is not None else None
        return "no_hardware"


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def read_state(path: Path, now: datetime | None = None,
               stale_after_s: float = STALE_AFTER_S) -> PublishedState:
    """The published state at `path`, judged fresh or not (never raises)."""
    now = now or datetime.now(UTC)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return PublishedState(None, None, None, f"no {path.name}: the kiosk has not run "
                                                f"with this data directory")
    except (OSError, ValueError) as exc:
        return PublishedState(None, None, None, f"{path.name} cannot be read ({exc})")
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        return PublishedState(None, None, None, f"{path.name} has an unknown format")
    try:
        written_at = datetime.fromisoformat(str(document["written_at"]))
        devices = document["devices"]
        link = document["link"]
        if not isinstance(devices, dict) or not isinstance(link, dict):
            raise TypeError("devices and link must be objects")
    except (KeyError, TypeError, ValueError) as exc:
        return PublishedState(None, None, None, f"{path.name} is damaged ({exc})")
    if written_at.tzinfo is None:
        written_at = written_at.replace(tzinfo=UTC)
    online = link.get("online") if isinstance(link.get("online"), bool) else None
    age_s = (now - written_at).total_seconds()
    if not document.get("running", False) or not _alive(document.get("pid")):
        return PublishedState(None, online, written_at,
                              "the kiosk is not running (its last state is from "
                              f"{written_at.isoformat(timespec='seconds')})")
    if age_s > stale_after_s:
        return PublishedState(None, online, written_at,
                              f"the kiosk's state is {age_s:.0f} s old (older than "
                              f"{stale_after_s:.0f} s: the kiosk may be hung)")
    return PublishedState(devices, online, written_at)
