"""代开 (issue #12 §4) through the real window (offscreen), the simulated hall and its
central service: the person's tax was paid but they left before the payment was
recorded, so the invoice was never issued. At their next visit the entry screen lists
that application with `action.issue.<application_no>`; a tap issues it (once: central
answers the same invoice again), and it leaves the list. Both languages."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel, QPushButton

from central.lottery import china_day
from kiosk.app import KioskCore
from kiosk.services.issue_on_behalf import parse_line
from kiosk.simulation import SimulatedHall
from ui.main_window import MainWindow

SERVICE = "invoice.issue_on_behalf"


def on(window: MainWindow, screen_id: str) -> bool:
    return window.current_screen().screen_id == screen_id


def shown(window: MainWindow) -> str:
    return "\n".join(w.text() for w in window.findChildren(QLabel) if w.isVisible())


def visible_buttons(window: MainWindow, prefix: str) -> list[QPushButton]:
    return [b for b in window.findChildren(QPushButton)
            if b.objectName().startswith(prefix) and b.isVisible()]


def sign_in(qtbot, window: MainWindow, hall: SimulatedHall, core: KioskCore,  # type: ignore[no-untyped-def]
            lang: str) -> Any:
    hall.id_card.remove_card()
    window.start_session(lang)
    window.open_service(SERVICE)
    assert on(window, "identity.login")
    watch = core.service("identity.login").watch
    qtbot.waitUntil(lambda: watch is not None and watch.armed, timeout=10_000)
    seen = watch.empty_polls
    qtbot.waitUntil(lambda: watch.empty_polls > seen, timeout=10_000)
    hall.id_card.insert_card()
    qtbot.waitUntil(lambda: on(window, SERVICE), timeout=10_000)
    flow = window.flows[SERVICE]
    qtbot.waitUntil(lambda: flow.book is not None and not flow.busy, timeout=10_000)
    return flow


def book_payment(hall: SimulatedHall, tin: str, app: dict[str, Any]) -> None:
    """The card payment's record reaching central after the person had gone."""
    from central.kinds.tax_payment import TaxPaymentKind
    from offline_queue.payloads import TaxPaymentPayload

    now = datetime.now(UTC)
    pay = TaxPaymentPayload.model_validate({
        "order_id": f"ORDER-{uuid.uuid4().hex[:12]}", "tin": tin,
        "service_id": SERVICE, "method": "card",
        "paid_fen": int(Decimal(app["tax_due"]) * 100), "paid_at": now,
        "items": [{"kind": "on_behalf", "ref": app["application_no"],
                   "period": f"{now:%Y%m}", "label_zh": "代开发票税费",
                   "tax": app["tax_due"]}]})
    assert hall.central is not None
    with hall.central.app.state.central.sessions() as db:
        [result] = TaxPaymentKind().results(db, [pay], china_day(now))
        db.commit()
    assert result["status"] == "recorded", result


@pytest.mark.parametrize("lang", ("zh", "en"))
def test_paid_but_unissued_is_issued_at_the_next_visit(qtbot, window: MainWindow,  # type: ignore[no-untyped-def]
                                                       core: KioskCore, hall: SimulatedHall,
                                                       lang: str) -> None:
    flow = sign_in(qtbot, window, hall, core, lang)
    assert not visible_buttons(window, "action.issue.")
    # The first visit: quoted, paid at the terminal, and the person leaves before the
    # payment record reaches central (so nothing was issued).
    app = flow.service.quote({"name": "北京示范文化有限公司", "tin": ""},
                             [parse_line("翻译服务", "2", "1010")])
    tin = flow.seller()["tin"]
    named_logout = visible_buttons(window, "action.logout")
    named_logout[0].click()
    qtbot.waitUntil(lambda: on(window, "attract"), timeout=10_000)
    book_payment(hall, tin, app)

    # The next visit: the entry screen offers to issue it.
    flow = sign_in(qtbot, window, hall, core, lang)
    number = app["application_no"]
    qtbot.waitUntil(lambda: bool(visible_buttons(window, f"action.issue.{number}")),
                    timeout=10_000)
    [button] = visible_buttons(window, "action.issue.")
    assert button.objectName() == f"action.issue.{number}"
    assert number in button.text() and "¥ 2,020.00" in button.text()
    assert ("已缴税、尚未开具发票" if lang == "zh" else "paid but the invoice was not issued") \
        in shown(window)
    window.grab().save(f"/tmp/on_behalf_unissued_{lang}.png")
    button.click()
    qtbot.waitUntil(lambda: on(window, "invoice.issue_on_behalf.issued"), timeout=10_000)
    issued = flow.issued
    assert issued is not None and issued["application"]["application_no"] == number
    assert issued["application"]["status"] == "issued"
    assert issued["invoice"]["total"] == "2020.00"
    # As on every invoice: 单价 and 金额 exclude tax, 税额 apart (2 × 1,010 incl. 1 %).
    [line] = issued["invoice"]["items"]
    assert (line["unit_price"], line["amount"]) == ("1000", "2000.00")
    assert (issued["invoice"]["amount"], issued["invoice"]["tax"]) == ("2000.00", "20.00")
    assert ("发票已开具" if lang == "zh" else "Invoice issued") in shown(window)
    # Issued: no longer offered; asked again central answers the same invoice.
    assert flow.unissued == []
    again = flow.service.issue(number)
    assert again["invoice"]["number"] == issued["invoice"]["number"]
    visible_buttons(window, "action.done")[0].click()
    window.open_service(SERVICE)
    qtbot.waitUntil(lambda: flow.book is not None and not flow.busy, timeout=10_000)
    assert not visible_buttons(window, "action.issue.")
