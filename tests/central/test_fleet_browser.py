"""The fleet page in a real browser (issue #14 §4): headless Chromium from Debian's
packages, driven by Selenium with Debian's chromium-driver. An operator signs in
through the form; a terminal goes silent and the page, refreshing itself, lists it
among the alerts; it sends a heartbeat again and the alert goes away."""
from __future__ import annotations

import threading
from pathlib import Path

from central_helpers import ADMIN_TOKEN, ENROLMENT_TOKEN
from fleet_kit import FleetKiosk, chromium, sign_in

from central.fleet.settings import FleetSettings
from central.server import CentralServer

SILENT = '#alerts li[data-kiosk="K-br-2"][data-kind="silent"]'


def test_a_terminal_goes_silent_and_comes_back(tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    settings = FleetSettings(heartbeat_interval_s=1.0, refresh_s=1)
    with CentralServer(f"sqlite:///{tmp_path / 'central.db'}", admin_token=ADMIN_TOKEN,
                       enrolment_token=ENROLMENT_TOKEN, fleet=settings) as server:
        steady = FleetKiosk(server.url, "K-br-1", "hall-0101", ENROLMENT_TOKEN)
        flaky = FleetKiosk(server.url, "K-br-2", "hall-0101", ENROLMENT_TOKEN)
        stop, pause = threading.Event(), threading.Event()

        def beat() -> None:
            while not stop.wait(0.4):
                steady.beat()
                if not pause.is_set():
                    flaky.beat()

        steady.beat()
        flaky.beat()
        beating = threading.Thread(target=beat, daemon=True)
        beating.start()
        driver = chromium()
        try:
            sign_in(driver, server.url, ADMIN_TOKEN, "en")
            wait = WebDriverWait(driver, 20, poll_frequency=0.2)
            wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, 'tr[data-kiosk="K-br-2"]'))
            assert driver.current_url.startswith(server.url + "/fleet")
            assert not driver.find_elements(By.CSS_SELECTOR, SILENT)

            pause.set()  # K-br-2 stops sending: silent after 3 intervals
            wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, SILENT))
            row = driver.find_element(By.CSS_SELECTOR, 'tr[data-kiosk="K-br-2"]')
            assert "silent" in (row.get_attribute("class") or "")
            assert not driver.find_elements(
                By.CSS_SELECTOR, '#alerts li[data-kiosk="K-br-1"]')
            driver.save_screenshot(str(tmp_path / "silent.png"))

            pause.clear()  # it comes back
            wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, SILENT))
            row = driver.find_element(By.CSS_SELECTOR, 'tr[data-kiosk="K-br-2"]')
            assert "silent" not in (row.get_attribute("class") or "")
            # The page was refreshed by its script, not reloaded: still signed in, and
            # the browser console has no CSP violations or script errors.
            errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
            assert not errors, errors
        finally:
            stop.set()
            beating.join()
            driver.quit()
