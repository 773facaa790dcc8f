"""Translated sentences for error codes raised by the Qt-free core.

The core raises errors with stable codes; this table turns a code into a sentence in
the taxpayer's language (English source, Chinese in ui/i18n/kiosk_zh_CN.ts).
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QT_TRANSLATE_NOOP

from ui.i18n import fill

if TYPE_CHECKING:
    from kiosk.staff.auth import StaffAuthError

_CTX = "Messages"

MESSAGES: dict[str, str] = {
    "qr.invalid": QT_TRANSLATE_NOOP("Messages", "This QR code cannot be read as an invoice. Please scan the QR code printed on the invoice."),
    "qr.not_invoice": QT_TRANSLATE_NOOP("Messages", "This is not an invoice QR code. Please scan the QR code printed on the invoice."),
    "qr.url": QT_TRANSLATE_NOOP("Messages", "This QR code is a web address, not an invoice. Please scan the QR code printed on the invoice."),
    "qr.too_long": QT_TRANSLATE_NOOP("Messages", "This is not an invoice QR code. Please scan the QR code printed on the invoice."),
    "qr.empty": QT_TRANSLATE_NOOP("Messages", "Nothing was scanned. Please try again."),
    "qr.truncated": QT_TRANSLATE_NOOP("Messages", "Only part of the QR code was read. Please hold the invoice still and scan again."),
    "qr.version": QT_TRANSLATE_NOOP("Messages", "This QR code version is not supported. Please type the invoice details instead."),
    "qr.type": QT_TRANSLATE_NOOP("Messages", "This invoice type cannot be verified here."),
    "qr.code": QT_TRANSLATE_NOOP("Messages", "The invoice code in the QR code is damaged. Please type the invoice details instead."),
    "qr.number": QT_TRANSLATE_NOOP("Messages", "The invoice number in the QR code is damaged. Please type the invoice details instead."),
    "qr.amount": QT_TRANSLATE_NOOP("Messages", "The amount in the QR code is damaged. Please type the invoice details instead."),
    "qr.date": QT_TRANSLATE_NOOP("Messages", "The date in the QR code is not a real date. Please type the invoice details instead."),
    "qr.check_code": QT_TRANSLATE_NOOP("Messages", "The check code in the QR code has the wrong length. Please type the invoice details instead."),
    "qr.crc_format": QT_TRANSLATE_NOOP("Messages", "The QR code is damaged. Please scan again or type the invoice details."),
    "qr.slip_damaged": QT_TRANSLATE_NOOP("Messages", "The code on this slip is damaged. Please ask the hall staff for help."),
    "required": QT_TRANSLATE_NOOP("Messages", "Please fill in this field."),
    "code.length": QT_TRANSLATE_NOOP("Messages", "The invoice code has 10 or 12 digits."),
    "code.type_mismatch": QT_TRANSLATE_NOOP("Messages", "This invoice code belongs to another invoice type."),
    "number.length8": QT_TRANSLATE_NOOP("Messages", "The invoice number has 8 digits."),
    "number.length20": QT_TRANSLATE_NOOP("Messages", "The invoice number has 20 digits."),
    "date.invalid": QT_TRANSLATE_NOOP("Messages", "Enter a real date as 8 digits, e.g. 20240514."),
    "amount.invalid": QT_TRANSLATE_NOOP("Messages", "Enter the amount in yuan, e.g. 1024.50."),
    "check6.length": QT_TRANSLATE_NOOP("Messages", "Enter the last 6 digits of the check code."),
    "type.unknown": QT_TRANSLATE_NOOP("Messages", "Choose the invoice type first."),
    "paper_empty": QT_TRANSLATE_NOOP("Messages", "The printer is out of paper. Please ask the hall staff for help."),
    "paper_near_end": QT_TRANSLATE_NOOP("Messages", "The printer paper is running low."),
    "cover_open": QT_TRANSLATE_NOOP("Messages", "The printer cover is open. Please ask the hall staff for help."),
    "no_hardware": QT_TRANSLATE_NOOP("Messages", "This terminal has no receipt printer."),
    "offline": QT_TRANSLATE_NOOP("Messages", "The printer is not responding. Please ask the hall staff for help."),
    "timeout": QT_TRANSLATE_NOOP("Messages", "The printer is not responding. Please ask the hall staff for help."),
    "failure": QT_TRANSLATE_NOOP("Messages", "The printer reported a fault. Please ask the hall staff for help."),
    "jam": QT_TRANSLATE_NOOP("Messages", "The printer paper is jammed. Please ask the hall staff for help."),
    "busy": QT_TRANSLATE_NOOP("Messages", "The printer is busy. Please try again in a moment."),
    "illegal": QT_TRANSLATE_NOOP("Messages", "The printer is not set up correctly. Please ask the hall staff for help."),
    "central.rejected": QT_TRANSLATE_NOOP("Messages", "The tax service could not accept these details. Please check them and try again."),
    "queue.limit": QT_TRANSLATE_NOOP("Messages", "The tax service cannot be reached and this terminal has already saved as many requests as it may. Please try again later or ask the hall staff for help."),
    "internal": QT_TRANSLATE_NOOP("Messages", "Something went wrong. Nothing was recorded. Please try again."),
    # Form fields of the flow kit (ui/flow/fields.py), by kind.
    "digits.invalid": QT_TRANSLATE_NOOP("Messages", "Enter digits only."),
    "code.invalid": QT_TRANSLATE_NOOP("Messages", "Enter letters and digits only."),
    "choice.invalid": QT_TRANSLATE_NOOP("Messages", "Please choose one of the options."),
    "too_long": QT_TRANSLATE_NOOP("Messages", "This is too long."),
    # Scans no service takes (home screen).
    "scan.unknown": QT_TRANSLATE_NOOP("Messages", "This code cannot be used at this terminal. Please scan an invoice QR code or the QR code on a slip from this system."),
    # Why a service's tile is greyed (kiosk.services.availability reason codes).
    "unavailable.device": QT_TRANSLATE_NOOP("Messages", "Not available right now: a device it needs is out of order. Please ask the hall staff."),
    "unavailable.offline": QT_TRANSLATE_NOOP("Messages", "Not available right now: the tax service cannot be reached. Please try again later."),
    "unavailable.hours": QT_TRANSLATE_NOOP("Messages", "Not available at this time of day. Please see the opening hours."),
    "unavailable.devices_unknown": QT_TRANSLATE_NOOP("Messages", "Not available right now: its devices have not been checked yet."),
    "unavailable.staff_only": QT_TRANSLATE_NOOP("Messages", "For the hall staff only."),
    "unavailable": QT_TRANSLATE_NOOP("Messages", "Not available right now. Please ask the hall staff."),
    # Staff sign-in (kiosk.staff.StaffAuthError codes); staff read these, not taxpayers.
    "staff.unknown_card": QT_TRANSLATE_NOOP("Messages", "This card is not a staff card of this terminal."),
    "staff.pin_format": QT_TRANSLATE_NOOP("Messages", "A PIN is 6 to 8 digits. Please enter it again."),
    "staff.bad_pin": QT_TRANSLATE_NOOP("Messages", "Wrong PIN. Please try again."),
    "staff.bad_pin.left": QT_TRANSLATE_NOOP("Messages", "Wrong PIN. Attempts left before the card is locked: %1."),
    "staff.locked": QT_TRANSLATE_NOOP("Messages", "Too many wrong PINs: this card is locked for now. Please try again later."),
    "staff.locked.until": QT_TRANSLATE_NOOP("Messages", "Too many wrong PINs: this card is locked until %1."),
    "staff.failed": QT_TRANSLATE_NOOP("Messages", "Sign-in is not possible right now. Please try again."),
    "staff.kiosk_locked": QT_TRANSLATE_NOOP("Messages", "Staff sign-in is locked on this terminal: its record of wrong PINs cannot be read. Please ask a technician."),
    "staff.kiosk_locked.until": QT_TRANSLATE_NOOP("Messages", "Staff sign-in is locked on this terminal until %1: its record of wrong PINs was damaged."),
    "staff.not_allowed": QT_TRANSLATE_NOOP("Messages", "Your role may not do this."),
}


def message(code: str, *args: object) -> str:
    """The sentence for `code` in the current language; `args` fill %1, %2, ..."""
    text = _lookup(code)
    return fill(text, *args) if args else text


def unavailable_code(reason: str) -> str:
    """The message code for an availability reason code (kiosk.services.availability):
    `device:<code>`, `offline`, `hours`, ..."""
    key = "unavailable.device" if reason.startswith("device:") else f"unavailable.{reason}"
    return key if key in MESSAGES else "unavailable"


def unavailable_message(reason: str) -> str:
    """The sentence under a greyed tile for an availability reason code."""
    return message(unavailable_code(reason))


def _lookup(code: str) -> str:
    source = MESSAGES.get(code) or MESSAGES.get(code.split(".")[0] + ".invalid") \
        or MESSAGES["internal"]
    return QCoreApplication.translate(_CTX, source)


def staff_auth_message(exc: "StaffAuthError") -> str:
    """The sentence for a refused staff sign-in: attempts left after a wrong PIN, the
    local time (HH:MM) a locked card unlocks."""
    code = exc.code
    if code == "staff.bad_pin" and exc.attempts_left is not None:
        return message("staff.bad_pin.left", exc.attempts_left)
    if code in ("staff.locked", "staff.kiosk_locked") and exc.locked_until is not None:
        return message(f"{code}.until", local_hhmm(exc.locked_until))
    if code in MESSAGES:
        return message(code)
    return message("staff.failed")


def local_hhmm(moment: datetime) -> str:
    """HH:MM in the hall's time zone (a naive datetime is taken as UTC)."""
    from kiosk.hall_time import to_hall

    return to_hall(moment).strftime("%H:%M")
