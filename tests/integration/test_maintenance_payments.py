"""Payments needing attention on the maintenance screen: a card payment central refused
whose refund's answer was lost (order stuck in `voiding`, the taxpayer at the counter)
is listed for staff, masked; "Check with the terminal again" asks the real terminal
simulator (pty) on a worker and the order is given back. Real core, outbox, central on
loopback."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from central.demo_data import DEMO_PERSON_ID
from drivers.payment.mispos import VOID
from kiosk.payments.model import PaymentItem, PaymentRequest
from kiosk.simulation.demo import DEMO_STAFF_CARD_UID, DEMO_STAFF_PIN

WAIT_MS = 15000


@pytest.fixture
def kiosk_settings() -> dict[str, Any]:
    # A payment waits 1 s for central's answer, then stays "approved" (link down).
    return {"payment": {"record_wait_s": 1.0}}


def wait_for(predicate: Callable[[], bool], timeout: float = 20.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def stuck_void(hall: Any, core: Any) -> str:
    """A card sale for a debt central does not know (it refuses the payment), taken
    while the link was down; once it is back central refuses, the kiosk voids the sale
    at the terminal, and the terminal's answer to the void is lost: `voiding`."""
    assert core.payments.ready.wait(10), "start-up resolution did not finish"
    item = PaymentItem(kind="arrear", ref="个人所得税", label_zh="个人所得税",
                       label_en="Individual income tax", period="202001",
                       tax=Decimal("120.00"))
    request = PaymentRequest(service_id="tax.pay", items=(item,),
                             business={"kind": "arrears"}, tin=DEMO_PERSON_ID)
    hall.network.set_online(False)
    outcome = core.payments.pay_card(request)
    assert outcome.state == "approved", outcome  # paid, awaiting the tax office
    terminal = core.driver("payment_terminal")
    terminal.transaction_timeout_s = 2.0
    hall.payment.crash_after_approve = True  # the void goes through; its answer is lost
    hall.network.set_online(True)
    core.drain_queue(timeout_s=10)
    store = core.payments.store

    def lost() -> bool:
        order = store.get(outcome.order_id)
        ref = order.detail.get("void_reference") if order is not None else None
        job = terminal.journal.get(ref) if ref else None
        return order.state == "voiding" and job is not None and job.state == "unknown"

    assert wait_for(lost), store.get(outcome.order_id)
    voids = [t for t in hall.payment.transactions if t.kind == VOID]
    assert len(voids) == 1 and voids[0].response_code == "00"  # the card got it back
    return outcome.order_id


def open_maintenance(window: Any, core: Any, roles: tuple[str, ...]) -> Any:
    """Signed in (the demo card and PIN through the real core) with `roles` only."""
    staff = window.staff
    core.download_staff()
    session = core.staff.login(DEMO_STAFF_CARD_UID, DEMO_STAFF_PIN)
    staff.session = replace(session, roles=roles)
    screen = staff.screen("maintenance")
    window.show_screen("maintenance")
    window.set_language("en")
    return screen


def test_staff_see_a_stuck_refund_and_the_terminal_confirms_it(window, hall, core,  # type: ignore[no-untyped-def]
                                                               qtbot) -> None:
    order_id = stuck_void(hall, core)
    screen = open_maintenance(window, core, ("technician",))
    row_name = f"label.payments.{order_id}"
    qtbot.waitUntil(lambda: screen.findChild(QLabel, row_name) is not None, timeout=WAIT_MS)
    row = screen.findChild(QLabel, row_name)
    text = row.text()
    assert f"Order …{order_id[-8:]}" in text and "bank card" in text
    assert "¥120.00" in text and "refund not confirmed yet" in text
    assert "Taxpayer 110***********002X" in text and DEMO_PERSON_ID not in text
    assert screen.findChild(QLabel, "label.heading.payments").text() \
        == "Payments needing attention"

    button = screen.findChild(QPushButton, "action.payments_check")
    assert button.isVisible() and button.isEnabled() and not button.property("refused")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    result = screen.findChild(QLabel, "label.payments.result")
    qtbot.waitUntil(lambda: "No payment is open now." in result.text(), timeout=WAIT_MS)
    assert f"Order …{order_id[-8:]}: now money given back." in result.text()
    # The list is read again: the order is gone, one calm line instead.
    qtbot.waitUntil(lambda: screen.findChild(QLabel, row_name) is None, timeout=WAIT_MS)
    calm = screen.findChild(QLabel, "label.payments.none")
    assert calm is not None and calm.text() == "No payment needs attention."
    assert not button.isVisible()

    order = core.payments.store.get(order_id)
    assert order.state == "voided" and order.detail.get("void_trace")
    # Asked, not voided a second time: the card was given the money back once.
    assert len([t for t in hall.payment.transactions if t.kind == VOID]) == 1
    assert core.payments.store.unresolved() == []


def test_nothing_open_is_said_in_one_calm_line(window, hall, core, qtbot) -> None:  # type: ignore[no-untyped-def]
    screen = open_maintenance(window, core, ("hall",))
    qtbot.waitUntil(lambda: screen.findChild(QLabel, "label.payments.none") is not None,
                    timeout=WAIT_MS)
    assert screen.findChild(QLabel, "label.payments.none").text() \
        == "No payment needs attention."
    assert not screen.findChild(QPushButton, "action.payments_check").isVisible()
