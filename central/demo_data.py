"""Demo invoice registry covering every verification outcome.

`central/demo/invoices.csv` is a template in the public import format with two
differences: `issued_on` may be `today-N` (N days before the service's today, so the
demo never ages out of the 5-year window) and a trailing `label` column says what the
row demonstrates. `load_demo_data` renders the template for a given day and feeds it
through the public importer, so the demo also exercises the import path.

`load_demo_staff` adds the demo staff account (reference data of kind "staff");
`withdraw_demo_staff` removes it again when the service starts without demo data.
"""
from __future__ import annotations

import csv
import io
import re
import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.db import ReferenceItem
from central.invoice_import import REQUIRED_COLUMNS, ImportReport, import_invoices_csv
from central.reference import parse_items, upsert_items
from central.verification import china_today

_RELATIVE = re.compile(r"today-([0-9]+)")


def _template_rows() -> list[dict[str, str]]:
    text = resources.files("central").joinpath("demo/invoices.csv").read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _issued_on(text: str, today: date) -> date:
    match = _RELATIVE.fullmatch(text)
    if match:
        return today - timedelta(days=int(match.group(1)))
    return date.fromisoformat(text)


def demo_invoices(today: date) -> list[dict[str, Any]]:
    """The demo registry as of `today`: dicts with type_code, code, number, issued_on
    (date), amount and total (Decimal), check_code, status, seller_name, buyer_name and
    a human `label` saying which outcome the row demonstrates."""
    rows = []
    for raw in _template_rows():
        rows.append({
            "type_code": raw["type_code"],
            "code": raw["code"],
            "number": raw["number"],
            "issued_on": _issued_on(raw["issued_on"], today),
            "amount": Decimal(raw["amount"]),
            "total": Decimal(raw["total"]),
            "check_code": raw["check_code"],
            "status": raw["status"],
            "seller_name": raw["seller_name"] or None,
            "buyer_name": raw["buyer_name"] or None,
            "label": raw["label"],
        })
    return rows


def demo_csv(today: date) -> str:
    """The demo registry rendered in the public import format."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow((*REQUIRED_COLUMNS, "seller_name", "buyer_name"))
    for row in demo_invoices(today):
        writer.writerow([row["type_code"], row["code"], row["number"],
                         row["issued_on"].isoformat(), row["amount"], row["total"],
                         row["check_code"], row["status"], row["seller_name"] or "",
                         row["buyer_name"] or ""])
    return out.getvalue()


def load_demo_data(session: Session, today: date) -> ImportReport:
    """Upsert the demo registry as of `today` (idempotent). The caller commits."""
    report = import_invoices_csv(session, io.StringIO(demo_csv(today), newline=""))
    if report.errors:  # the template is part of the package: a bad row is a bug
        raise ValueError(f"demo data has bad rows: {report.errors}")
    return report


# Computed at import time from the real date in China; tests and scenarios that inject
# another "today" should call demo_invoices(today) instead.
DEMO_INVOICES: list[dict[str, Any]] = demo_invoices(china_today())


# The demo staff account, demo data only: staff id DEMO01 (hall, technician), the
# simulated staff card kiosk.simulation.demo.DEMO_STAFF_CARD_UID and PIN
# kiosk.simulation.demo.DEMO_STAFF_PIN ("246810"). Precomputed with
# kiosk.staff.staff_reference_item (central imports nothing from kiosk/), so it stores
# only the card's digest and the PIN's scrypt hash; a test checks that they match.
# `"demo": true` marks it (kiosks ignore the extra field) so withdraw_demo_staff finds
# it; the card and PIN are public, so it must never outlive the demo.
DEMO_MARKER = "demo"
DEMO_STAFF_ITEM: dict[str, Any] = {
    "kind": "staff",
    "key": "7511ddbb2ef47ea97e36588c9c1207d727f5e98d888b8ed141d31d9813f6788d",
    "body": {"staff_id": "DEMO01", "roles": ["hall", "technician"],
             "pin": "scrypt$16384$8$1$keVVPY3Js9wDhNqqXLgZcw==$"
                    "jKVzsbdgqW8bSNv8zylzAaPkgW0EulIgkAw/CQRO3I8=",
             DEMO_MARKER: True},
}


def load_demo_staff(session: Session, now: datetime) -> bool:
    """Add the demo staff account unless it is already there unchanged (so a restart
    does not make every kiosk download it again); commits. True if it was stored."""
    item = DEMO_STAFF_ITEM
    body = json.dumps(item["body"], ensure_ascii=False, sort_keys=True)
    row = session.execute(select(ReferenceItem).where(
        ReferenceItem.kind == item["kind"], ReferenceItem.key == item["key"])
    ).scalar_one_or_none()
    if row is not None and not row.deleted and row.body == body:
        return False
    upsert_items(session, parse_items(item), now)
    return True


def _is_demo_staff(row: ReferenceItem) -> bool:
    """The demo account: its card (the public simulated card, whatever the body says,
    as stored before the marker existed) or any staff item marked `"demo": true`."""
    if row.key == DEMO_STAFF_ITEM["key"]:
        return True
    try:
        body = json.loads(row.body or "null")
    except ValueError:
        return False
    return isinstance(body, dict) and body.get(DEMO_MARKER) is True


def withdraw_demo_staff(session: Session, now: datetime) -> list[str]:
    """Withdraw every demo staff account still current, through the normal reference
    path (a deletion with a new updated_seq), so enrolled kiosks drop it at their next
    staff download; commits. Returns the withdrawn keys ([] most of the time)."""
    rows = session.execute(select(ReferenceItem).where(
        ReferenceItem.kind == DEMO_STAFF_ITEM["kind"], ReferenceItem.deleted.is_(False))
    ).scalars().all()
    keys = sorted(row.key for row in rows if _is_demo_staff(row))
    if keys:
        upsert_items(session, parse_items([{"kind": DEMO_STAFF_ITEM["kind"], "key": key,
                                            "deleted": True} for key in keys]), now)
    return keys
