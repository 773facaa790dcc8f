"""A result slip printed for a result that came back through the queue carries the
request's short reference (the one on the queued slip), so the taxpayer can match the
two. A real KioskCore against the simulated hall: the central service on loopback behind
a network switch, the TCP receipt printer, real SQLite."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from central.verification import china_today
from kiosk.app import KioskCore
from kiosk.config import parse_config
from kiosk.domain import VerificationQuery, parse_invoice_qr, query_from_qr
from kiosk.services.verify_outcomes import Queued, Verified
from kiosk.services.views import short_reference
from kiosk.simulation import SimulatedHall
from kiosk.simulation.demo import invoice_qr_text


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[SimulatedHall]:
    h = SimulatedHall(tmp_path / "hall").start()
    yield h
    h.stop()


@pytest.fixture
def core(hall: SimulatedHall, tmp_path: Path) -> Iterator[KioskCore]:
    assert hall.network is not None
    base = parse_config({"data_dir": str(tmp_path / "kiosk"), "kiosk_id": "test-kiosk",
                         "central": {"urls": [hall.network.url], "timeout_s": 2.0}})
    base = replace(base, central=replace(base.central, offline_grace_s=0.0))
    c = KioskCore(hall.kiosk_config(base)).start(background_sync=False)
    yield c
    c.stop()


def query() -> VerificationQuery:
    """A genuine invoice of the demo data, as its QR code says it."""
    return query_from_qr(parse_invoice_qr(invoice_qr_text({
        "type_code": "10", "code": "033002600111", "number": "31415926", "amount": "88.50",
        "total": "93.81", "issued_on": china_today() - timedelta(days=7),
        "check_code": "19387263548102954712"})))


def test_a_result_slip_after_a_queued_result_shows_the_short_reference(
        core: KioskCore, hall: SimulatedHall) -> None:
    assert hall.network is not None
    service = core.service("invoice.verify")
    hall.network.set_online(False)
    queued = service.verify(query(), "zh")
    assert isinstance(queued, Queued)
    hall.network.set_online(True)
    report = core.drain_queue(timeout_s=20)
    assert report.error is None and report.remaining == 0

    outcome = service.lookup(queued.reference)
    assert isinstance(outcome, Verified) and outcome.reference == queued.reference
    before = len(hall.printer.documents)
    service.print_result(outcome, "zh")
    doc = hall.printer.wait_for_documents(before + 1, timeout=8)[-1]
    printed = "\n".join(doc.lines)
    assert short_reference(queued.reference) in printed
    # The UUID stays behind the short reference: in the slip's code, not its text.
    assert queued.reference not in printed


def test_a_direct_result_slip_has_no_reference(core: KioskCore, hall: SimulatedHall) -> None:
    service = core.service("invoice.verify")
    outcome = service.verify(query(), "en")
    assert isinstance(outcome, Verified) and outcome.reference is None
    before = len(hall.printer.documents)
    service.print_result(outcome, "en")
    doc = hall.printer.wait_for_documents(before + 1, timeout=8)[-1]
    assert not any("Reference" in line for line in doc.lines)
