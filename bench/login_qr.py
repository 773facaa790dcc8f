"""Scan-to-login latency: from the tax app's approval (`POST /v1/login/qr/{token}/approve`
for the demo person) to the taxpayer identified on screen (the gate's next screen, the
enterprise to act for, is showing), p95 over repeated logins.

It runs the real window offscreen against the simulated hall (the scenario runner's
session: the central service on loopback, the kiosk's long-poll through the hall's
relay). Each login starts at the home screen: open identity.login, tap
`action.login.qr`, read the QR's token from the screen's pixels (as `app_login` does),
then time the approval call and the event loop until the screen changed; sign out.
The clock starts just before the approval request leaves, so the figure includes the
approval's own round trip, the long-poll's answer, the sealed reply and the repaint.
"""
from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

IDENTIFIED_SCREENS = ("identity.login.enterprise", "identity.login.done")


def _token(session: Any) -> str:
    from PySide6.QtGui import QImage

    from drivers.camera_scanner import GrayFrame, decode_frame

    found: list[str] = []

    def read() -> bool:
        if not session._visible("image.qr"):
            return False
        image = session.find("image.qr").grab().toImage().convertToFormat(
            QImage.Format.Format_Grayscale8)
        frame = GrayFrame(bytes(image.constBits()), image.width(), image.height(),
                          image.bytesPerLine())
        found[:] = [t for t in decode_frame(frame) if t.startswith("TAXLOGIN:")]
        return bool(found)

    session.wait_until(read, lambda: "no login QR code on screen")
    return found[0].removeprefix("TAXLOGIN:")


def measure_login_qr_ms(n: int = 20) -> list[float]:
    """Milliseconds from approval to identified on screen, for `n` logins."""
    import httpx

    from central.demo_data import DEMO_PERSON_ID
    from kiosk.scenario.runner import ScenarioSession

    times: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-login-qr-") as tmp:
        session = ScenarioSession(Path(tmp), None, None)
        try:
            session.core.enroll()
            client = httpx.Client(timeout=10)
            for _ in range(n + 1):  # the first is the warm-up
                if session._visible("action.start"):
                    session.do_tap("action.start")
                session.do_open("identity.login")
                session.do_tap("action.login.qr")
                token = _token(session)
                session.pump(0.3)  # the long-poll is waiting at the central service
                start = time.perf_counter()
                r = client.post(f"{session.hall.central_url}/v1/login/qr/{token}/approve",
                                json={"tin": DEMO_PERSON_ID}, headers=session._admin_headers())
                r.raise_for_status()
                while session.window.current_screen().screen_id not in IDENTIFIED_SCREENS:
                    session.app.processEvents()
                    if time.perf_counter() - start > 10:
                        raise RuntimeError("the approved login never showed")
                    time.sleep(0.001)
                times.append((time.perf_counter() - start) * 1000)
                if session.window.current_screen().screen_id == IDENTIFIED_SCREENS[0]:
                    session.do_tap("item.self")  # act as oneself
                    session.do_expect_screen(IDENTIFIED_SCREENS[1])
                session.do_tap("action.logout")
                session.do_expect_screen("attract")
            client.close()
        finally:
            session.close()
    return times[1:]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure() -> dict[str, Any]:
    times = measure_login_qr_ms()
    return {"login_qr_to_identified_p95_ms": round(p95(times), 1),
            "login_qr_to_identified_median_ms": round(statistics.median(times), 1)}


if __name__ == "__main__":
    print(measure())
