"""The verification journey through real transports: pty scanner -> screen, kiosk ->
central over HTTP on loopback, screen -> ESC/POS over TCP -> decoded slip."""
from __future__ import annotations

import re

from datetime import timedelta
from typing import Any

import pytest

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from central.verification import china_today
from kiosk_ui_helpers import visible_text
from kiosk.simulation.demo import invoice_qr_text

TODAY = china_today()
GENUINE_10 = invoice_qr_text({"type_code": "10", "code": "033002600111", "number": "31415926",
                              "amount": "88.50", "total": "93.81",
                              "issued_on": TODAY - timedelta(days=7),
                              "check_code": "19387263548102954712"})


def _start_verify(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(window.findChild(object, "action.start"), Qt.MouseButton.LeftButton)
    window.open_service("invoice.verify")
    assert window.current_screen().objectName() == "screen.invoice.verify"


def test_scan_over_pty_shows_genuine_and_prints_slip(window, hall, qtbot) -> None:  # type: ignore[no-untyped-def]
    _start_verify(window, qtbot)
    hall.scanner.scan(GENUINE_10)
    qtbot.waitUntil(lambda: window.current_screen().screen_id == "invoice.verify.result",
                    timeout=8000)
    assert "查验一致" in visible_text(window) and "31415926" in visible_text(window)
    print_button = window.screen("invoice.verify.result").findChild(object, "action.print")
    qtbot.mouseClick(print_button, Qt.MouseButton.LeftButton)
    docs = hall.printer.wait_for_documents(1, timeout=8)
    printed = "\n".join(docs[-1].lines)
    assert "查验一致" in printed and "31415926" in printed
    assert docs[-1].qr_codes and docs[-1].cut


def test_bad_scans_show_a_message_queue_nothing_and_the_next_scan_works(
        window, hall, core, qtbot) -> None:  # type: ignore[no-untyped-def]
    _start_verify(window, qtbot)
    error = window.screen("invoice.verify").findChild(object, "label.error")
    for noise in ("https://example.com/x", "01,10,0330", "X" * 5000,
                  "01,10,033002600111,31415926,88.50,20230230,19387263548102954712,",
                  "01,10,033002600111,31415926,88.50,20230210,1938726354"):
        hall.scanner.scan(noise)
        qtbot.waitUntil(lambda: error.isVisible() and bool(error.text()), timeout=8000)
        assert window.current_screen().screen_id == "invoice.verify"
        error.setText("")
    status = core.outbox.status()
    assert status.pending == 0 and status.acked == 0
    hall.scanner.scan(GENUINE_10)
    qtbot.waitUntil(lambda: window.current_screen().screen_id == "invoice.verify.result",
                    timeout=8000)


def test_offline_queues_prints_reference_and_banner_counts(window, hall, core, qtbot) -> None:  # type: ignore[no-untyped-def]
    _start_verify(window, qtbot)
    hall.network.set_online(False)
    hall.scanner.scan(GENUINE_10)
    qtbot.waitUntil(lambda: window.current_screen().screen_id == "invoice.verify.queued",
                    timeout=8000)
    assert core.outbox.status().pending == 1
    # The screen confirmed it after commit; the write runs on the core's I/O worker
    # (never on the GUI thread, issue #9), so it lands a moment after the screen shows.
    qtbot.waitUntil(lambda: core.outbox.unconfirmed() == [], timeout=8000)
    doc = hall.printer.wait_for_documents(1, timeout=8)[-1]
    assert any(q.startswith("TAXKIOSK:VERIFY:") for q in doc.qr_codes)
    banner = window.findChild(object, "banner.offline")
    qtbot.waitUntil(lambda: banner.isVisible() and "1" in banner.text(), timeout=8000)
    # Back online: one sync pass empties the queue and the banner goes away.
    hall.network.set_online(True)
    report = core.drain_queue(timeout_s=20)
    assert report.error is None and report.remaining == 0
    window.refresh_queue_status()
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=8000)
    # The slip's QR now shows the result.
    window.show_screen("invoice.verify")
    hall.scanner.scan(doc.qr_codes[-1])
    qtbot.waitUntil(lambda: window.current_screen().screen_id == "invoice.verify.result",
                    timeout=8000)
    assert "查验一致" in visible_text(window)


