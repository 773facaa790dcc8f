"""Out of service (issue #14 §2) through real transports: the admin endpoint of a real
central service on loopback, the kiosk's signed heartbeat carrying the notice back, the
full-screen notice in both languages over the real main window, sync going on, and hall
staff setting it from maintenance mode (persisted across a restart)."""
from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from kiosk.out_of_service import OutOfServiceState

NOTICE = {"reason_zh": "打印机维修中", "reason_en": "The printer is being repaired",
          "alternative_zh": "请到 3 号窗口", "alternative_en": "Please go to counter 3"}


def _labels(window) -> dict[str, str]:  # type: ignore[no-untyped-def]
    overlay = window.out_of_service.notice
    return {name: label.text() for name, label in overlay.labels.items()}


def test_central_flag_reaches_the_screen_and_clears(window, core, hall, qtbot,  # type: ignore[no-untyped-def]
                                                    tmp_path: Path) -> None:
    core.send_heartbeat()  # enrolled and known to the central service
    url = f"{hall.central_url}/v1/admin/kiosks/{core.kiosk_id}/out-of-service"
    assert httpx.post(url, json={**NOTICE, "reason_zh": ""}).status_code == 422
    assert httpx.post(hall.central_url + "/v1/admin/kiosks/nobody/out-of-service",
                      json=NOTICE).status_code == 404
    answer = httpx.post(url, json=NOTICE)
    assert answer.status_code == 200, answer.text
    assert answer.json()["out_of_service"]["alternative_zh"] == "请到 3 号窗口"
    assert not window.out_of_service.notice.isVisible()  # not before the next heartbeat

    core.send_heartbeat()
    qtbot.waitUntil(lambda: window.out_of_service.notice.isVisible(), timeout=5000)
    shown = _labels(window)
    assert shown["title_zh"] == "暂停服务" and shown["title_en"] == "Out of service"
    assert shown["alternative_zh"] == "请到 3 号窗口"
    assert shown["alternative_en"] == "Please go to counter 3"
    assert core.out_of_service.current is not None
    assert core.out_of_service.current.source == "central"
    window.out_of_service.notice.grab().save(str(tmp_path / "out-of-service.png"))

    # A session that starts anyway (a scan on the attract screen) is ended at once.
    window.start_session("en")
    qtbot.waitUntil(lambda: not window.in_session, timeout=5000)
    assert window.current_screen().screen_id == "attract"
    assert window.out_of_service.notice.isVisible()

    # It still syncs: a queued record goes out while the notice shows.
    assert core.drain_queue(timeout_s=10).error is None

    assert httpx.delete(url).json()["out_of_service"] is None
    core.send_heartbeat()
    qtbot.waitUntil(lambda: not window.out_of_service.notice.isVisible(), timeout=5000)
    assert core.out_of_service.current is None


def test_staff_notice_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "out_of_service.json"
    state = OutOfServiceState(path)
    seen: list[object] = []
    state.listeners.append(seen.append)
    with pytest.raises(ValueError, match="alternative_en"):
        state.set_local({**NOTICE, "alternative_en": "two\nlines"})
    assert state.current is None and not path.exists()
    state.set_local(NOTICE)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    again = OutOfServiceState(path)
    assert again.current is not None and again.current.source == "staff"
    assert again.current.alternative_zh == "请到 3 号窗口"
    again.apply_central(None)  # the central service clearing its flag leaves staff's
    assert again.current is not None
    again.clear_local()
    assert OutOfServiceState(path).current is None
    assert len(seen) == 1


def test_maintenance_action_takes_it_out_of_service(window, core, qtbot) -> None:  # type: ignore[no-untyped-def]
    """The staff screen (role action out_of_service) sets and clears the local flag,
    audited; the notice waits until staff leave."""
    from kiosk.simulation.demo import DEMO_STAFF_CARD_UID, DEMO_STAFF_PIN

    staff = window.staff
    assert staff is not None
    core.download_staff()
    staff.session = core.staff.login(DEMO_STAFF_CARD_UID, DEMO_STAFF_PIN)  # signed in
    screen = staff.screen("out_of_service")
    window.show_screen("out_of_service")

    def click(name: str) -> None:
        button = screen.findChild(QPushButton, name)
        assert button is not None and button.isEnabled(), name
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    assert not screen.findChild(QPushButton, "action.back_in_service").isEnabled()
    click("choice.alternative.counter")
    click("action.out_of_service")
    assert core.out_of_service.local is not None
    assert core.out_of_service.local.alternative_en == "Please go to a staffed counter"
    assert "终端维护中" in screen.findChild(QLabel, "label.out_of_service.state").text()
    assert not window.out_of_service.notice.isVisible()  # staff are at the terminal
    staff.logout("staff")
    qtbot.waitUntil(lambda: window.out_of_service.notice.isVisible(), timeout=5000)
    assert _labels(window)["reason_en"] == "This terminal is under maintenance"
