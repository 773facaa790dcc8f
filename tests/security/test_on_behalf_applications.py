"""代开 applications listed back to their applicant (issue #12 §4): a paid application
whose invoice was never issued (the person left before the payment was recorded) is
found again at the next visit, on a real central service over loopback HTTP. Only the
session person's own applications are ever listed: another person's session, a
session held at another kiosk, or no session get none of them."""
from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "central"))

from test_lottery import (  # noqa: E402,F401
    DEMO_CARD,
    ENROLMENT_TOKEN,
    PERSON,
    STRANGER,
    TODAY,
    call,
    kiosk,
    server,
    session,
)

from central.server import CentralServer  # noqa: E402
from kiosk.central_client import CentralRejected  # noqa: E402

pytestmark = pytest.mark.security


@pytest.fixture(scope="module")
def other_kiosk(server: CentralServer) -> Iterator[tuple[Any, Any]]:  # noqa: F811
    from kiosk.central_client import CentralClient
    from offline_queue.crypto import KioskKeys

    keys = KioskKeys.generate()
    client = CentralClient((server.url,), f"K-other-{uuid.uuid4().hex[:6]}", timeout_s=10.0)
    assert client.enroll(keys, token=ENROLMENT_TOKEN, hall_id="demo-hall")["approved"]
    yield client, keys
    client.close()


def quote(kiosk: Any, token: str, price: str) -> dict[str, Any]:  # noqa: F811
    return call(kiosk, "on_behalf.quote", {
        "session": token, "buyer": {"name": "北京示范文化有限公司"},
        "lines": [{"name": "翻译服务", "quantity": "1", "unit_price": price,
                   "amount": f"{Decimal(price):.2f}"}]})


def book(server: CentralServer, tin: str, app: dict[str, Any], order: str) -> None:  # noqa: F811
    """The payment record arriving after the person left (as a kiosk's sync books it)."""
    from central.kinds.tax_payment import TaxPaymentKind
    from offline_queue.payloads import TaxPaymentPayload

    pay = TaxPaymentPayload.model_validate({
        "order_id": order, "tin": tin, "service_id": "invoice.issue_on_behalf",
        "method": "card", "paid_fen": int(Decimal(app["tax_due"]) * 100),
        "paid_at": datetime.now(UTC),
        "items": [{"kind": "on_behalf", "ref": app["application_no"], "period": "202606",
                   "label_zh": "代开发票税费", "tax": app["tax_due"]}]})
    with server.app.state.central.sessions() as db:
        [result] = TaxPaymentKind().results(db, [pay], TODAY)
        db.commit()
    assert result["status"] == "recorded", result


def listed(kiosk: Any, token: str) -> dict[str, str]:  # noqa: F811
    apps = call(kiosk, "on_behalf.applications", {"session": token})["applications"]
    return {a["application_no"]: a["status"] for a in apps}


def test_only_the_session_person_s_applications_are_listed(
        server: CentralServer, kiosk: Any, other_kiosk: Any) -> None:  # noqa: F811
    mine = session(kiosk)
    paid = quote(kiosk, mine, "2020")
    quoted = quote(kiosk, mine, "1010")
    book(server, PERSON, paid, f"ORDER-left-{uuid.uuid4().hex[:8]}")
    theirs_token = session(kiosk, STRANGER)  # ends ours: one session per kiosk
    theirs = quote(kiosk, theirs_token, "3030")
    book(server, STRANGER["id_number"], theirs, f"ORDER-them-{uuid.uuid4().hex[:8]}")
    seen_by_them = listed(kiosk, theirs_token)
    assert seen_by_them[theirs["application_no"]] == "paid"
    assert paid["application_no"] not in seen_by_them
    assert quoted["application_no"] not in seen_by_them

    # The person comes back: their paid application waits to be issued, theirs only.
    mine = session(kiosk, DEMO_CARD)
    seen = listed(kiosk, mine)
    assert seen[paid["application_no"]] == "paid"
    assert seen[quoted["application_no"]] == "quoted"
    assert theirs["application_no"] not in seen
    apps = call(kiosk, "on_behalf.applications", {"session": mine})["applications"]
    assert all(set(a) == {"application_no", "status", "created_at", "buyer", "total",
                          "tax_due", "invoice_number"} for a in apps)
    issued = call(kiosk, "on_behalf.issue", {"session": mine,
                                             "application_no": paid["application_no"]})
    seen = listed(kiosk, mine)
    assert seen[paid["application_no"]] == "issued"
    entry = next(a for a in call(kiosk, "on_behalf.applications", {"session": mine})[
        "applications"] if a["application_no"] == paid["application_no"])
    assert entry["invoice_number"] == issued["invoice"]["number"]

    # A session token used from another kiosk, or made up, lists nothing.
    for token in (mine, "x" * 43):
        with pytest.raises(CentralRejected) as exc:
            call(other_kiosk, "on_behalf.applications", {"session": token})
        assert exc.value.status == 401 and "session.expired" in exc.value.reason
    with pytest.raises(CentralRejected) as exc:  # no session at all
        call(kiosk, "on_behalf.applications", {})
    assert exc.value.status == 422
