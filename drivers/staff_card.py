"""Staff card reader: an RFID reader that types each card's UID as a hex line.

Hall staff open maintenance mode with their card. Such readers (RS-232 or USB-CDC)
send the UID as ASCII hex followed by CR LF, exactly like a serial scanner, so this
driver is the serial scanner's reader thread (reconnect, noise and truncation
handling included) with a UID check on top: hex, 4 to 10 bytes. Most readers repeat
the UID while the card lies on them; repeats within `debounce_s` are one tap.

A UID is a credential: it is never logged.
"""
from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable

from .base import StatusCallback
from .device import Capability
from .serial_scanner import BACKOFF_MAX_S, BACKOFF_START_S, SerialScanner

_log = logging.getLogger("drivers.staff_card")

_SEPARATORS = re.compile(r"[\s:\-]")
_HEX = re.compile(r"^[0-9A-F]+$")
UID_MIN_HEX, UID_MAX_HEX = 8, 20  # 4..10 bytes (ISO 14443 UIDs are 4, 7 or 10)


def normalise_uid(text: str) -> str | None:
    """The UID as upper-case hex without separators, or None if it is not one."""
    uid = _SEPARATORS.sub("", text).upper()
    if not (UID_MIN_HEX <= len(uid) <= UID_MAX_HEX) or len(uid) % 2 or not _HEX.match(uid):
        return None
    return uid


class StaffCardReader(SerialScanner):
    """`start()`, card UIDs arrive on `on_card` (on the reader thread), `stop()`."""

    kind = "staff_card_reader"
    capabilities = frozenset({Capability.READ_STAFF_CARD})

    def __init__(
        self,
        connection: str,
        on_card: Callable[[str], None],
        *,
        suffix: str = "\r\n",
        debounce_s: float = 1.0,
        on_status: StatusCallback | None = None,
        name: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        backoff_start_s: float = BACKOFF_START_S,
        backoff_max_s: float = BACKOFF_MAX_S,
    ) -> None:
        """`backoff_*`: the reopen policy after an unplug (the device manager's)."""
        super().__init__(connection, suffix=suffix, on_scan=self._on_line,
                         on_status=on_status, name=name, clock=clock,
                         backoff_start_s=backoff_start_s, backoff_max_s=backoff_max_s)
        self.on_card = on_card
        self.debounce_s = debounce_s
        self._last_uid = ""
        self._last_at = float("-inf")
        self._uid_lock = threading.Lock()

    def seconds_since_card(self) -> float:
        """Seconds since the last UID line (inf before the first): the same card read
        again sooner than `debounce_s` after it counts as the same tap."""
        with self._uid_lock:
            return self._clock() - self._last_at

    def _on_line(self, text: str) -> None:
        uid = normalise_uid(text)
        if uid is None:
            self._count("invalid_uids")
            _log.info("%s: ignored a %d-character line that is not a card UID",
                      self.name, len(text))
            return
        now = self._clock()
        with self._uid_lock:
            repeat = uid == self._last_uid and now - self._last_at < self.debounce_s
            self._last_uid, self._last_at = uid, now
        if repeat:
            self._count("repeats")
            return
        self._count("cards")
        self.on_card(uid)  # SerialScanner._deliver catches a listener's exception
