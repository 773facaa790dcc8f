#!/usr/bin/env python3
"""Render 99-kiosk.rules.template with one terminal's device ids.

    python3 deploy/udev/render_rules.py VALUES.env > /etc/udev/rules.d/99-kiosk.rules

VALUES.env has one NAME=value per line (PRINTER_VENDOR=0fe6, PRINTER_SERIAL=A1B2C3, ...;
`#` comments allowed). A device whose values are all missing is left out (the terminal
has none); a device with only some of them is an error, and so is a value that would
widen a rule (udev glob characters, quotes, blanks), so the rules stay exact-match.
Standalone: no project imports, so it runs on a machine being installed.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

TEMPLATE = Path(__file__).with_name("99-kiosk.rules.template")
_PLACEHOLDER = re.compile(r"@([A-Z][A-Z0-9_]*)@")
_HEX4 = re.compile(r"^[0-9a-fA-F]{4}$")
_SERIAL = re.compile(r"^[A-Za-z0-9._:+-]{1,126}$")  # no udev glob characters


class RulesError(ValueError):
    """A value is missing or malformed; the message says which and why."""


def parse_values(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        name, value = name.strip(), value.strip().strip('"').strip("'")
        if not sep or not re.fullmatch(r"[A-Z][A-Z0-9_]*", name):
            raise RulesError(f"line {number}: expected NAME=value, got {raw!r}")
        values[name] = value
    return values


def check_value(name: str, value: str) -> str:
    if name.endswith(("_VENDOR", "_PRODUCT")):
        if not _HEX4.match(value):
            raise RulesError(f"{name}={value!r}: expected 4 hex digits (idVendor / idProduct)")
        return value.lower()
    if not _SERIAL.match(value):
        raise RulesError(f"{name}={value!r}: letters, digits and . _ : + - only "
                         "(no blanks, quotes or glob characters)")
    return value


def render(template: str, values: dict[str, str]) -> str:
    """The rules text; raises RulesError for a missing or malformed value."""
    out: list[str] = []
    pending_comments: list[str] = []
    for line in template.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            pending_comments.append(line)
            continue
        names = _PLACEHOLDER.findall(line)
        missing = [n for n in names if n not in values]
        if names and len(missing) == len(names):
            # Not installed on this terminal: drop the rule and its own comment.
            while pending_comments and pending_comments[-1].lstrip().startswith("#"):
                pending_comments.pop()
            continue
        if missing:
            raise RulesError(f"missing {', '.join(missing)} (the other values of this "
                             "device are given)")
        out += pending_comments
        pending_comments = []
        out.append(_PLACEHOLDER.sub(lambda m: check_value(m.group(1), values[m.group(1)]), line))
    out += [c for c in pending_comments if not c.strip()]
    text = "\n".join(out).rstrip("\n") + "\n"
    return re.sub(r"\n{3,}", "\n\n", text)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        values = parse_values(Path(argv[0]).read_text(encoding="utf-8"))
        sys.stdout.write(render(TEMPLATE.read_text(encoding="utf-8"), values))
    except (OSError, RulesError) as exc:
        print(f"render_rules: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
