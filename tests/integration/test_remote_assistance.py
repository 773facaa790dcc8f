"""Remote assistance (issue #14 §5) through real transports: the real main window
(offscreen), the kiosk's sealed calls to a real central service on loopback, the
fleet side's routes over HTTP. The taxpayer calls staff, staff accept and see a frame
in which a typed ID number is painted over, taps are refused until the taxpayer
agrees on screen and then press a real button, and the session's end ends it."""
from __future__ import annotations

import os
from pathlib import Path

import httpx
from PySide6.QtCore import QCoreApplication, QPoint, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QLineEdit

ID_NUMBER = "110105199001011234"


def _zh(context: str, source: str) -> str:
    """The Chinese text as the loaded translations give it (the strings wait in
    ui/i18n/pending/assistance.json until the lead merges them)."""
    return QCoreApplication.translate(context, source)


def _open(url: str) -> list[dict]:  # type: ignore[type-arg]
    return httpx.get(f"{url}/fleet/assist", timeout=10).json()


def _state(url: str, assist_id: int) -> dict:  # type: ignore[type-arg]
    return httpx.get(f"{url}/fleet/assist/{assist_id}/state", timeout=10).json()


def _fraction(window, widget) -> dict[str, float]:  # type: ignore[no-untyped-def]
    centre = widget.mapTo(window, QPoint(widget.width() // 2, widget.height() // 2))
    return {"x": centre.x() / window.width(), "y": centre.y() / window.height()}


def _grey(color: QColor) -> bool:
    """The mask's hatched grey (#5b6470 / #7b8490), give or take JPEG's blur."""
    return (abs(color.red() - 0x6b) < 40 and abs(color.green() - 0x74) < 40
            and abs(color.blue() - 0x80) < 40)


def test_call_staff_view_consent_tap_and_session_end(window, core, hall, qtbot,  # type: ignore[no-untyped-def]
                                                     tmp_path: Path) -> None:
    url = hall.central_url
    core.send_heartbeat()  # enrolled and approved
    ui = window.assistance
    ui.helper._active_poll_s = ui.helper._waiting_poll_s = 0.2  # a quick test
    window.start_session("zh")
    assert ui.call_button.isVisible() and ui.call_button.text() == _zh("AssistanceUI", "Call staff")
    # A taxpayer typing an ID number on the screen: it must not leave the terminal.
    field = QLineEdit(window.current_screen())
    field.setObjectName("input.test_id_number")
    field.setText(ID_NUMBER)
    field.setStyleSheet("QLineEdit { background: #ffffff; color: #000000; }")
    field.setGeometry(40, 40, 600, 80)
    field.show()

    qtbot.mouseClick(ui.call_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(_open(url)) == 1, timeout=10000)
    calling = _zh("AssistanceBanner",
                  "Calling staff… a member of staff will look at this screen shortly")
    qtbot.waitUntil(lambda: ui.banner.isVisible() and ui.banner.label.text() == calling,
                    timeout=10000)
    assert not ui.call_button.isEnabled()
    (request,) = _open(url)
    assert request["kiosk_id"] == core.kiosk_id and request["state"] == "requested"
    assist_id = request["assist_id"]

    assert httpx.post(f"{url}/fleet/assist/{assist_id}/accept",
                      timeout=10).status_code == 303
    viewing = _zh("AssistanceBanner", "Staff are viewing this screen")
    qtbot.waitUntil(lambda: ui.banner.label.text() == viewing, timeout=10000)
    assert ui.banner.allow_button.isVisible() and not ui.banner.allow_button.isChecked()
    qtbot.waitUntil(lambda: _state(url, assist_id)["frame_seq"] > 0, timeout=10000)
    frame = httpx.get(f"{url}/fleet/assist/{assist_id}/frame", timeout=10)
    assert frame.headers["content-type"] == "image/jpeg"
    assert frame.headers["cache-control"] == "no-store"
    image = QImage.fromData(frame.content)
    assert not image.isNull() and max(image.width(), image.height()) <= 960
    scale = image.width() / window.width()
    inside = field.mapTo(window, QPoint(field.width() // 2, field.height() // 2))
    assert _grey(image.pixelColor(int(inside.x() * scale), int(inside.y() * scale)))
    window.grab().save(str(tmp_path / "assist-zh.png"))
    if os.environ.get("ASSIST_SHOTS"):
        Path(os.environ["ASSIST_SHOTS"], "assist-frame.jpg").write_bytes(frame.content)
        window.grab().save(str(Path(os.environ["ASSIST_SHOTS"], "assist-zh.png")))

    # View only: a tap is refused until the taxpayer agrees on the screen.
    target = _fraction(window, window.large_text_button)
    answer = httpx.post(f"{url}/fleet/assist/{assist_id}/control", json=target, timeout=10)
    assert answer.status_code == 409 and "assist.no_consent" in answer.text
    qtbot.mouseClick(ui.banner.allow_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _state(url, assist_id)["control_allowed"], timeout=10000)
    qtbot.waitUntil(lambda: ui.banner.allow_button.isChecked(), timeout=10000)
    assert not window.large_text_button.isChecked()
    assert httpx.post(f"{url}/fleet/assist/{assist_id}/control", json=target,
                      timeout=10).status_code == 204
    qtbot.waitUntil(lambda: window.large_text_button.isChecked(), timeout=10000)
    # Staff cannot press the banner's buttons for the taxpayer.
    assert not ui.tap(ui.banner.end_button.mapTo(window, QPoint(5, 5)))

    window.set_language("en")  # LanguageChange is posted: the banner follows it
    qtbot.waitUntil(lambda: ui.banner.label.text()
                    == "Staff are viewing this screen and may tap on it", timeout=5000)
    assert ui.call_button.text() == "Call staff"
    if os.environ.get("ASSIST_SHOTS"):
        window.grab().save(str(Path(os.environ["ASSIST_SHOTS"], "assist-en.png")))

    # The session ends (finish): the assistance ends with it, and its frame is gone.
    window.end_session("finish")
    assert not ui._frames.isActive() and not ui.banner.isVisible()
    qtbot.waitUntil(lambda: _state(url, assist_id)["state"] == "ended", timeout=10000)
    assert _state(url, assist_id)["ended_by"] == "session_end"
    assert httpx.get(f"{url}/fleet/assist/{assist_id}/frame", timeout=10).status_code == 404
    assert _open(url) == []
    ui.helper.wait_stopped()
    qtbot.wait(100)  # the last state change, queued to the GUI thread
    assert not ui._frames.isActive() and not ui.banner.isVisible()


def test_staff_end_it_and_the_taxpayer_can_call_again(window, core, hall, qtbot) -> None:  # type: ignore[no-untyped-def]
    url = hall.central_url
    core.send_heartbeat()
    ui = window.assistance
    ui.helper._active_poll_s = ui.helper._waiting_poll_s = 0.2
    window.start_session("en")
    qtbot.mouseClick(ui.call_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(_open(url)) == 1, timeout=10000)
    assist_id = _open(url)[0]["assist_id"]
    httpx.post(f"{url}/fleet/assist/{assist_id}/accept", timeout=10)
    qtbot.waitUntil(lambda: ui.banner.label.text() == "Staff are viewing this screen",
                    timeout=10000)
    assert httpx.post(f"{url}/fleet/assist/{assist_id}/end", timeout=10).status_code == 303
    qtbot.waitUntil(lambda: ui.banner.label.text() == "Assistance has ended", timeout=10000)
    assert ui.call_button.isEnabled()
    qtbot.mouseClick(ui.call_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(_open(url)) == 1, timeout=10000)
    assert _open(url)[0]["assist_id"] != assist_id
    # The taxpayer ends the waiting request from the banner.
    qtbot.mouseClick(ui.banner.end_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _open(url) == [], timeout=10000)
