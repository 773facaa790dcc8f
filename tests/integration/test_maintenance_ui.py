"""Maintenance mode through the real UI: the simulated staff card reader (pty) taps a
card, the PIN is typed on the in-app keypad, the real core checks it (scrypt, lockout,
audit records in the outbox) and the maintenance screen reads the real queue."""
from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton

from drivers.base import DeviceState
from kiosk.simulation.demo import DEMO_STAFF_CARD_UID, DEMO_STAFF_PIN
from kiosk_ui_helpers import visible_text

WAIT_MS = 8000
UNKNOWN_UID = "DEADBEEF01"


@pytest.fixture
def staffed(window, hall, core, qtbot):  # type: ignore[no-untyped-def]
    """The window, once the staff accounts are on the kiosk and the staff card reader
    is open."""
    core.download_staff()
    assert core.staff.knows_card(DEMO_STAFF_CARD_UID)
    qtbot.waitUntil(lambda: core.devices.status("staff_card_reader").state is DeviceState.IDLE,
                    timeout=WAIT_MS)
    return window


@pytest.fixture
def logouts(core, monkeypatch) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(staff id, reason) of every core.staff.logout call (the real one still runs)."""
    calls: list[tuple[str, str]] = []
    real = core.staff.logout

    def spy(session: Any, reason: str) -> None:
        calls.append((session.staff_id, reason))
        real(session, reason)

    monkeypatch.setattr(core.staff, "logout", spy)
    return calls


def _child(window, cls, name):  # type: ignore[no-untyped-def]
    """The widget `name` on the current screen."""
    widget = window.current_screen().findChild(cls, name)
    assert widget is not None, f"no {name} on {window.current_screen().screen_id}"
    return widget


def _click(window, qtbot, name: str) -> None:  # type: ignore[no-untyped-def]
    button = _child(window, QPushButton, name)
    assert button.isVisible() and button.isEnabled(), name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _tap_card(window, hall, qtbot, uid: str = DEMO_STAFF_CARD_UID) -> None:  # type: ignore[no-untyped-def]
    hall.staff_card.tap(uid)
    if uid == DEMO_STAFF_CARD_UID:
        qtbot.waitUntil(lambda: window.current_screen().screen_id == "staff.pin",
                        timeout=WAIT_MS)


def _type_pin(window, qtbot, pin: str) -> None:  # type: ignore[no-untyped-def]
    for digit in pin:
        _click(window, qtbot, f"keypad.{digit}")
    assert _child(window, QLineEdit, "field.pin").text() == pin


def _error_text(window) -> str:  # type: ignore[no-untyped-def]
    label = _child(window, QLabel, "label.error")
    return label.text() if label.isVisible() else ""


def _attempt(window, qtbot, pin: str) -> str:  # type: ignore[no-untyped-def]
    """Type `pin`, confirm, and return the error shown (the field is empty again)."""
    error = _child(window, QLabel, "label.error")
    error.setText("")
    _type_pin(window, qtbot, pin)
    _click(window, qtbot, "action.confirm")
    assert _child(window, QLineEdit, "field.pin").text() == ""  # cleared at once
    qtbot.waitUntil(lambda: bool(_error_text(window)), timeout=WAIT_MS)
    return _error_text(window)


def _sign_in(window, hall, qtbot) -> None:  # type: ignore[no-untyped-def]
    _tap_card(window, hall, qtbot)
    _type_pin(window, qtbot, DEMO_STAFF_PIN)
    _click(window, qtbot, "action.confirm")
    qtbot.waitUntil(lambda: window.current_screen().screen_id == "maintenance",
                    timeout=WAIT_MS)


def _figure(window, key: str) -> str:  # type: ignore[no-untyped-def]
    return _child(window, QLabel, f"label.queue.{key}").text()


def test_staff_card_on_the_attract_screen_opens_the_pin_screen(staffed, hall, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = staffed
    _tap_card(window, hall, qtbot)
    screen = window.current_screen()
    assert screen.objectName() == "screen.staff.pin"
    pin = _child(window, QLineEdit, "field.pin")
    assert pin.echoMode() == QLineEdit.EchoMode.Password
    assert pin.maxLength() == 8 and pin.accessibleName()
    pin.insert("12ab34")  # the validator lets digits only through
    assert pin.text() in ("", "12")
    pin.clear()
    assert "工作人员登录" in visible_text(window)
    # No way from here to taxpayer services; cancel goes back to the attract screen.
    for name in ("action.home", "action.back", "action.finish"):
        assert not window.findChild(QPushButton, name).isVisible()
    assert not window.in_session
    _click(window, qtbot, "action.cancel")
    assert window.current_screen().screen_id == "attract"


def test_unknown_card_shows_a_message_and_opens_nothing(staffed, hall, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = staffed
    notice = window.current_screen().findChild(QLabel, "label.staff_notice")
    hall.staff_card.tap(UNKNOWN_UID)
    qtbot.waitUntil(lambda: notice.isVisible(), timeout=WAIT_MS)
    assert notice.text() == "此卡不是本终端的工作人员卡。"
    assert window.current_screen().screen_id == "attract" and not window.in_session
    # On the PIN screen an unknown card says so and changes nothing.
    _tap_card(window, hall, qtbot)
    hall.staff_card.tap(UNKNOWN_UID)
    qtbot.waitUntil(lambda: "不是本终端的工作人员卡" in _error_text(window), timeout=WAIT_MS)
    assert window.current_screen().screen_id == "staff.pin"


def test_wrong_pin_says_how_many_attempts_are_left(staffed, hall, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = staffed
    _tap_card(window, hall, qtbot)
    assert "还可尝试 4 次" in _attempt(window, qtbot, "111111")
    assert "还可尝试 3 次" in _attempt(window, qtbot, "222222")
    window.set_language("en")  # the message follows the language
    qtbot.waitUntil(lambda: _error_text(window)
                    == "Wrong PIN. Attempts left before the card is locked: 3.", timeout=WAIT_MS)
    assert _attempt(window, qtbot, "12345") == "A PIN is 6 to 8 digits. Please enter it again."
    assert window.current_screen().screen_id == "staff.pin"


def test_five_wrong_pins_lock_the_card_until_a_time(staffed, hall, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = staffed
    _tap_card(window, hall, qtbot)
    for i in range(4):
        assert f"还可尝试 {4 - i} 次" in _attempt(window, qtbot, f"99999{i}")
    locked = _attempt(window, qtbot, "999994")
    assert re.search(r"此卡已被锁定至 \d\d:\d\d。", locked), locked
    # Even the right PIN is refused while the card is locked.
    assert "锁定至" in _attempt(window, qtbot, DEMO_STAFF_PIN)
    assert window.current_screen().screen_id == "staff.pin"


def test_right_pin_shows_queue_figures_and_rejected_records(staffed, hall, core, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = staffed
    # A record the central service rejects (its payload is not a verification).
    core.outbox.enqueue("invoice.verify", {"secret_field": "SHOULD-NOT-SHOW"})
    report = core.drain_queue(timeout_s=20)
    assert report.rejected == 1
    [parked] = core.outbox.rejected()
    _sign_in(window, hall, qtbot)
    screen = window.current_screen()
    qtbot.waitUntil(lambda: screen.findChild(QLabel, f"label.rejected.{parked.seq}")
                    is not None, timeout=WAIT_MS)
    label = screen.findChild(QLabel, f"label.rejected.{parked.seq}")
    assert parked.reason and parked.reason in label.text()
    assert "invoice.verify" in label.text()
    assert "SHOULD-NOT-SHOW" not in visible_text(window)
    # The sign-in's own audit record waits to be uploaded.
    pending = core.outbox.status().pending
    assert pending >= 1
    qtbot.waitUntil(lambda: _figure(window, "pending") == f"待上传：{pending}", timeout=WAIT_MS)
    assert _figure(window, "rejected") == "被拒绝：1"
    assert _figure(window, "central") == "税务服务可连接：是"
    assert "DEMO01" in _child(window, QLabel, "label.staff").text()
    assert "凭条打印机（receipt_printer）：就绪" in visible_text(window)


def test_sync_now_empties_the_queue(staffed, hall, core, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = staffed
    _sign_in(window, hall, qtbot)
    assert core.outbox.status().pending >= 1
    acked = core.outbox.status().acked
    _click(window, qtbot, "action.sync")
    report = _child(window, QLabel, "label.sync_report")
    qtbot.waitUntil(lambda: "同步：已发送" in report.text(), timeout=WAIT_MS * 2)
    assert core.outbox.status().pending == 0
    assert core.outbox.status().acked > acked  # the sign-in and the sync audit went up
    qtbot.waitUntil(lambda: _figure(window, "pending") == "待上传：0", timeout=WAIT_MS)
    # The button was disabled while syncing; the focus comes back to it after.
    sync = _child(window, QPushButton, "action.sync")
    qtbot.waitUntil(lambda: sync.isEnabled() and sync.hasFocus(), timeout=WAIT_MS)


def test_test_print_prints_the_test_page(staffed, hall, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = staffed
    _sign_in(window, hall, qtbot)
    _click(window, qtbot, "action.test_print")
    doc = hall.printer.wait_for_documents(1, timeout=8)[-1]
    assert "打印机测试页" in "\n".join(doc.lines)
    status = _child(window, QLabel, "label.print_status")
    qtbot.waitUntil(lambda: status.text() == "测试页已打印。", timeout=WAIT_MS)


def test_test_print_without_paper_says_so_in_words(staffed, hall, core, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = staffed
    _sign_in(window, hall, qtbot)
    printed = len(hall.printer.documents)
    hall.set_fault("receipt_printer", "paper_out")
    _click(window, qtbot, "action.test_print")
    status = _child(window, QLabel, "label.print_status")
    qtbot.waitUntil(lambda: status.text() == "测试页未打印：缺纸", timeout=WAIT_MS)
    assert len(hall.printer.documents) == printed
    window.current_screen().refresh()  # the device list is rebuilt: look the label up anew
    qtbot.waitUntil(lambda: "缺纸" in _child(window, QLabel,
                                            "label.device.receipt_printer").text(),
                    timeout=WAIT_MS)


def test_taxpayer_services_are_out_of_reach_in_maintenance(staffed, hall, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = staffed
    _sign_in(window, hall, qtbot)
    for name in ("action.home", "action.back", "action.finish"):
        assert not window.findChild(QPushButton, name).isVisible()
    window.show_screen("home")
    window.open_service("invoice.verify")
    assert window.current_screen().screen_id == "maintenance"
    assert not window.in_session


def test_cancel_leaves_no_pin_behind(staffed, hall, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = staffed
    _tap_card(window, hall, qtbot)
    field = _child(window, QLineEdit, "field.pin")
    _type_pin(window, qtbot, "123")
    with qtbot.waitSignal(window.session_ended, timeout=WAIT_MS) as ended:
        _click(window, qtbot, "action.cancel")
    assert ended.args == ["staff"]
    assert window.current_screen().screen_id == "attract"
    assert field.text() == ""  # emptied on leaving, before the screen is deleted
    assert all(not f.text() for f in window.findChildren(QLineEdit, "field.pin"))


def test_logout_goes_back_to_the_attract_screen_with_an_empty_pin_field(
        staffed, hall, qtbot, logouts) -> None:  # type: ignore[no-untyped-def]
    window = staffed
    _sign_in(window, hall, qtbot)
    field = window.findChild(QLineEdit, "field.pin")
    assert field is not None and field.text() == ""  # emptied when the PIN was sent
    field.setText("246")  # even if something were left in it...
    with qtbot.waitSignal(window.session_ended, timeout=WAIT_MS) as ended:
        _click(window, qtbot, "action.logout")
    assert ended.args == ["staff"]
    assert window.current_screen().screen_id == "attract"
    assert window.staff is not None and not window.staff.active
    assert field.text() == ""  # ...the session end empties it before deleting the screen
    # The staff screens are gone with the session; they are built again for a card.
    assert all(f.text() == "" for f in window.findChildren(QLineEdit, "field.pin"))
    assert "maintenance" not in window.screens and "staff.pin" not in window.screens
    qtbot.waitUntil(lambda: logouts == [("DEMO01", "staff")], timeout=WAIT_MS)


def test_idle_timeout_in_maintenance_logs_out(staffed, hall, core, qtbot, logouts) -> None:  # type: ignore[no-untyped-def]
    window = staffed
    _sign_in(window, hall, qtbot)
    assert window.idle.enabled
    window.idle.advance(core.config.ui.idle_reading_s)
    assert window.overlay.isVisible()  # the usual countdown first
    with qtbot.waitSignal(window.session_ended, timeout=WAIT_MS) as ended:
        window.idle.advance(core.config.ui.countdown_s)
    assert ended.args == ["staff"]
    assert window.current_screen().screen_id == "attract"
    qtbot.waitUntil(lambda: logouts == [("DEMO01", "idle")], timeout=WAIT_MS)


def test_staff_card_during_a_taxpayer_session_is_ignored(staffed, hall, qtbot, caplog) -> None:  # type: ignore[no-untyped-def]
    window = staffed
    caplog.set_level(logging.INFO)
    _click(window, qtbot, "action.start")
    assert window.in_session and window.current_screen().screen_id == "home"
    hall.staff_card.tap(DEMO_STAFF_CARD_UID)
    qtbot.waitUntil(lambda: "staff card ignored" in caplog.text, timeout=WAIT_MS)
    assert window.current_screen().screen_id == "home" and window.in_session
    assert DEMO_STAFF_CARD_UID not in caplog.text
