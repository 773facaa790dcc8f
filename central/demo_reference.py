"""Demo reference data for the guidance services (issue #13): the files under
central/demo/ in the `kiosk central --add-reference` format, written from public
guidance (docs/automation.md, "Reference data for guidance").

- guide.json: 65 catalogue matters (kind `guide`) and the departure-refund page
  (kind `article`);
- faq.json: 150 12366 answers (kind `faq`);
- calendar.json: the 2026 filing deadlines by month (kind `calendar`), as published:
  already moved past the public holidays;
- announcements.json: notices and policies (kind `announcement`);
- cases.json: published major tax violation cases (kind `case`) and the A-rated
  taxpayers (kind `a_level`). Every name in them is fictitious ("示例…").
"""
from __future__ import annotations

import json
from datetime import datetime
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.db import ReferenceItem
from central.reference import ReferenceInput, parse_items, upsert_items

DEMO_REFERENCE_FILES = ("guide.json", "faq.json", "calendar.json", "announcements.json",
                        "cases.json")


def demo_reference_items() -> list[ReferenceInput]:
    """Every demo reference item, checked like an operator's file."""
    items: list[ReferenceInput] = []
    for name in DEMO_REFERENCE_FILES:
        text = resources.files("central").joinpath(f"demo/{name}").read_text("utf-8")
        items += parse_items(json.loads(text))
    return items


def load_demo_reference(session: Session, now: datetime) -> int:
    """Store the demo items that are missing or differ (so a restart does not make
    every kiosk download them again); commits. Returns how many were stored."""
    items = demo_reference_items()
    current = {(row.kind, row.key): (row.body, row.deleted) for row in session.execute(
        select(ReferenceItem).where(ReferenceItem.kind.in_({i.kind for i in items}))
    ).scalars()}
    changed = [item for item in items
               if current.get((item.kind, item.key)) != (
                   json.dumps(item.body, ensure_ascii=False, sort_keys=True), False)]
    if changed:
        upsert_items(session, changed, now)
    return len(changed)
