"""Redaction of personal numbers in log records, whatever a caller passes (Qt-free;
the kiosk and the central service both install it).

Callers never log personal data (domain.md §9: ID and phone numbers never, bank cards
last 4 only); this filter keeps it so by construction. On every handler it rewrites
the message, the arguments and the exception / stack text, replacing anything shaped
like:

- a resident ID number: 17 digits and a check digit or X (an 18-digit run whose
  birth-date digits are a real date, or a 15-digit first-generation one);
- a mainland mobile number: 1[3-9] and 9 more digits (also as 3-4-4 with spaces or
  dashes);
- a bank card number: 13 to 19 digits in a run or in groups of 4, Luhn-valid or not
  (only its last 4 digits stay).

A number counts only as a whole: digits or ASCII letters next to it make it part of
something else (hex digests, UUIDs, a 20-digit check code or fully-digital invoice
number), and a fraction after a decimal point is not one. So seq numbers, UUIDs, ISO
timestamps, 8-digit invoice numbers and 10/12-digit invoice codes stay, and so does an
all-digit enterprise credit code (USCC, public register data) whose check character is
right and whose digits 7-14 are not a date. An integer epoch in milliseconds is 13
digits and reads as a card: log times as ISO text.
"""
from __future__ import annotations

import logging
import re
from datetime import date
from typing import Any

ID_MARK = "[id-number]"
PHONE_MARK = "[phone]"

_B = r"(?<![0-9A-Za-z])(?<!\d\.)"  # not inside a word, a hex run or a fraction
_E = r"(?![0-9A-Za-z])(?!\.\d)"

_ID_X = re.compile(_B + r"\d{17}[Xx]" + _E)
_PHONE = re.compile(_B + r"1[3-9]\d(?:\d{8}|[ -]\d{4}[ -]\d{4})" + _E)
_DIGIT_RUN = re.compile(_B + r"\d{13,19}" + _E)
_GROUPED = re.compile(_B + r"\d{4}(?:[ -]\d{4}){2,3}(?:[ -]\d{1,3})?" + _E)

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _birth_date(digits: str) -> bool:
    """Whether digits 7-14 of an 18-digit number are a real birth date."""
    try:
        born = date(int(digits[6:10]), int(digits[10:12]), int(digits[12:14]))
    except ValueError:
        return False
    return 1900 <= born.year <= 2100


def _uscc(digits: str) -> bool:
    """Whether an 18-digit string is a well-formed enterprise credit code."""
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(digits[:17], _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31] == digits[17]


def _card(match: re.Match[str]) -> str:
    text = match.group()
    digits = re.sub(r"\D", "", text)
    if not 13 <= len(digits) <= 19:
        return text
    if len(digits) == 15 and text == digits and _birth_date(
            digits[:6] + "19" + digits[6:12]):
        return ID_MARK  # a first-generation ID number (YYMMDD birth date)
    if len(digits) == 18 and text == digits:
        if _birth_date(digits):
            return ID_MARK
        if _uscc(digits):
            return text  # an enterprise's public code, not a person's number
    return f"[card …{digits[-4:]}]"


def redact(text: str) -> str:
    """`text` with every ID-, phone- and card-shaped number replaced."""
    if not any(c.isdigit() for c in text):
        return text
    text = _ID_X.sub(ID_MARK, text)
    text = _PHONE.sub(PHONE_MARK, text)
    text = _DIGIT_RUN.sub(_card, text)
    return _GROUPED.sub(_card, text)


def _redact_arg(value: Any) -> Any:
    """A %-argument with personal numbers replaced: a string stays a string; another
    value is kept unless its text holds one (then its redacted text replaces it)."""
    if isinstance(value, str):
        return redact(value)
    if value is None or isinstance(value, bool):
        return value
    try:
        text = str(value)
    except Exception:  # noqa: BLE001 - a broken __str__ is the formatter's problem
        return value
    clean = redact(text)
    return value if clean == text else clean


class RedactingFilter(logging.Filter):
    """Rewrites a record in place (every later handler sees the redacted record);
    never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            original = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string: log what there is
            original = f"{record.msg} {record.args!r}"
        # Keep msg and args apart where possible (uvicorn's access formatter reads the
        # args); if the message still shows a number (split over arguments, or a
        # format that no longer fits), freeze the redacted text instead.
        try:
            if isinstance(record.msg, str):
                record.msg = redact(record.msg)
            if isinstance(record.args, dict):
                record.args = {k: _redact_arg(v) for k, v in record.args.items()}
            elif isinstance(record.args, tuple):
                record.args = tuple(_redact_arg(v) for v in record.args)
            message = record.getMessage()
            if redact(message) != message:
                raise ValueError("a personal number spans arguments")
        except Exception:  # noqa: BLE001
            record.msg, record.args = redact(original), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
            # Formatters print exc_text; dropping exc_info keeps any that would format
            # the exception again from printing the unredacted text.
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FORMATTER = logging.Formatter()
_FILTER = RedactingFilter()


def install(*logger_names: str) -> None:
    """Add the filter (once) to every handler of the root logger, of `logger_names`
    (e.g. uvicorn's, which do not propagate) and to logging's last-resort handler.
    Call it again after handlers change."""
    handlers = list(logging.getLogger().handlers)
    for name in logger_names:
        handlers.extend(logging.getLogger(name).handlers)
    if logging.lastResort is not None:
        handlers.append(logging.lastResort)
    for handler in handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(_FILTER)
