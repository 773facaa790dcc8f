"""Masking of personal data: the one table of domain.md §9, by field and surface.

Screens, printouts and the audit trail call `mask(field, value, surface)` and never
format personal data themselves. `None` from `mask` means the surface never shows the
field (logs and audit records keep no names, ID numbers or phone numbers).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Literal

Surface = Literal["screen", "paper", "log"]
Field = Literal["id_number", "name", "phone", "bank_card", "address", "bank_account",
                "uscc", "enterprise_name"]
SURFACES: tuple[Surface, ...] = ("screen", "paper", "log")


def _keep(value: str, head: int, tail: int) -> str:
    """`head` first and `tail` last characters kept, one * for each hidden one; a value
    too short to hide anything is hidden whole."""
    if len(value) <= head + tail:
        return "*" * len(value)
    return value[:head] + "*" * (len(value) - head - tail) + (value[-tail:] if tail else "")


def _name(name: str) -> str:
    """张三丰 -> 张*丰, 张三 -> *三, 欧阳娜娜 -> 欧**娜; Latin names: J*** S****."""
    if name.isascii():
        return " ".join(w[0] + "*" * (len(w) - 1) for w in name.split())
    if len(name) == 1:
        return "*"
    if len(name) == 2:
        return "*" + name[1]
    return name[0] + "*" * (len(name) - 2) + name[-1]


def _district(address: str) -> str:
    """The address up to its district/county (区/县/市 after the first six characters at
    most 12 in), the rest hidden; 北京市朝阳区建国路1号 -> 北京市朝阳区***."""
    for i, ch in enumerate(address[:12]):
        if ch in "区县旗" and i >= 2:
            return address[: i + 1] + "***"
    return address[:6] + "***" if address else ""


def _in_full(value: str) -> str:
    return value


_Rule = Callable[[str], str] | None

# field -> (screen, paper, log); None: never shown on that surface.
TABLE: dict[str, tuple[_Rule, _Rule, _Rule]] = {
    "id_number": (lambda v: _keep(v, 3, 4), lambda v: _keep(v, 1, 1), None),
    "name": (_name, _name, None),
    "phone": (lambda v: _keep(v, 3, 4), lambda v: _keep(v, 3, 4), None),
    "bank_card": (lambda v: "尾号 " + v[-4:] if len(v) >= 8 else "*" * len(v),
                  lambda v: _keep(v, 6, 4), lambda v: v[-4:] if len(v) >= 8 else ""),
    "address": (_district, _district, None),
    "bank_account": (lambda v: _keep(v, 0, 4), lambda v: _keep(v, 0, 4), None),
    "uscc": (_in_full, _in_full, _in_full),  # public register data
    "enterprise_name": (_in_full, _in_full, _in_full),
}


def mask(field: Field | str, value: str, surface: Surface) -> str | None:
    """`value` of `field` as `surface` may show it (None: never on that surface)."""
    try:
        rule = TABLE[field][SURFACES.index(surface)]
    except (KeyError, ValueError):
        raise ValueError(f"no masking rule for {field!r} on {surface!r}") from None
    if rule is None:
        return None
    value = value.strip()
    return rule(value) if value else ""


def mask_id_number(number: str) -> str:
    """Screen form: 110***********1234 (first 3, last 4)."""
    return mask("id_number", number, "screen") or ""


def mask_name(name: str) -> str:
    """Screen form: 张*丰, *三."""
    return mask("name", name, "screen") or ""


def mask_phone(phone: str) -> str:
    """Screen form: 138****5678."""
    return mask("phone", phone, "screen") or ""


def mask_id_card(fields: dict[str, str], surface: Surface = "screen") -> dict[str, str]:
    """An ID card's text fields (drivers.id_card `as_dict()`) as `surface` may show them:
    name, number and address masked, the birth date hidden (with it the masked number
    would be easy to rebuild); fields a surface never shows are left out."""
    out: dict[str, str] = {}
    for key, value in fields.items():
        if key in ("name", "id_number", "address"):
            shown = mask(key, value, surface)
            if shown is not None:
                out[key] = shown
        elif key == "birth":
            out[key] = "****-**-**"
        else:
            out[key] = value
    return out
