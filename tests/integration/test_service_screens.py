"""Invoice verification and the home screen on the flow kit, through real transports
(pty scanner, TCP printer, central on loopback): texts set at run time follow a
language switch; the home screen is built from the catalogue and greys a service with
its reason; the queued screen and slip carry the short reference, the QR the UUID;
scans are routed by the core."""
from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QLabel

from central.verification import china_today
from kiosk.services.views import short_reference
from kiosk.simulation.demo import invoice_qr_text

GENUINE = invoice_qr_text({"type_code": "10", "code": "033002600111", "number": "31415926",
                           "amount": "88.50", "total": "93.81",
                           "issued_on": china_today() - timedelta(days=7),
                           "check_code": "19387263548102954712"})


def _switch(window, lang: str) -> None:  # type: ignore[no-untyped-def]
    window.set_language(lang)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.LanguageChange)


def _label(window, screen: str, name: str) -> QLabel:  # type: ignore[no-untyped-def]
    return window.screen(screen).findChild(QLabel, name)


def test_slip_printed_stays_in_the_language_shown(window, hall, qtbot) -> None:  # type: ignore[no-untyped-def]
    """Print in Chinese, switch to English and back: the status follows each time."""
    qtbot.mouseClick(window.findChild(object, "action.start"), Qt.MouseButton.LeftButton)
    window.open_service("invoice.verify")
    hall.scan(GENUINE)
    qtbot.waitUntil(lambda: window.current_screen().screen_id == "invoice.verify.result",
                    timeout=8000)
    print_button = window.screen("invoice.verify.result").findChild(object, "action.print")
    qtbot.mouseClick(print_button, Qt.MouseButton.LeftButton)
    status = _label(window, "invoice.verify.result", "label.print_status")
    qtbot.waitUntil(lambda: status.text() == "凭条已打印，请取走。", timeout=8000)
    _switch(window, "en")
    assert status.text() == "Slip printed. Please take it."
    assert _label(window, "invoice.verify.result", "label.outcome").text() == "Genuine"
    _switch(window, "zh")
    assert status.text() == "凭条已打印，请取走。"
    assert _label(window, "invoice.verify.result", "label.outcome").text() == "查验一致"


def test_scan_error_follows_the_language(window, hall, qtbot) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(window.findChild(object, "action.start"), Qt.MouseButton.LeftButton)
    window.open_service("invoice.verify")
    hall.scan("https://example.com/x")
    error = _label(window, "invoice.verify", "label.error")
    qtbot.waitUntil(lambda: error.isVisible() and "网址" in error.text(), timeout=8000)
    _switch(window, "en")
    assert "web address" in error.text()
    _switch(window, "zh")
    assert "网址" in error.text()


def test_queued_screen_and_slip_show_the_short_reference_the_qr_keeps_the_uuid(
        window, hall, core, qtbot) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(window.findChild(object, "action.start"), Qt.MouseButton.LeftButton)
    window.open_service("invoice.verify")
    hall.network.set_online(False)
    hall.scan(GENUINE)
    qtbot.waitUntil(lambda: window.current_screen().screen_id == "invoice.verify.queued",
                    timeout=8000)
    doc = hall.printer.wait_for_documents(1, timeout=8)[-1]
    [qr] = [q for q in doc.qr_codes if q.startswith("TAXKIOSK:VERIFY:")]
    record_uuid = qr.removeprefix("TAXKIOSK:VERIFY:")
    short = short_reference(record_uuid)
    assert re.fullmatch(r"\d{4} \d{4} \d{4}", short)
    reference = _label(window, "invoice.verify.queued", "label.reference").text()
    assert short in reference and record_uuid not in reference
    assert short in doc.text and record_uuid not in doc.text
    status = _label(window, "invoice.verify.queued", "label.print_status")
    qtbot.waitUntil(lambda: status.text() == "凭条已打印，请取走。", timeout=8000)
    _switch(window, "en")
    assert status.text() == "Your slip has been printed. Please take it."
    assert "Reference: " + short == _label(window, "invoice.verify.queued",
                                           "label.reference").text()


