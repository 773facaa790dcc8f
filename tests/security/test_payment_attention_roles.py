"""Payments needing attention (maintenance screen): only a role that may clear a
reconciliation difference (`reconciliation_clear`: technician) may ask the terminal
again; any other role sees the button greyed ("Not for your role"), the core refuses
and audits the attempt, and the order is left as it was. The list shows the taxpayer
masked (domain.md §9), never the clear ID number. Real core, central on loopback, the
real main window offscreen."""
from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from central.demo_data import DEMO_PERSON_ID
from drivers.payment.mispos import QUERY, VOID
from kiosk.app import KioskCore
from kiosk.config import parse_config
from kiosk.payments.model import PaymentItem, PaymentRequest
from kiosk.simulation import SimulatedHall
from kiosk.simulation.demo import DEMO_STAFF_CARD_UID, DEMO_STAFF_PIN
from kiosk.staff import AUDIT_KIND
from kiosk.staff.errors import StaffAuthError
from ui.main_window import MainWindow
from ui.ops import tracker
from ui.screens.maintenance import PAYMENT_CHECK_ACTION

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from kiosk_ui_helpers import shown_window  # noqa: E402

pytestmark = pytest.mark.security
WAIT_MS = 10000


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[SimulatedHall]:
    h = SimulatedHall(tmp_path / "hall").start()
    yield h
    h.stop()


@pytest.fixture
def core(hall: SimulatedHall, tmp_path: Path) -> Iterator[KioskCore]:
    base = parse_config({"data_dir": str(tmp_path / "kiosk"), "kiosk_id": "attn-kiosk"})
    base = replace(base, central=replace(base.central, offline_grace_s=0.0))
    c = KioskCore(hall.kiosk_config(base)).start(background_sync=False)
    yield c
    c.stop()


@pytest.fixture
def window(qapp: QApplication, qtbot, core: KioskCore) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    with shown_window(qapp, qtbot, core, "en") as w:
        yield w


def voiding_order(core: KioskCore) -> str:
    """An order central refused whose refund is not confirmed (as a crash between
    committing `voiding` and the void leaves it)."""
    assert core.payments.ready.wait(10)
    item = PaymentItem(kind="arrear", ref="个人所得税", label_zh="个人所得税",
                       label_en="Individual income tax", period="202001",
                       tax=Decimal("120.00"))
    store = core.payments.store
    order = store.create(PaymentRequest(service_id="tax.pay", items=(item,),
                                        tin=DEMO_PERSON_ID), "card")
    store.transition(order.id, "sent", reference=f"{order.id}-1", next_attempt=True)
    store.transition(order.id, "approved", trace_no="000001")
    store.transition(order.id, "voiding", message_code="central.payment.already_paid")
    return order.id


def sign_in(window: MainWindow, core: KioskCore, roles: tuple[str, ...]) -> Any:
    staff = window.staff
    assert staff is not None
    core.download_staff()
    staff.session = replace(core.staff.login(DEMO_STAFF_CARD_UID, DEMO_STAFF_PIN),
                            roles=roles)
    screen = staff.screen("maintenance")
    window.show_screen("maintenance")
    return screen


def audited(core: KioskCore) -> list[dict[str, Any]]:
    """The staff audit records in the outbox (kind staff.audit), oldest first."""
    views = [core.outbox.get(r.uuid) for r in core.outbox.pending()]
    return [v.payload for v in views
            if v is not None and v.kind == AUDIT_KIND and v.payload is not None]


def test_hall_staff_see_the_order_masked_but_may_not_ask_the_terminal(
        window: MainWindow, core: KioskCore, hall: SimulatedHall, qtbot) -> None:  # type: ignore[no-untyped-def]
    order_id = voiding_order(core)
    screen = sign_in(window, core, ("hall",))
    row_name = f"label.payments.{order_id}"
    qtbot.waitUntil(lambda: screen.findChild(QLabel, row_name) is not None, timeout=WAIT_MS)
    row = screen.findChild(QLabel, row_name).text()
    assert "110***********002X" in row
    shown = " ".join(label.text() for label in screen.findChildren(QLabel))
    assert DEMO_PERSON_ID not in shown and DEMO_PERSON_ID[:6] not in shown

    button = screen.findChild(QPushButton, "action.payments_check")
    assert button.isVisible() and not button.isEnabled()
    assert button.property("refused") is True and button.toolTip() == "Not for your role"
    note = screen.findChild(QLabel, "label.role_note")
    assert note.isVisible() and "Check with the terminal again" in note.text()

    asked = len(hall.payment.transactions), len(hall.payment.frames_of(QUERY))
    screen.check_payments()  # even called directly, nothing runs for this role
    tracker.wait_idle(timeout_s=5.0)
    assert (len(hall.payment.transactions), len(hall.payment.frames_of(QUERY))) == asked
    assert core.payments.store.get(order_id).state == "voiding"
    assert not screen.findChild(QLabel, "label.payments.result").isVisible()

    # The core refuses the action itself for the role, and audits the attempt.
    with pytest.raises(StaffAuthError) as info:
        window.staff.authorize(PAYMENT_CHECK_ACTION)
    assert info.value.code == "staff.not_allowed"
    refusal = audited(core)[-1]
    assert refusal["event"] == "refused"
    assert refusal["detail"] == {"action": PAYMENT_CHECK_ACTION, "roles": ["hall"]}
    assert not [t for t in hall.payment.transactions if t.kind == VOID]


def test_logistics_staff_do_not_see_payments(window: MainWindow, core: KioskCore,  # type: ignore[no-untyped-def]
                                             qtbot) -> None:
    order_id = voiding_order(core)
    screen = sign_in(window, core, ("logistics",))
    qtbot.wait(300)
    assert not screen.findChild(QPushButton, "action.payments_check").isVisible()
    row = screen.findChild(QLabel, f"label.payments.{order_id}")
    assert row is None or not row.isVisible()


def test_the_technicians_check_is_audited_without_taxpayer_data(
        window: MainWindow, core: KioskCore, qtbot) -> None:  # type: ignore[no-untyped-def]
    order_id = voiding_order(core)
    screen = sign_in(window, core, ("technician",))
    button = screen.findChild(QPushButton, "action.payments_check")
    qtbot.waitUntil(button.isVisible, timeout=WAIT_MS)
    screen.check_payments()
    result = screen.findChild(QLabel, "label.payments.result")
    qtbot.waitUntil(lambda: "Still open" in result.text() or "No payment is open" in
                    result.text(), timeout=WAIT_MS)
    record = [a for a in audited(core) if a["event"] == "action"][-1]
    assert record["detail"]["action"] == PAYMENT_CHECK_ACTION
    assert record["detail"]["what"] == "payment_orders"
    assert DEMO_PERSON_ID not in str(record) and order_id not in str(record)
