"""Stable device error codes, modelled on UnifiedPOS.

`DeviceErrorCode` says what kind of failure happened (the UI picks its message and the
maintenance screen its advice from it); `DeviceCondition` is the device-specific detail
("extended" code in UnifiedPOS terms: paper empty, cover open, ...). Both are `str`
enums so their `.value` can go into logs, translations and the automation contract.
"""
from __future__ import annotations

from enum import Enum


class DeviceErrorCode(str, Enum):
    """What went wrong, independent of the device kind."""

    NO_HARDWARE = "no_hardware"  # not configured, not present, driver library missing
    OFFLINE = "offline"  # present but unreachable: unplugged, powered off, refused
    TIMEOUT = "timeout"  # no answer within the deadline: never read as "OK"
    BUSY = "busy"  # another job holds the device
    FAILURE = "failure"  # the device answered and reports a fault (see the condition)
    ILLEGAL = "illegal"  # the request makes no sense for this device / state

    def __str__(self) -> str:
        return self.value


class DeviceCondition(str, Enum):
    """Device-specific detail of an error or warning (UnifiedPOS "extended" codes)."""

    # receipt / invoice printers
    PAPER_EMPTY = "paper_empty"
    PAPER_NEAR_END = "paper_near_end"
    COVER_OPEN = "cover_open"
    JAM = "jam"  # paper jam or auto-cutter error
    # card readers, payment terminals
    NO_CARD = "no_card"
    CARD_REMOVED = "card_removed"
    CARD_UNREADABLE = "card_unreadable"
    CARD_UNSUPPORTED = "card_unsupported"  # e.g. a foreigner's card on an ID card reader
    # dispensers
    STOCK_EMPTY = "stock_empty"
    STOCK_LOW = "stock_low"
    DOOR_OPEN = "door_open"  # the stock/service door (a printer has a cover instead)
    # transports
    BAD_REPLY = "bad_reply"  # bytes that do not fit the protocol
    OVERFLOW = "overflow"  # input longer than the protocol allows

    def __str__(self) -> str:
        return self.value


class DeviceError(Exception):
    """A device operation failed; `code` and `extended` are stable, `message` is for logs.

    The message must never contain personal data (scanned IDs, card numbers).
    """

    def __init__(
        self,
        code: DeviceErrorCode,
        message: str,
        extended: DeviceCondition | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.extended = extended
        self.message = message

    @property
    def condition(self) -> DeviceCondition | None:
        """Alias of `extended`, for readers who do not know UnifiedPOS."""
        return self.extended

    def __str__(self) -> str:
        detail = f"{self.code.value}/{self.extended.value}" if self.extended else self.code.value
        return f"[{detail}] {self.message}"

    def __repr__(self) -> str:
        return f"DeviceError({self.code!s}, {self.message!r}, extended={self.extended!s})"
