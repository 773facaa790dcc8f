"""Device status reaches the screens: the device manager's health checks (real TCP
printer, real pty scanner) -> core.device_listeners -> Qt signal -> the screens."""
from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt

from central.verification import china_today
from drivers.base import DeviceState
from kiosk.simulation.demo import invoice_qr_text
from kiosk_ui_helpers import visible_text

GENUINE = invoice_qr_text({"type_code": "10", "code": "033002600111", "number": "31415926",
                           "amount": "88.50", "total": "93.81",
                           "issued_on": china_today() - timedelta(days=7),
                           "check_code": "19387263548102954712"})
PAPER_OUT_ZH = "打印机缺纸"
SCANNER_NOTE_ZH = "扫描器暂不可用，请手工输入"


def _to_result(window, hall, qtbot) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(window.findChild(object, "action.start"), Qt.MouseButton.LeftButton)
    window.open_service("invoice.verify")
    hall.scan(GENUINE)
    qtbot.waitUntil(lambda: window.current_screen().screen_id == "invoice.verify.result",
                    timeout=8000)


def test_print_waits_with_the_reason_while_the_printer_is_out_of_paper(
        window, hall, core, qtbot) -> None:  # type: ignore[no-untyped-def]
    _to_result(window, hall, qtbot)
    button = window.screen("invoice.verify.result").findChild(object, "action.print")
    status = window.screen("invoice.verify.result").findChild(object, "label.print_status")
    qtbot.waitUntil(lambda: core.devices.status("receipt_printer").ok, timeout=5000)
    assert button.isEnabled()
    hall.set_fault("receipt_printer", "paper_out")
    qtbot.waitUntil(lambda: not button.isEnabled(), timeout=5000)
    assert status.isVisible() and PAPER_OUT_ZH in status.text()
    assert PAPER_OUT_ZH in visible_text(window)
    # The home tile stays: manual entry and on-screen results need no printer.
    assert window.screen("home").findChild(object, "service.invoice.verify").isEnabled()
    # In English too, from the translation catalogue.
    window.set_language("en")
    qtbot.waitUntil(lambda: "out of paper" in status.text(), timeout=2000)
    window.set_language("zh")
    hall.restore("receipt_printer")
    qtbot.waitUntil(button.isEnabled, timeout=5000)
    assert PAPER_OUT_ZH not in status.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    docs = hall.printer.wait_for_documents(1, timeout=8)
    assert "31415926" in docs[-1].text


def test_cover_open_also_waits_and_the_next_result_screen_knows_at_once(
        window, hall, core, qtbot) -> None:  # type: ignore[no-untyped-def]
    hall.set_fault("receipt_printer", "cover_open")
    qtbot.waitUntil(lambda: core.devices.status("receipt_printer").state is DeviceState.ERROR,
                    timeout=5000)
    _to_result(window, hall, qtbot)
    button = window.screen("invoice.verify.result").findChild(object, "action.print")
    assert not button.isEnabled()
    assert "打印机盖未关好" in window.screen("invoice.verify.result").findChild(
        object, "label.print_status").text()
    hall.restore("receipt_printer")
    qtbot.waitUntil(button.isEnabled, timeout=5000)


def test_verify_screen_says_when_the_scanner_is_unplugged(window, hall, core, qtbot) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(window.findChild(object, "action.start"), Qt.MouseButton.LeftButton)
    window.open_service("invoice.verify")
    note = window.findChild(object, "label.scanner_note")
    qtbot.waitUntil(lambda: core.devices.status("scanner").ok, timeout=5000)
    assert not note.isVisible()
    hall.set_fault("scanner", "unplug")
    qtbot.waitUntil(note.isVisible, timeout=5000)
    assert note.text() == SCANNER_NOTE_ZH
    assert window.findChild(object, "action.manual").isEnabled()  # typing still works
    hall.restore("scanner")
    qtbot.waitUntil(lambda: not note.isVisible(), timeout=8000)
    hall.scan(GENUINE)  # the same driver reads again: no restart
    qtbot.waitUntil(lambda: window.current_screen().screen_id == "invoice.verify.result",
                    timeout=8000)
