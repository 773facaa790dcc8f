"""Masking of personal data for screens, paper and anything else a person may see."""
from __future__ import annotations


def mask_id_number(number: str) -> str:
    """110105********002X: region kept, birth date and sequence hidden."""
    number = number.strip()
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_name(name: str) -> str:
    """张三 -> 张*; 欧阳娜娜 -> 欧***; John Smith -> J*** S****."""
    name = name.strip()
    if not name:
        return ""
    if name.isascii():
        return " ".join(w[0] + "*" * (len(w) - 1) for w in name.split())
    return name[0] + "*" * (len(name) - 1)


def mask_phone(phone: str) -> str:
    """13812345678 -> 138****5678."""
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
