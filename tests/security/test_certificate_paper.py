"""What the certificate services put on paper and where their numbers come from
(issue #10 §4): the kiosk prints only what the central service issued and registered
(证明号, 验证码, signed QR), masks the taxpayer for paper (张*丰, 1****************4), and
counts every voucher reprint at the central service before the slip says 补打.

Real parts throughout: the simulated hall (central service on loopback, the A4
printer driver writing PDFs, the ESC/POS receipt printer), the kiosk core's services,
an identity obtained by a sealed password login."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from central.db import IssuedCertificate, Payment
from central.registry import import_registry
from kiosk.scenario.runner import ScenarioSession
from kiosk.services.certificate_print import CertificatePrintError, CertificatePrintService
from kiosk.services.identity import IdentityService
from kiosk.services.voucher_reprint import VoucherReprintService
from offline_queue.certificates import verify_qr
from printing.pdf_read import pdf_qr_codes, pdf_text

pytestmark = pytest.mark.security

REGISTRY = Path(__file__).parents[1] / "scenarios" / "certificates_registry.json"
TIN = "11010219850312003X"
NAME = "欧阳明远"
VOUCHER = "3112024030000003"


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[ScenarioSession]:
    session = ScenarioSession(tmp_path, None, None)
    try:
        engine = session.hall.central.app.state.engine
        with Session(engine) as db:
            import_registry(db, json.loads(REGISTRY.read_text(encoding="utf-8")))
            db.commit()
        core = session.core
        core.enroll()
        identity = core.service("identity.login")
        assert isinstance(identity, IdentityService)
        core.identity.set(identity.login_password(TIN, "cert2024"))
        yield session
    finally:
        session.close()


def _count(session: ScenarioSession, model: type) -> int:
    with Session(session.hall.central.app.state.engine) as db:
        return int(db.execute(select(func.count()).select_from(model)).scalar_one())


def test_printed_certificate_is_the_registered_one_and_masked(hall: ScenarioSession) -> None:
    service = hall.core.service("certificate.print")
    assert isinstance(service, CertificatePrintService)
    cert = service.issue("document", voucher_no=VOUCHER)
    service.print(service.document(cert, "zh"), cert)
    hall.wait_until(lambda: len(hall.hall.a4.documents()) == 1, lambda: "nothing printed")
    pdf = hall.hall.a4.documents()[0]
    text = pdf_text(pdf)
    # Masked for paper; the full name and ID number are nowhere on it.
    assert "欧**远" in text and "1****************X" in text
    assert NAME not in text and TIN not in text
    # The number and the QR are the central's: registered, valid, signed by its key.
    assert cert.number in text
    r = httpx.get(f"{hall.hall.central_url}/v1/certificates/{cert.number}", timeout=10)
    assert r.status_code == 200 and r.json()["status"] == "valid"
    hall.core.download_reference()
    keys = {e.key: e.body for e in hall.core.reference.items("certificate_key")}
    [qr] = pdf_qr_codes(pdf)
    summary = verify_qr(qr, keys)
    assert summary.number == cert.number and summary.total == "1575.51"
    assert summary.taxpayer == "欧**远"


def test_bad_period_is_refused_before_anything_is_issued(hall: ScenarioSession) -> None:
    service = hall.core.service("certificate.print")
    assert isinstance(service, CertificatePrintService)
    before = _count(hall, IssuedCertificate)
    for period in (("202412", "202401"), ("202413", "202413"), ("2024", "202401"),
                   ("201001", "202412")):
        with pytest.raises(CertificatePrintError) as caught:
            service.issue("table", period_from=period[0], period_to=period[1])
        assert caught.value.code == "period.invalid"
    with pytest.raises(CertificatePrintError) as caught:  # the central: none in 2023
        service.issue("table", period_from="202301", period_to="202312")
    assert caught.value.code == "certificate.no_payments"
    assert _count(hall, IssuedCertificate) == before


def test_without_a_central_session_nothing_is_asked(hall: ScenarioSession) -> None:
    hall.core.identity.clear()
    service = hall.core.service("certificate.print")
    assert isinstance(service, CertificatePrintService)
    with pytest.raises(CertificatePrintError) as caught:
        service.issue("document", voucher_no=VOUCHER)
    assert caught.value.code == "session.needed"


def test_reprint_is_counted_centrally_and_marked(hall: ScenarioSession) -> None:
    service = hall.core.service("voucher.reprint")
    assert isinstance(service, VoucherReprintService)
    voucher = next(v for v in service.vouchers() if v.voucher_no == VOUCHER)
    assert voucher.printed == 0
    first = service.reprint(voucher, "zh")
    second = service.reprint(first, "en")
    assert (first.printed, second.printed) == (1, 2)
    with Session(hall.hall.central.app.state.engine) as db:
        row = db.execute(select(Payment).where(Payment.voucher_no == VOUCHER)).scalar_one()
        assert row.printed == 2
    hall.wait_until(lambda: len(hall.hall.printer.documents) == 2, lambda: "no slips")
    slips = [d.text for d in hall.hall.printer.documents]
    assert "补打 · 第 1 次打印" in slips[0] and "REPRINT · print no. 2" in slips[1]
    for slip in slips:
        assert "欧**远" in slip and "1****************X" in slip
        assert NAME not in slip and TIN not in slip
