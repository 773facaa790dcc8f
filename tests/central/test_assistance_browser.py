"""Remote assistance on the fleet page (issue #14 §5) in a real browser: headless
Chromium (Debian's package, Selenium with chromium-driver). An operator signs in,
sees the terminal's request, accepts it, watches the live view update from frames the
kiosk's real client sends, taps once the taxpayer has agreed, and ends it."""
from __future__ import annotations

import os
import struct
import time
import zlib
from pathlib import Path

from central_helpers import ADMIN_TOKEN, ENROLMENT_TOKEN, enrolled_kiosk
from fleet_kit import chromium, sign_in

from central.server import CentralServer
from kiosk.assistance import Assistance


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A plain one-colour PNG (a stand-in for the kiosk's screen)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    row = b"\x00" + bytes(rgb) * width
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))


def test_accept_watch_tap_and_end_in_a_browser(tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    with CentralServer(f"sqlite:///{tmp_path / 'central.db'}", admin_token=ADMIN_TOKEN,
                       enrolment_token=ENROLMENT_TOKEN) as server:
        client, keys = enrolled_kiosk(server.url, "K-assist-br")
        helper = Assistance(client, keys, active_poll_s=0.2, waiting_poll_s=0.2)
        taps: list[tuple[float, float]] = []
        helper.tap_listeners.append(taps.extend)
        assert helper.call()
        driver = chromium()
        try:
            sign_in(driver, server.url, ADMIN_TOKEN, "en")
            wait = WebDriverWait(driver, 20, poll_frequency=0.2)
            accept = wait.until(lambda d: d.find_elements(
                By.CSS_SELECTOR, "#assist-requests button[data-assist]"))
            assert "K-assist-br" in driver.find_element(By.ID, "assist-requests").text
            accept[0].click()
            wait.until(lambda d: "/fleet/assist/" in d.current_url)
            wait.until(lambda _d: helper.state.phase == "active")
            helper.offer_frame(_png(360, 640, (31, 78, 121)))
            image = driver.find_element(By.ID, "assist-frame")
            wait.until(lambda d: d.execute_script(
                "return arguments[0].naturalWidth", image) == 360)
            note = driver.find_element(By.ID, "assist-note")
            assert "View only" in note.text
            image.click()  # view only: the page sends nothing
            helper.consent(True)
            wait.until(lambda _d: "control" in (image.get_attribute("class") or ""))
            assert "allowed control" in note.text
            # A new frame replaces the old one (the page follows frame_seq).
            helper.offer_frame(_png(360, 640, (200, 40, 40)))
            wait.until(lambda d: d.execute_script(
                "return arguments[0].src", image).endswith("seq=2") or d.execute_script(
                "return arguments[0].src", image).split("seq=")[-1] not in ("", "1"))
            image.click()  # the centre: (0.5, 0.5)
            deadline = time.monotonic() + 10
            while not taps and time.monotonic() < deadline:
                time.sleep(0.1)
            assert len(taps) == 1 and all(abs(v - 0.5) < 0.05 for v in taps[0])
            driver.save_screenshot(str(tmp_path / "assist-view.png"))
            if os.environ.get("ASSIST_SHOTS"):
                driver.save_screenshot(str(Path(os.environ["ASSIST_SHOTS"], "fleet-assist.png")))
            driver.find_element(By.ID, "assist-end").click()
            wait.until(lambda d: d.current_url.split("?")[0].endswith("/fleet"))
            wait.until(lambda _d: helper.state.phase == "ended")
            assert helper.state.ended_by == "staff"
            errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
            assert not errors, errors
        finally:
            helper.end()
            helper.wait_stopped()
            driver.quit()
            client.close()
