"""Field specs of the form screen, and the rules each field kind brings (Qt-free).

A form is a tuple of `FieldSpec`; the kind decides what may be typed (the validator's
pattern and the default length), which keys of the in-app keypad show and the shape
check that runs before the service's own rules. The service adds its rules through the
form screen's `check()` (e.g. an invoice code's length for the chosen invoice type).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import Enum


class Kind(str, Enum):
    DIGITS = "digits"  # invoice numbers, codes of digits only, PINs
    AMOUNT = "amount"  # yuan with at most two decimals
    DATE = "date"  # YYYYMMDD, typed as 8 digits
    CODE = "code"  # letters and digits (a TIN, a pickup code); X on the keypad
    CHOICE = "choice"  # one of a few values, as a row of buttons
    TEXT = "text"  # free text (names); the system's input method, no keypad
    PASSWORD = "password"  # hidden as typed; digits and letters on the keypad


@dataclass(frozen=True)
class KindRule:
    pattern: str | None  # what the field accepts while typing (None: anything)
    max_length: int
    keypad: bool
    dot: bool = False
    x: bool = False
    letters: bool = False  # the keypad's letter rows (upper case first for a code)
    secret: bool = False  # echo mode Password


RULES: dict[Kind, KindRule] = {
    Kind.DIGITS: KindRule(r"[0-9]*", 32, keypad=True),
    Kind.AMOUNT: KindRule(r"[0-9]{0,12}(\.[0-9]{0,2})?", 15, keypad=True, dot=True),
    Kind.DATE: KindRule(r"[0-9]{0,8}", 8, keypad=True),
    Kind.CODE: KindRule(r"[0-9A-Za-z]*", 32, keypad=True, x=True, letters=True),
    Kind.CHOICE: KindRule(None, 0, keypad=False),
    Kind.TEXT: KindRule(None, 100, keypad=False),
    # Typing stops at 256 so that an over-long password gets a message, not silence.
    Kind.PASSWORD: KindRule(r"[\x21-\x7e]*", 256, keypad=True, letters=True, secret=True),
}


@dataclass(frozen=True)
class FieldSpec:
    """One field. `name` gives the automation names: `field.<name>` and `error.<name>`
    for inputs; `<name>.<choice>` for the buttons of a choice and
    `label.<name>_prompt` for its prompt. `max_length` 0 means the kind's default."""

    name: str
    kind: Kind
    max_length: int = 0
    choices: tuple[str, ...] = ()
    columns: int = 2  # buttons per row of a choice
    required: bool = True

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", self.name):
            raise ValueError(f"field name {self.name!r}: lower case, digits and _ only")
        if (self.kind is Kind.CHOICE) != bool(self.choices):
            raise ValueError(f"field {self.name!r}: choices belong to (and only to) a choice")

    @property
    def rule(self) -> KindRule:
        return RULES[self.kind]

    @property
    def length(self) -> int:
        return self.max_length or self.rule.max_length


_DIGITS = re.compile(r"[0-9]+")
_AMOUNT = re.compile(r"[0-9]{1,12}(\.[0-9]{1,2})?")
_CODE = re.compile(r"[0-9A-Za-z]+")


def check_kind(spec: FieldSpec, value: str) -> str | None:
    """The kind's own check of a finished value: a ui/messages.py code, or None."""
    value = value.strip()
    if not value:
        return "required" if spec.required else None
    kind = spec.kind
    if kind is Kind.DIGITS and not _DIGITS.fullmatch(value):
        return "digits.invalid"
    if kind is Kind.AMOUNT:
        try:
            ok = _AMOUNT.fullmatch(value) is not None and Decimal(value) >= 0
        except InvalidOperation:
            ok = False
        if not ok:
            return "amount.invalid"
    if kind is Kind.DATE:
        try:
            if len(value) != 8 or not value.isdigit():
                raise ValueError
            date(int(value[:4]), int(value[4:6]), int(value[6:]))
        except ValueError:
            return "date.invalid"
    if kind is Kind.CODE and not _CODE.fullmatch(value):
        return "code.invalid"
    if kind is Kind.CHOICE and value not in spec.choices:
        return "choice.invalid"
    if len(value) > spec.length:
        return "too_long"
    return None
