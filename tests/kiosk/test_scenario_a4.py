"""The scenario runner and the A4 printer (issue #10 §5): a certificate issued by the
hall's central service for the demo person, printed on the simulated hall's A4 printer
through the kiosk's own driver, is found by `expect_printed` (text from the PDF), its
QR is read from the rendered page by `scan_printed_qr` and the certificate.verify
screen says it is genuine; `--artifacts` keeps receipts and PDFs in print order."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from central.demo_data import DEMO_PERSON_ID, DEMO_PERSON_NAME
from kiosk.domain.masking import mask
from kiosk.scenario.runner import ScenarioSession, StepFailed
from printing.certificate import certificate_document
from printing.document import Cut, Document, QrCode, Text


@pytest.fixture
def session(tmp_path: Path) -> Iterator[ScenarioSession]:
    s = ScenarioSession(tmp_path, None, None, artifacts=tmp_path / "artifacts")
    try:
        yield s
    finally:
        s.close()


def issue_certificate(session: ScenarioSession) -> dict:
    core = session.core
    core.enroll()
    login = core.central.sealed_call(core.keys, "identity.id_card", "identity/id-card", {
        "id_number": DEMO_PERSON_ID, "name": DEMO_PERSON_NAME, "valid_until": "长期"})
    today = datetime.now()
    period = f"{today.year - 1}{today.month:02d}"
    cert = core.central.sealed_call(core.keys, "certificate.issue", "certificate/issue", {
        "session": login["identity"]["session"], "kind": "record",
        "period_from": period, "period_to": period})["certificate"]
    # The kiosk masks for paper (domain.md §9) before the document is built.
    cert["taxpayer"] = {"tin": mask("id_number", DEMO_PERSON_ID, "paper"),
                        "name": mask("name", DEMO_PERSON_NAME, "paper")}
    return cert


def test_a4_prints_are_expected_scanned_and_kept(session: ScenarioSession,
                                                 tmp_path: Path) -> None:
    cert = issue_certificate(session)
    receipt = session.core.driver("receipt_printer")
    receipt.print_document(Document([Text("RECEIPT BEFORE"), QrCode("TAXKIOSK:NOTHING"), Cut()]))
    session.wait_until(lambda: len(session.hall.printer.documents) == 1, lambda: "no receipt")
    a4 = session.core.driver("a4_printer")
    a4.print_document(certificate_document(cert, printed_at=datetime.now(),
                                           kiosk_id="scenario-kiosk"))
    session.do_expect_printed("RECEIPT BEFORE")
    session.do_expect_printed("纳税记录")
    session.do_expect_printed(cert["number"])
    with pytest.raises(StepFailed):
        session.do_expect_printed(cert["number"])  # matched once already
    # Before the kiosk holds the issuer's key, the signature cannot be checked.
    session.do_scan_printed_qr(None)  # the A4 page printed last: its QR
    session.wait_until(lambda: "无法验证" in session.visible_text(),
                       lambda: f"not refused:\n{session.visible_text()}")
    session.core.download_reference()  # the key arrives with the reference data
    session.do_tap("action.again")
    session.do_scan_printed_qr(None)
    session.wait_until(lambda: "真实有效" in session.visible_text()
                       or "Genuine" in session.visible_text(),
                       lambda: f"not genuine on screen:\n{session.visible_text()}")
    assert DEMO_PERSON_NAME not in session.visible_text()
    session.watch_prints()
    kept = sorted(p.name for p in (tmp_path / "artifacts").iterdir())
    assert kept == ["001-receipt.txt", "002-a4.pdf"]
    assert "RECEIPT BEFORE" in (tmp_path / "artifacts" / "001-receipt.txt").read_text()