def test_language_switch_retranslates_every_visible_text(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    _start_verify(window, qtbot)
    assert "发票查验" in visible_text(window)
    qtbot.mouseClick(window.findChild(object, "action.language"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Invoice verification" in visible_text(window), timeout=3000)
    assert "发票查验" not in visible_text(window)
    assert window.language == "en"


def test_the_chrome_follows_a_language_change_made_without_the_button(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    """The header, bar and banner re-translate on LanguageChange like every screen, also
    when the language changes without the window (a session reset, the scenario
    runner): it was found as an English result screen with a Chinese top bar."""
    _start_verify(window, qtbot)
    chrome = ("action.home", "action.back", "action.finish", "action.large_text",
              "action.high_contrast", "action.language")
    zh = {name: window.findChild(object, name).text() for name in chrome}
    assert zh["action.home"] == "首页" and zh["action.language"] == "English"
    window.translations.set_language("en")
    qtbot.waitUntil(lambda: window.findChild(object, "action.home").text() == "Home",
                    timeout=3000)
    en = {name: window.findChild(object, name).text() for name in chrome}
    assert not [t for t in en.values() if re.search(r"[\u4e00-\u9fff]", t)
                and t != "中文"], en
    assert en["action.language"] == "中文"
    assert "Invoice verification" in visible_text(window)


def test_idle_timeout_resets_the_session_and_leaves_no_text(window, hall, idle_clock, qtbot) -> None:  # type: ignore[no-untyped-def]
    _start_verify(window, qtbot)
    window.set_language("en")
    qtbot.mouseClick(window.findChild(object, "action.manual"), Qt.MouseButton.LeftButton)
    field = window.findChild(QLineEdit, "field.number")
    qtbot.keyClicks(field, "12345678")
    QApplication.clipboard().setText("12345678")
    window.idle.advance(window.core.config.ui.idle_form_s + 1)
    overlay_button = window.findChild(object, "action.continue")
    qtbot.waitUntil(lambda: overlay_button.isVisible(), timeout=3000)
    window.idle.advance(window.core.config.ui.countdown_s + 1)
    qtbot.waitUntil(lambda: window.current_screen().screen_id == "attract", timeout=3000)
    assert all(e.text() == "" for e in window.findChildren(QLineEdit))
    assert QApplication.clipboard().text() == ""
    assert window.language == "zh"
    assert "12345678" not in visible_text(window)


def test_continue_keeps_the_session(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    _start_verify(window, qtbot)
    window.idle.advance(window.core.config.ui.idle_form_s + 1)
    button = window.findChild(object, "action.continue")
    qtbot.waitUntil(lambda: button.isVisible(), timeout=3000)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not button.isVisible(), timeout=3000)
    window.idle.advance(window.core.config.ui.countdown_s + 1)
    assert window.current_screen().screen_id == "invoice.verify"


class TestOfflineLimits:
    """With [limits] max_pending_records = 5: the banner warns at 4 queued, says the
    limit is reached at 5, and a scan then gets the refusal and queues nothing."""

    @pytest.fixture
    def kiosk_settings(self) -> dict[str, Any]:
        return {"limits": {"max_pending_records": 5}}

    def test_banner_warns_near_the_limit_and_the_limit_refuses_queueing(
            self, window, hall, core, qtbot) -> None:  # type: ignore[no-untyped-def]
        from kiosk.domain.invoice_qr import parse_invoice_qr
        from kiosk.domain.verification import query_from_qr

        _start_verify(window, qtbot)
        hall.network.set_online(False)
        assert not core.probe_central()
        query = query_from_qr(parse_invoice_qr(GENUINE_10)).to_json()
        for _ in range(4):
            core.outbox.enqueue("invoice.verify", query)
        banner = window.findChild(object, "banner.offline")
        window.refresh_queue_status()
        qtbot.waitUntil(lambda: "离线暂存即将达到上限" in banner.text(), timeout=8000)
        assert "4 笔业务待上传" in banner.text()
        core.outbox.enqueue("invoice.verify", query)
        window.refresh_queue_status()
        qtbot.waitUntil(lambda: "离线暂存已达上限" in banner.text(), timeout=8000)

        error = window.screen("invoice.verify").findChild(object, "label.error")
        hall.scanner.scan(GENUINE_10)
        qtbot.waitUntil(lambda: error.isVisible() and "暂存的业务已达上限" in error.text(), timeout=8000)
        assert window.current_screen().screen_id == "invoice.verify"
        assert core.outbox.status().pending == 5
        # Online again: no warning while uploading, and the banner goes once drained.
        hall.network.set_online(True)
        assert core.drain_queue(timeout_s=20).remaining == 0
        window.refresh_queue_status()
        qtbot.waitUntil(lambda: not banner.isVisible(), timeout=8000)


def test_banner_keeps_the_newest_count_when_reads_finish_out_of_order(
        window, core, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import threading

    from ui.ops import tracker

    real_status, gate, calls = core.outbox.status, threading.Event(), []

    def status():  # type: ignore[no-untyped-def]
        calls.append(1)
        result = real_status()
        if len(calls) == 1:
            gate.wait(10)  # the first read (nothing pending) finishes last
        return result

    monkeypatch.setattr(core.outbox, "status", status)
    banner = window.findChild(object, "banner.offline")
    window.refresh_queue_status()
    qtbot.waitUntil(lambda: len(calls) == 1)
    core.outbox.enqueue("drill", {"i": 1})
    window.refresh_queue_status()
    qtbot.waitUntil(lambda: banner.isVisible() and "1" in banner.text(), timeout=8000)
    gate.set()
    assert tracker.wait_idle(timeout_s=10)
    qtbot.wait(50)
    assert banner.isVisible() and "1" in banner.text()
