"""Fill the Chinese catalogue from translation files, so parallel work never edits the
.ts file at the same time: each change writes its new strings to a JSON file in
ui/i18n/pending/ (`{"<context>": {"<English source>": "<中文>"}}`), and one run of

    make translations && .venv/bin/python deploy/dev/fill_translations.py && make translations

puts them into ui/i18n/kiosk_zh_CN.ts (marking them finished) and deletes the files
it used up. Entries whose source is not (or no longer) in the catalogue are reported
and kept, so nothing is lost silently. Exit 1 when some entry could not be placed.
"""
from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parents[2] / "ui" / "i18n"
TS = HERE / "kiosk_zh_CN.ts"
PENDING = HERE / "pending"


def fill(ts_path: Path = TS, pending_dir: Path = PENDING) -> list[str]:
    """Apply every pending file; returns the entries that found no message."""
    tree = ET.parse(ts_path)
    messages: dict[tuple[str, str], ET.Element] = {}
    for context in tree.getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            messages[(name, message.findtext("source") or "")] = message
    left: list[str] = []
    for path in sorted(pending_dir.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        unplaced: dict[str, dict[str, str]] = {}
        for context, entries in data.items():
            for source, text in entries.items():
                message = messages.get((context, source))
                if message is None:
                    unplaced.setdefault(context, {})[source] = text
                    left.append(f"{path.name}: {context}: {source!r}")
                    continue
                translation = message.find("translation")
                if translation is None:
                    translation = ET.SubElement(message, "translation")
                translation.text = text
                translation.attrib.pop("type", None)  # finished
        if unplaced:
            path.write_text(json.dumps(unplaced, ensure_ascii=False, indent=1) + "\n",
                            encoding="utf-8")
        else:
            path.unlink()
    body = ET.tostring(tree.getroot(), encoding="unicode")
    ts_path.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n",
                       encoding="utf-8")
    return left


if __name__ == "__main__":
    missing = fill()
    for line in missing:
        print(f"not in the catalogue (run `make translations` first?): {line}",
              file=sys.stderr)
    sys.exit(1 if missing else 0)
