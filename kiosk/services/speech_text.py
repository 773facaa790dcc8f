"""What the voice guidance says, prepared from screen text (issue #13 §4). Qt-free.

A speech engine reads "144031900000123" as a number in the hundreds of trillions;
a taxpayer copying an invoice number or a reference needs it digit by digit. So
every code (a run of at least CODE_MIN characters made of digits, or of letters and
digits with at least one digit, possibly with dashes) is spelled out: digits by name,
letters one by one, in the session language. Masked parts ("9144********1234",
"张*丰") are not read star by star: they become "N hidden" / "隐去N位". Amounts such as
"¥1,234.56" stay numbers ("1234.56元" / "1234.56 yuan") - those are quantities.
"""
from __future__ import annotations

import re
from typing import Final

CODE_MIN: Final = 5  # shorter digit runs (a day, a count, a year) are numbers
ZH_DIGITS: Final = "零一二三四五六七八九"
EN_DIGITS: Final = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                    "nine")
LANGUAGES: Final = ("zh", "en")

_MONEY = re.compile(r"[¥￥]\s?(?P<amount>\d[\d,]*(?:\.\d+)?)")
# A code: letters, digits, masked stars (and inner dashes), with at least one digit;
# spelled when CODE_MIN long or more, or masked.
_CODE = re.compile(r"(?<![\w*])(?<!\d\.)(?=[A-Za-z0-9*-]*\d)"
                   r"[A-Za-z0-9*](?:[A-Za-z0-9*-]*[A-Za-z0-9*])?(?![\w*]|\.\d)")
_STARS = re.compile(r"\*+")
_SPACES = re.compile(r"\s+")


def _check(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")


def spell(code: str, language: str) -> str:
    """A code read character by character: digits by name, letters as letters,
    dashes as short pauses (commas), a masked run as how many are hidden."""
    _check(language)
    parts: list[str] = []
    for piece in re.split(r"(\*+)", code):
        if piece.startswith("*"):
            parts.append(f"隐去{len(piece)}位" if language == "zh" else f"{len(piece)} hidden")
            continue
        for ch in piece:
            if ch.isdigit():
                parts.append(ZH_DIGITS[int(ch)] if language == "zh" else EN_DIGITS[int(ch)])
            elif ch == "-":
                parts.append(",")
            elif ch.isalpha():
                parts.append(ch.upper())
    return " ".join(parts).replace(" ,", ",")


def _is_code(token: str) -> bool:
    return "*" in token or len(token.replace("-", "")) >= CODE_MIN


def speech_text(text: str, language: str) -> str:
    """Screen text made ready for a speech engine in `language` ("zh" or "en")."""
    _check(language)
    unit = "元" if language == "zh" else " yuan"
    out = _MONEY.sub(lambda m: m.group("amount").replace(",", "") + unit, text)
    out = _CODE.sub(lambda m: (" " + spell(m.group(0), language) + " ")
                    if _is_code(m.group(0)) else m.group(0), out)
    # Stars left over mask a name's characters (张*丰).
    out = _STARS.sub(lambda m: " " + spell(m.group(0), language) + " ", out)
    return _SPACES.sub(" ", out).strip()


def join_spoken(parts: list[str], language: str) -> str:
    """Several screen texts (title, instruction, result) as one utterance: each
    ends with a full stop so the engine pauses between them."""
    _check(language)
    stop = "。" if language == "zh" else "."
    sentences = []
    for part in parts:
        part = _SPACES.sub(" ", part).strip()
        if part:
            sentences.append(part if part[-1] in "。.!?！？:：" else part + stop)
    return " ".join(sentences)
