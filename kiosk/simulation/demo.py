"""Demo inputs: QR texts for the demo invoices, as the invoices' own QR codes would
carry them, and the demo staff card."""
from __future__ import annotations

from datetime import date
from typing import Any

from ..domain.crc import crc16_umts

# The demo staff account (DEMO01, roles hall + technician) that `kiosk central
# --demo-data` provisions (central/demo_data.py holds its reference item, which stores
# only the card's digest and the PIN's scrypt hash). The simulated staff card reader
# taps this card by default. Demo data only: no real kiosk has this account.
DEMO_STAFF_ID = "DEMO01"
DEMO_STAFF_ROLES = ("hall", "technician", "logistics")
DEMO_STAFF_CARD_UID = "04A2B3C4D5E6F7"
DEMO_STAFF_PIN = "246810"  # demo data only; never a real PIN


def invoice_qr_text(inv: dict[str, Any]) -> str:
    """Build the QR text of a registry invoice (domain.md §1), with a valid CRC."""
    fully_digital = inv["type_code"] in ("31", "32", "51")
    amount = inv["total"] if fully_digital else inv["amount"]
    body = ",".join(["01", inv["type_code"], inv["code"], inv["number"], f"{amount}",
                     inv["issued_on"].strftime("%Y%m%d"), inv.get("check_code") or ""]) + ","
    return f"{body}{crc16_umts(body.encode()):04X},"


def demo_qr_texts(today: date | None = None) -> list[tuple[str, str]]:
    """(label, QR text) for every demo invoice."""
    from central.demo_data import demo_invoices
    from central.verification import china_today

    return [(inv["label"], invoice_qr_text(inv)) for inv in demo_invoices(today or china_today())]
