"""JSON from untrusted input with size and depth limits (Qt-free, shared by the
central service and the kiosk).

`json.loads` recurses once per nesting level: a few thousand `[` make it raise
RecursionError, and a document just under the interpreter's limit still breaks every
later recursive step (pydantic, `json.dumps`, the signature digest). So untrusted JSON
is decoded here: at most `max_chars` characters and `max_depth` levels of nested
arrays/objects, else `JsonLimitError` (a ValueError) with a reason fit for a 4xx or an
exit-2 message.
"""
from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 32  # reference bodies and bundles need 4 or 5 levels
MAX_CHARS = 16 * 1024 * 1024

# A JSON string with its escapes (unrolled, so the regex engine does not backtrack).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_INNERMOST = re.compile(r"\[\]|\{\}")


class JsonLimitError(ValueError):
    """Not JSON, or JSON beyond the size or depth limit."""


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH,
          max_chars: int = MAX_CHARS, what: str = "JSON") -> Any:
    """Decode `text` (str, or UTF-8 bytes); JsonLimitError if it is too large, too
    deeply nested, not UTF-8 or not JSON. `what` names the input in the reason."""
    if len(text) > max_chars:
        raise JsonLimitError(f"{what} is larger than {max_chars} characters")
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise JsonLimitError(f"{what} is not UTF-8 text") from None
    too_deep = JsonLimitError(f"{what} is nested more than {max_depth} levels deep")
    # Cheap bound first: a document with few brackets cannot be deep (most are not).
    deep = text.count("[") + text.count("{") > max_depth and not _within(text, max_depth)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise JsonLimitError(f"{what} is not valid JSON ({exc.msg} at line "
                             f"{exc.lineno} column {exc.colno})") from None
    except RecursionError:
        raise too_deep from None
    if deep:  # valid JSON (so the bracket scan was right), but too deep
        raise too_deep
    return value


def _within(text: str, max_depth: int) -> bool:
    """Whether the brackets outside strings nest at most max_depth deep and balance.
    Only the brackets are kept, then innermost pairs are removed once per level: a
    few passes in C, whatever the size. False for unbalanced text too (json.loads
    then names the syntax error)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    for _ in range(max_depth):
        if not brackets:
            return True
        brackets, removed = _INNERMOST.subn("", brackets)
        if not removed:
            return False
    return not brackets


def depth_of(value: Any, limit: int = MAX_DEPTH) -> int:
    """Nesting depth of decoded JSON (a scalar is 0), counted without recursion and
    stopping just past `limit`."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        level += 1
        deepest = max(deepest, level)
        if deepest > limit:
            return deepest
        stack.extend((child, level) for child in children
                     if isinstance(child, (dict, list)))
    return deepest
