"""Telling a USB HID "keyboard wedge" scanner from a person typing.

A wedge scanner types its code as key presses, far faster than any person (a few ms
between keys) and ends with a suffix key (usually Enter). The detector sees every
character with its timestamp and holds characters back while they might be a scan:

- a fast burst (every gap <= `max_interkey_ms`) of at least `min_length` characters
  that ends with `suffix` is a scan: the caller must NOT deliver those key presses to
  the focused input field, and handles the scan instead;
- as soon as a gap is too slow, what was held back was typing: the caller releases it
  to the input field (in order) and the new character starts a new candidate burst;
- a suffix that arrives with too few characters before it is typing too (a fast "ok"
  + Enter), and so is a suffix on its own (the Enter key).

Characters held back are released at the latest `max_interkey_ms` after the last key,
when the caller calls `poll()` from a timer; typing therefore lags by at most that much.
The detector is pure (no Qt, no clock of its own); the ui layer wraps it in an event
filter and a single-shot QTimer (ui/wedge_filter.py), which hands scans to the window.

`WedgeScanner` is the device as the device manager lists it: the keys reach the kiosk
window, not a port, so there is nothing to open or to ask; it is ready while the
manager runs and carries the detector's settings (options `max_interkey_ms`, `suffix`,
`min_length`).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .base import DeviceBase, DeviceState, DeviceStatus, StatusCallback
from .connection import parse_connection
from .device import Capability


class WedgeAction(str, Enum):
    BUFFERING = "buffering"  # held back; nothing to do yet
    SCAN = "scan"  # `text` is a complete scan (suffix removed); swallow the keys
    PASSTHROUGH = "passthrough"  # `text` is typing: deliver these characters now


@dataclass(frozen=True)
class WedgeResult:
    action: WedgeAction
    text: str = ""

    @property
    def is_scan(self) -> bool:
        return self.action is WedgeAction.SCAN

    @property
    def is_passthrough(self) -> bool:
        return self.action is WedgeAction.PASSTHROUGH


_BUFFERING = WedgeResult(WedgeAction.BUFFERING)
MAX_SCAN_CHARS = 8 * 1024


class WedgeDetector:
    """Feed every typed character with its time in ms; act on the returned result."""

    def __init__(
        self, max_interkey_ms: float = 35, suffix: str = "\r", min_length: int = 4
    ) -> None:
        if not suffix:
            raise ValueError("suffix must not be empty")
        if min_length < 1:
            raise ValueError("min_length must be at least 1")
        self.max_interkey_ms = max_interkey_ms
        self.suffix = suffix
        self.min_length = min_length
        self._buffer: list[str] = []
        self._last_ms: float | None = None

    @property
    def pending(self) -> str:
        """Characters currently held back."""
        return "".join(self._buffer)

    def reset(self) -> None:
        """Drop held-back characters (e.g. at the end of a session)."""
        self._buffer.clear()
        self._last_ms = None

    def feed(self, char: str, t_ms: float) -> WedgeResult:
        """Process one character typed at time `t_ms` (monotonic milliseconds).

        With PASSTHROUGH, `text` holds every character to deliver now; the character just
        fed is included unless it became the start of a new candidate burst.
        """
        released = ""
        if self._buffer and self._last_ms is not None and t_ms - self._last_ms > self.max_interkey_ms:
            released = "".join(self._buffer)  # too slow: that was typing
            self._buffer.clear()
        self._last_ms = t_ms
        if not self._buffer and char == self.suffix:
            self._last_ms = None
            return WedgeResult(WedgeAction.PASSTHROUGH, released + char)  # a plain Enter
        self._buffer.append(char)
        text = "".join(self._buffer)
        if text.endswith(self.suffix):
            body = text[: -len(self.suffix)]
            self.reset()
            if len(body) >= self.min_length and not released:
                return WedgeResult(WedgeAction.SCAN, body)
            return WedgeResult(WedgeAction.PASSTHROUGH, released + text)
        if len(text) > MAX_SCAN_CHARS:  # stuck key or runaway input: let it through
            self.reset()
            return WedgeResult(WedgeAction.PASSTHROUGH, released + text)
        if released:
            return WedgeResult(WedgeAction.PASSTHROUGH, released)
        return _BUFFERING

    def poll(self, t_ms: float) -> WedgeResult:
        """Release held-back characters once the burst has gone quiet (call from a timer)."""
        if self._buffer and self._last_ms is not None and t_ms - self._last_ms > self.max_interkey_ms:
            text = "".join(self._buffer)
            self.reset()
            return WedgeResult(WedgeAction.PASSTHROUGH, text)
        return _BUFFERING


class WedgeScanner(DeviceBase):
    """A keyboard-wedge scanner in the device manager (read by the kiosk window)."""

    kind = "wedge_scanner"
    capabilities = frozenset({Capability.SCAN})

    def __init__(self, connection: str = "", *, name: str | None = None,
                 on_status: StatusCallback | None = None, max_interkey_ms: float = 35,
                 suffix: str = "\r", min_length: int = 4) -> None:
        """`connection`: empty or `keyboard://` (it types into the window)."""
        super().__init__(parse_connection(connection or "keyboard://", allow=("keyboard",)),
                         name=name, on_status=on_status)
        WedgeDetector(max_interkey_ms, suffix, min_length)  # the same checks as the UI's
        self.max_interkey_ms = max_interkey_ms
        self.suffix = suffix
        self.min_length = min_length

    def open(self) -> None:
        self._set_status(DeviceState.IDLE, message="keyboard wedge: read by the kiosk window")

    def close(self) -> None:
        self._set_status(DeviceState.CLOSED)

    def check(self, timeout_s: float) -> DeviceStatus:
        """Nothing to ask: a wedge scanner is a keyboard, and a keyboard has no status."""
        return self.last_status