def test_home_is_built_from_the_catalogue(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    from kiosk.services.catalogue import by_group

    qtbot.mouseClick(window.findChild(object, "action.start"), Qt.MouseButton.LeftButton)
    home = window.screen("home")
    for group, members in by_group():
        assert home.findChild(QLabel, f"label.group.{group.value}").isVisible()
        for spec in members:
            tile = home.findChild(object, f"service.{spec.id}")
            assert tile.isVisible() and tile.isEnabled()
            assert tile.findChild(QLabel, f"label.title.{spec.id}").text() == spec.title_zh
            assert tile.findChild(QLabel, f"label.summary.{spec.id}").text() == spec.summary_zh
            assert not tile.findChild(QLabel, f"icon.{spec.id}").pixmap().isNull()
    _switch(window, "en")
    assert home.findChild(QLabel, "label.group.invoices").text() == "Invoices"
    assert home.findChild(QLabel, "label.title.invoice.verify").text() == "Invoice verification"
    assert "Invoice verification" in home.findChild(object, "service.invoice.verify") \
        .accessibleName()


def test_an_invoice_scan_on_the_attract_screen_opens_verification(window, hall, qtbot) -> None:  # type: ignore[no-untyped-def]
    assert window.current_screen().screen_id == "attract"
    hall.scan(GENUINE)
    qtbot.waitUntil(lambda: window.current_screen().screen_id == "invoice.verify.result",
                    timeout=8000)
    assert window.in_session


def test_a_scan_no_service_takes_is_explained_on_home(window, hall, qtbot) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(window.findChild(object, "action.start"), Qt.MouseButton.LeftButton)
    assert window.current_screen().screen_id == "home"
    hall.scan("https://example.com/x")
    note = _label(window, "home", "label.scan_note")
    qtbot.waitUntil(note.isVisible, timeout=8000)
    assert "本终端无法使用此码" in note.text()
    assert window.current_screen().screen_id == "home"


class TestOutOfHours:
    """Out of `[ui] hours` the tile is greyed with the reason, and a scan says why."""

    @pytest.fixture
    def kiosk_settings(self) -> dict[str, Any]:
        return {"ui": {"hours": {"mon": ""}}}  # closed every day

    def test_tile_greyed_with_the_reason(self, window, hall, qtbot) -> None:  # type: ignore[no-untyped-def]
        qtbot.mouseClick(window.findChild(object, "action.start"), Qt.MouseButton.LeftButton)
        home = window.screen("home")
        tile = home.findChild(object, "service.invoice.verify")
        note = home.findChild(QLabel, "label.unavailable.invoice.verify")
        assert not tile.isEnabled() and note.isVisible()
        assert note.text() == "当前时段不提供此业务。请留意办理时间。"
        _switch(window, "en")
        assert note.text() == "Not available at this time of day. Please see the opening hours."
        hall.scan(GENUINE)
        scan_note = _label(window, "home", "label.scan_note")
        qtbot.waitUntil(scan_note.isVisible, timeout=8000)
        assert "opening hours" in scan_note.text()
        assert window.current_screen().screen_id == "home"


def test_screens_of_an_ended_session_no_longer_listen(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    """A session reset deletes every screen; a device change afterwards must reach only
    the new ones (a lambda connected to the window's signal would outlive its screen)."""
    qtbot.mouseClick(window.findChild(object, "action.start"), Qt.MouseButton.LeftButton)
    window.open_service("invoice.verify")
    window.end_session("finish")
    qtbot.wait(20)  # deferred deletions run
    window.device_status_changed.emit(None)
    qtbot.mouseClick(window.findChild(object, "action.start"), Qt.MouseButton.LeftButton)
    window.open_service("invoice.verify")
    window.device_status_changed.emit(None)
