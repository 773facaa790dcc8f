"""Helpers shared by the central tests (a module, so tests can import it)."""
from __future__ import annotations

from datetime import date
from typing import Any

from central.demo_data import demo_invoices

TODAY = date(2026, 6, 15)  # the service's injected clock in every test
ADMIN_TOKEN = "admin-secret-for-tests"
ENROLMENT_TOKEN = "enrol-secret-for-tests"


def demo(label_start: str) -> dict[str, Any]:
    """The demo invoice whose label starts with `label_start` (as of TODAY)."""
    matches = [row for row in demo_invoices(TODAY) if row["label"].startswith(label_start)]
    assert len(matches) == 1, (label_start, matches)
    return matches[0]


def verify_body(row: dict[str, Any], **changes: object) -> dict[str, Any]:
    """The JSON a kiosk sends to verify a registry row (fields chosen by type)."""
    fully_digital = row["type_code"] in ("31", "32", "51")
    general = row["type_code"] in ("04", "10", "11", "14")
    body = {
        "type_code": row["type_code"],
        "code": row["code"],
        "number": row["number"],
        "issued_on": row["issued_on"].isoformat(),
        "amount": None if general else str(row["total"] if fully_digital else row["amount"]),
        "check_code_last6": row["check_code"][-6:] if general else None,
    }
    body.update(changes)
    return body
