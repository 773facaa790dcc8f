"""The shape of what a heartbeat may say about a device beyond its state.

The wire model (offline_queue.wire.Heartbeat) keeps `devices` a bounded
dict[str, Any], so a kiosk of a newer version can report more without breaking an
older central service. What the fleet page reads from it is checked here, before
anything is stored: an invoice dispenser's stock per cassette
(`"cassettes": [{"slot": 1, "kind": "增值税普通发票", "remaining": 120, "loaded": 250,
"low": false, "empty": false, "blocked": null}, ...]`). A heartbeat that breaks the
shape is refused with 422 and changes nothing.
"""
from __future__ import annotations

from typing import Any

MAX_CASSETTES = 16  # the simulated and the reference dispensers have 4
MAX_SHEETS = 2**32  # the dispenser protocol's 32-bit invoice numbers
MAX_KIND_CHARS = 32
MAX_BLOCKED_CHARS = 200
_INTS = {"slot", "remaining", "loaded"}
_BOOLS = {"low", "empty"}
_KEYS = _INTS | _BOOLS | {"kind", "blocked"}


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _cassette_problem(index: int, c: Any, seen: set[int]) -> str | None:
    where = f"cassettes[{index}]"
    if not isinstance(c, dict):
        return f"{where} must be an object"
    unknown = sorted(set(c) - _KEYS)
    if unknown:
        return f"{where}: unknown field(s) {', '.join(unknown)[:100]}"
    for key in ("slot", "remaining"):
        if key not in c:
            return f"{where}: {key} is required"
    for key in _INTS & set(c):
        if not _whole(c[key]):
            return f"{where}.{key} must be a whole number"
    if not 1 <= c["slot"] <= MAX_CASSETTES:
        return f"{where}.slot must be 1..{MAX_CASSETTES}"
    if c["slot"] in seen:
        return f"{where}.slot {c['slot']} is reported twice"
    seen.add(c["slot"])
    for key in ("remaining", "loaded"):
        if key in c and not 0 <= c[key] <= MAX_SHEETS:
            return f"{where}.{key} must be 0..{MAX_SHEETS}"
    for key in _BOOLS & set(c):
        if not isinstance(c[key], bool):
            return f"{where}.{key} must be true or false"
    kind = c.get("kind", "")
    if not isinstance(kind, str) or len(kind) > MAX_KIND_CHARS:
        return f"{where}.kind must be text of at most {MAX_KIND_CHARS} characters"
    blocked = c.get("blocked")
    if blocked is not None and (not isinstance(blocked, str) or len(blocked) > MAX_BLOCKED_CHARS):
        return f"{where}.blocked must be null or text of at most {MAX_BLOCKED_CHARS} characters"
    return None


def devices_problem(devices: dict[str, Any]) -> str | None:
    """Why the heartbeat's `devices` cannot be kept (in words), or None if it can."""
    for name, entry in devices.items():
        if not isinstance(entry, dict) or "cassettes" not in entry:
            continue
        cassettes = entry["cassettes"]
        if not isinstance(cassettes, list):
            return f"devices.{name[:64]}.cassettes must be a list"
        if len(cassettes) > MAX_CASSETTES:
            return f"devices.{name[:64]}.cassettes: at most {MAX_CASSETTES} cassettes"
        seen: set[int] = set()
        for index, c in enumerate(cassettes):
            problem = _cassette_problem(index, c, seen)
            if problem:
                return f"devices.{name[:64]}.{problem}"
    return None
