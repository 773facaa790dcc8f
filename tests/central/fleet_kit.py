"""Helpers for the fleet page tests: enrolled kiosks that send real signed heartbeats
over HTTP, headless Chromium (Debian's `chromium` + `chromium-driver`, driven by
Selenium), and a demo fleet for the README's screenshot.

Run as a script to remake the screenshot:
    .venv/bin/python tests/central/fleet_kit.py docs/screenshots/fleet.png [zh|en]
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


class FleetKiosk:
    """A kiosk enrolled (approved) on a central at `url`, in `hall`. Each call opens
    and closes its own client (no socket left open between heartbeats)."""

    def __init__(self, url: str, kiosk_id: str, hall: str, token: str) -> None:
        from offline_queue.crypto import KioskKeys

        self.url = url
        self.kiosk_id = kiosk_id
        self.keys = KioskKeys.generate()
        answer = self._call(lambda c: c.enroll(self.keys, token=token, hall_id=hall))
        assert answer["approved"] is True, answer

    def _call(self, work: Any) -> Any:
        from kiosk.central_client import CentralClient

        client = CentralClient((self.url,), self.kiosk_id, timeout_s=10.0)
        try:
            return work(client)
        finally:
            client.close()

    def beat(self, *, version: str = "1.4.0", queue: int = 0,
             oldest_s: float | None = None, devices: dict[str, Any] | None = None) -> None:
        report = {"sent_at": datetime.now(UTC).isoformat(), "software_version": version,
                  "queue_depth": queue, "oldest_pending_age_s": oldest_s, "unconfirmed": 0,
                  "devices": devices if devices is not None else healthy_devices()}
        self._call(lambda c: c.heartbeat(self.keys, report))


def healthy_devices() -> dict[str, Any]:
    return {"receipt_printer": {"kind": "printer", "state": "idle", "error": None,
                                "condition": None},
            "id_reader": {"kind": "id_card", "state": "idle", "error": None, "condition": None}}


def chromium() -> Any:
    """A headless Chromium WebDriver (the caller quits it). AssertionError naming the
    package when Debian's chromium or chromium-driver is missing (`make setup`)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        assert shutil.which(path), f"{path} missing: `make setup` installs Debian's {package}"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1500,900", "--lang=zh-CN", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-default-apps"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def sign_in(driver: Any, base_url: str, token: str, lang: str = "zh") -> None:
    """Sign in through the form, as a person would."""
    from selenium.webdriver.common.by import By

    driver.get(f"{base_url}/fleet/login?lang={lang}")
    driver.find_element(By.NAME, "token").send_keys(token)
    driver.find_element(By.CSS_SELECTOR, "form.login button").click()


def populate_demo(url: str, db_url: str, enrolment_token: str) -> None:
    """Six terminals in two halls: healthy ones, a paper jam, a dispenser low on
    stock, one out of service, one with an old queue, one gone silent; and 24 hours of
    heartbeat history behind each (written directly: the past cannot be sent)."""
    from sqlalchemy.orm import Session

    from central.db import make_engine
    from central.fleet.history import epoch_minute
    from central.fleet.models import FleetHeartbeat
    from central.out_of_service import set_out_of_service

    kiosks = {kid: FleetKiosk(url, kid, hall, enrolment_token) for kid, hall in (
        ("K-0101-01", "hall-0101"), ("K-0101-02", "hall-0101"), ("K-0101-03", "hall-0101"),
        ("K-0207-01", "hall-0207"), ("K-0207-02", "hall-0207"), ("K-0207-03", "hall-0207"))}
    now = datetime.now(UTC)
    engine = make_engine(db_url)
    with Session(engine) as session:
        for kid in kiosks:
            for minute in range(24 * 60, 0, -1):
                if kid == "K-0207-03" and minute < 200:
                    continue  # silent for the last hours
                if kid == "K-0101-02" and 600 < minute < 690:
                    continue  # a network outage in the morning
                moment = now - timedelta(minutes=minute)
                depth = 0
                if kid == "K-0101-02" and 540 < minute <= 700:
                    depth = (700 - minute) // 4
                if kid == "K-0207-02":
                    depth = min(40, (24 * 60 - minute) // 30)
                session.add(FleetHeartbeat(kiosk_id=kid, received_at=moment,
                                           minute=epoch_minute(moment), queue_depth=depth,
                                           oldest_pending_age_s=None, devices_in_error=0))
            session.flush()
        set_out_of_service(session, "K-0101-03", {
            "reason_zh": "设备维护", "reason_en": "Maintenance",
            "alternative_zh": "请到 3 号窗口", "alternative_en": "Please go to window 3"})
        session.commit()
    engine.dispose()
    dispenser = {"kind": "dispenser", "state": "idle", "error": None, "condition": "stock_low",
                 "cassettes": [{"slot": 1, "kind": "增值税普通发票", "remaining": 8,
                                "loaded": 300, "low": True, "empty": False, "blocked": None},
                               {"slot": 2, "kind": "增值税专用发票", "remaining": 410,
                                "loaded": 500, "low": False, "empty": False, "blocked": None}]}
    jam = {"kind": "printer", "state": "error", "error": "failure", "condition": "jam"}
    kiosks["K-0101-01"].beat()
    kiosks["K-0101-02"].beat(devices=healthy_devices() | {"invoice_dispenser": dispenser})
    kiosks["K-0101-03"].beat()
    kiosks["K-0207-01"].beat(devices=healthy_devices() | {"receipt_printer": jam})
    kiosks["K-0207-02"].beat(queue=40, oldest_s=73 * 3600.0, version="1.3.2")
    kiosks["K-0207-03"].beat(version="1.3.2")
    # K-0207-03 goes silent: its last heartbeat is moved back (the clock cannot be).
    engine = make_engine(db_url)
    with Session(engine) as session:
        from central.db import Kiosk

        row = session.get(Kiosk, "K-0207-03")
        assert row is not None
        row.last_seen = now - timedelta(minutes=200)
        session.commit()
    engine.dispose()


def screenshot(path: Path, lang: str = "zh") -> None:
    """The demo fleet's overview, signed in, as a PNG."""
    from central.fleet.settings import FleetSettings
    from central.server import CentralServer

    token = "demo-admin-token-for-the-screenshot"
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{tmp}/central.db"
        with CentralServer(db_url, admin_token=token, enrolment_token="enrol",
                           fleet=FleetSettings(device_error_s=0)) as server:
            populate_demo(server.url, db_url, "enrol")
            driver = chromium()
            try:
                driver.set_window_size(1500, 760)
                sign_in(driver, server.url, token, lang)
                time.sleep(0.5)
                path.parent.mkdir(parents=True, exist_ok=True)
                driver.save_screenshot(str(path))
            finally:
                driver.quit()


if __name__ == "__main__":
    screenshot(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots/fleet.png"),
               sys.argv[2] if len(sys.argv) > 2 else "zh")
