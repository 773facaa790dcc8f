"""The core builds its services from the catalogue, routes scans, judges availability and
publishes its device and link states; `kiosk services` reads them. A real KioskCore
against the simulated hall (central service on loopback behind a network switch, pty
scanner, TCP receipt printer), real SQLite, a real subprocess for the command."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from central.verification import china_today
from kiosk.app import KioskCore
from kiosk.commands.services import services_report
from kiosk.config import parse_config
from kiosk.domain import VerificationQuery
from kiosk.services.availability import Availability
from kiosk.services.catalogue import (
    INVOICE_VERIFY,
    Group,
    Policy,
    ScanKind,
    ServiceSpec,
    UnknownService,
)
from kiosk.services.invoice_verify import InvoiceVerifyService
from kiosk.services.state import read_state, state_path
from kiosk.services.verify_outcomes import Queued
from kiosk.simulation import SimulatedHall
from kiosk.simulation.demo import invoice_qr_text

KIOSK = Path(sys.executable).with_name("kiosk")
INVOICE = invoice_qr_text({"type_code": "10", "code": "033002600111", "number": "31415926",
                           "amount": "88.50", "total": "93.81",
                           "issued_on": china_today() - timedelta(days=7),
                           "check_code": "19387263548102954712"})
SLIP = "TAXKIOSK:VERIFY:7B616AFB-B95E-4182-AF0D-375C960DB43B"


def test_spec(id: str, group: Group = Group.LOOKUP, policy: Policy = Policy.QUEUE,
              **kw: Any) -> ServiceSpec:
    return ServiceSpec(id=id, title_zh="测试", title_en="Test", summary_zh="测试",
                       summary_en="Test", group=group, policy=policy, entry_screen=id,
                       icon="test", **kw)


test_spec.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test

PRINTS = test_spec("test.print", devices=("receipt_printer",))
ONLINE = test_spec("test.online", policy=Policy.ONLINE_ONLY)
LOTTERY = test_spec("test.lottery", scans=(ScanKind.INVOICE_QR,))
LOGISTICS = test_spec("test.logistics", group=Group.STAFF, staff_role="logistics",
                      scans=(ScanKind.WAYBILL, ScanKind.BOX_LABEL))
PICKUP = test_spec("test.pickup", group=Group.INVOICES,
                   scans=(ScanKind.PICKUP_CODE, ScanKind.BOX_LABEL))


def wait_for(condition: Callable[[], object], timeout: float = 8.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[SimulatedHall]:
    h = SimulatedHall(tmp_path / "hall").start()
    yield h
    h.stop()


@pytest.fixture
def settings(tmp_path: Path, hall: SimulatedHall) -> dict[str, Any]:
    assert hall.network is not None
    return {"data_dir": str(tmp_path / "kiosk"), "kiosk_id": "test-kiosk",
            "central": {"urls": [hall.network.url], "timeout_s": 2.0}}


@pytest.fixture
def core(hall: SimulatedHall, settings: dict[str, Any]) -> Iterator[KioskCore]:
    base = parse_config(settings)
    base = replace(base, central=replace(base.central, offline_grace_s=0.0))
    c = KioskCore(hall.kiosk_config(base)).start(background_sync=False)
    yield c
    c.stop()


def config_file(tmp_path: Path, settings: dict[str, Any], hours: str = "") -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'data_dir = "{settings["data_dir"]}"\nkiosk_id = "test-kiosk"\n'
                    f'[central]\nurls = ["{settings["central"]["urls"][0]}"]\n'
                    f'timeout_s = 2.0\n[ui]\n{hours}\n', encoding="utf-8")
    return path


def kiosk_services(config: Path) -> list[dict[str, Any]]:
    done = subprocess.run([str(KIOSK), "services", "--json", "--config", str(config)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


# -- services built from the catalogue -----------------------------------------------------

def test_services_are_built_from_the_catalogue(core: KioskCore) -> None:
    service = core.service("invoice.verify")
    assert isinstance(service, InvoiceVerifyService)
    # One object per catalogue entry that declares a factory, each under its id.
    from kiosk.services.catalogue import CATALOGUE

    assert set(core.services) == {s.id for s in CATALOGUE if s.factory is not None}
    assert core.services["invoice.verify"] is service
    assert core.invoice_verify is service  # the UI's old name, until it migrates
    with pytest.raises(KeyError):
        core.service("no.such.service")


# -- scans ------------------------------------------------------------------------------

def test_invoice_and_slip_scans_go_to_invoice_verification_from_anywhere(
        core: KioskCore) -> None:
    for current in (None, "invoice.verify", "no.such.screen"):
        for text in (INVOICE, SLIP):
            route = core.route_scan(text, current)
            assert route.service_id == "invoice.verify"
            assert route.availability == Availability(True)
    route = core.route_scan(INVOICE)
    assert route.scan.kind is ScanKind.INVOICE_QR and route.scan.text == INVOICE
    # What the screen does with it is what it always did.
    assert InvoiceVerifyService.classify_scan(route.scan.text).query.number == "31415926"


def test_the_current_service_first_then_the_first_claimant(core: KioskCore) -> None:
    core.catalogue = (INVOICE_VERIFY, LOTTERY, LOGISTICS, PICKUP)
    assert core.route_scan(INVOICE, "test.lottery").service_id == "test.lottery"
    assert core.route_scan(INVOICE, "test.pickup").service_id == "invoice.verify"
    assert core.route_scan(INVOICE).service_id == "invoice.verify"
    label = "FPBOX,04,144031900111,00012001,00012100"
    # A staff service takes scans only while it is open; otherwise the taxpayer one.
    assert core.route_scan(label, "test.logistics").service_id == "test.logistics"
    assert core.route_scan(label).service_id == "test.pickup"
    waybill = core.route_scan("SF1234567890123")
    assert (waybill.service_id, waybill.scan.kind) == (None, ScanKind.WAYBILL)
    assert core.route_scan("SF1234567890123", "test.logistics").service_id == "test.logistics"


def test_nobody_takes_unknown_or_unclaimed_scans(core: KioskCore) -> None:
    junk = core.route_scan("hello world", "invoice.verify")
    assert (junk.service_id, junk.scan.kind, junk.scan.error) == (
        None, ScanKind.UNKNOWN, "qr.not_invoice")
    assert junk.availability is None
    payment = core.route_scan("134567890123456789", "invoice.verify")
    assert (payment.service_id, payment.scan.kind) == (None, ScanKind.PAYMENT_CODE)
    # A payment code opens no service from the home screen (there is no order to pay):
    # only an open paying service takes it, for the order on its payment screen.
    assert core.route_scan("134567890123456789").service_id is None
    assert core.route_scan("134567890123456789", "tax.vehicle").service_id == "tax.vehicle"


# -- availability -----------------------------------------------------------------------

def test_availability_from_real_devices_and_the_real_link(core: KioskCore,
                                                          hall: SimulatedHall) -> None:
    core.catalogue = (INVOICE_VERIFY, PRINTS, ONLINE)
    assert core.probe_central()
    wait_for(lambda: core.availability("test.print").available)
    assert core.availability("test.online") == Availability(True)
    hall.set_fault("receipt_printer", "paper_out")
    wait_for(lambda: not core.availability("test.print").available)
    assert core.availability("test.print") == Availability(False, "device:paper_empty",
                                                           "receipt_printer")
    assert core.availability("invoice.verify").available  # needs no printer
    assert hall.network is not None
    hall.network.set_online(False)
    assert not core.probe_central()
    assert core.availability("test.online") == Availability(False, "offline")
    assert core.availability("invoice.verify").available  # queues offline
    with pytest.raises(UnknownService):
        core.availability("no.such.service")


def test_hours_from_the_config(hall: SimulatedHall, settings: dict[str, Any]) -> None:
    base = parse_config({**settings, "ui": {"hours": {"mon": ""}}})  # closed every day
    core = KioskCore(hall.kiosk_config(base)).start(background_sync=False,
                                                    publish_state=False)
    try:
        assert core.availability("invoice.verify") == Availability(False, "hours")
        assert core.route_scan(INVOICE).availability == Availability(False, "hours")
    finally:
        core.stop()


# -- confirmations never wait on the caller's thread --------------------------------------

def _spy_on_mark_confirmed(core: KioskCore) -> tuple[threading.Event, list[str]]:
    """Records the thread of each real outbox write; each write waits for `release`,
    so a caller that returns while it waits cannot have written itself."""
    release = threading.Event()
    threads: list[str] = []
    real = core.outbox.mark_confirmed

    def mark_confirmed(reference: str) -> None:
        threads.append(threading.current_thread().name)
        release.wait(5.0)
        real(reference)

    core.outbox.mark_confirmed = mark_confirmed  # type: ignore[method-assign]
    return release, threads


def test_confirm_shown_returns_before_the_outbox_write(core: KioskCore) -> None:
    query = VerificationQuery.from_json(
        {"type_code": "10", "code": "033002600111", "number": "31415926",
         "issued_on": "2026-11-30", "amount": None, "check_code_last6": "954712"})
    record = core.outbox.enqueue("invoice.verify", query.to_json(), confirm_later=True)
    other = core.outbox.enqueue("invoice.verify", query.to_json(), confirm_later=True)
    assert len(core.outbox.unconfirmed()) == 2
    release, threads = _spy_on_mark_confirmed(core)
    caller = threading.current_thread().name
    started = time.monotonic()
    service_future = core.invoice_verify.confirm_shown(Queued(query, record.uuid, record.seq))
    core_future = core.confirm_shown(other.uuid)
    returned_in = time.monotonic() - started
    assert not service_future.done() and not core_future.done()
    release.set()
    service_future.result(timeout=5)
    core_future.result(timeout=5)
    assert returned_in < 0.5
    assert threads and caller not in threads
    assert all(name.startswith("core-io") for name in threads)
    assert core.outbox.unconfirmed() == []


def test_a_queued_verification_is_confirmed_off_thread_end_to_end(
        core: KioskCore, hall: SimulatedHall) -> None:
    assert hall.network is not None
    hall.network.set_online(False)
    scanned = InvoiceVerifyService.classify_scan(INVOICE)
    outcome = core.invoice_verify.verify(scanned.query, "zh")  # type: ignore[union-attr]
    assert isinstance(outcome, Queued)
    release, threads = _spy_on_mark_confirmed(core)
    future = core.invoice_verify.confirm_shown(outcome)
    assert not future.done()
    release.set()
    future.result(timeout=5)
    assert threads == [t for t in threads if t.startswith("core-io")] and threads
    assert core.outbox.unconfirmed() == []


def test_stop_finishes_queued_confirmations(core: KioskCore) -> None:
    record = core.outbox.enqueue("invoice.verify", {"x": 1}, confirm_later=True)
    core.confirm_shown(record.uuid)
    outbox_path = core.config.queue_path
    core.stop()
    from offline_queue.outbox import Outbox

    again = Outbox(outbox_path, core.kiosk_id, core.keys)
    try:
        assert again.unconfirmed() == []
    finally:
        again.close()


# -- the published state and `kiosk services` ---------------------------------------------

def test_state_json_follows_the_devices_and_the_link(core: KioskCore,
                                                     hall: SimulatedHall) -> None:
    path = state_path(core.config.data_dir)
    wait_for(lambda: read_state(path).problem_of("receipt_printer") is None)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["pid"] == os.getpid() and document["running"] is True
    assert document["devices"]["receipt_printer"]["kind"] == "receipt_printer"
    hall.set_fault("receipt_printer", "cover_open")
    wait_for(lambda: read_state(path).problem_of("receipt_printer") == "cover_open")
    assert hall.network is not None
    hall.network.set_online(False)
    core.probe_central()
    wait_for(lambda: read_state(path).link_online is False)
    core.stop()
    stopped = read_state(path)
    assert stopped.devices is None and "not running" in (stopped.why_unknown or "")


def test_services_report_judges_devices_from_the_running_kiosk(
        core: KioskCore, hall: SimulatedHall) -> None:
    catalogue = (INVOICE_VERIFY, PRINTS, ONLINE)
    path = state_path(core.config.data_dir)
    wait_for(lambda: read_state(path).problem_of("receipt_printer") is None)
    rows, unknown = services_report(core.config, online=True, catalogue=catalogue)
    assert unknown is None
    assert [(r["id"], r["available"], r["reason"]) for r in rows] == [
        ("invoice.verify", True, None), ("test.print", True, None),
        ("test.online", True, None)]
    hall.set_fault("receipt_printer", "paper_out")
    wait_for(lambda: read_state(path).problem_of("receipt_printer") == "paper_empty")
    rows, _ = services_report(core.config, online=False, catalogue=catalogue)
    assert [(r["id"], r["available"], r["reason"]) for r in rows] == [
        ("invoice.verify", True, None), ("test.print", False, "device:paper_empty"),
        ("test.online", False, "offline")]
    core.stop()
    rows, unknown = services_report(core.config, online=True, catalogue=catalogue)
    assert unknown is not None and "not running" in unknown
    assert rows[1]["reason"] == "devices_unknown" and rows[0]["available"] is True


def test_kiosk_services_json_through_the_command(core: KioskCore, tmp_path: Path,
                                                 settings: dict[str, Any]) -> None:
    path = state_path(core.config.data_dir)
    wait_for(lambda: read_state(path).devices is not None)
    from kiosk.services.catalogue import CATALOGUE

    rows = kiosk_services(config_file(tmp_path, settings))
    assert [r["id"] for r in rows] == [s.id for s in CATALOGUE]  # the whole catalogue
    verify = next(r for r in rows if r["id"] == "invoice.verify")
    assert verify == {
        "id": "invoice.verify", "title_zh": "发票查验", "title_en": "Invoice verification",
        "group": "invoices", "policy": "queue", "identity": "none", "identity_methods": [],
        "devices": [], "staff_role": None, "available": True, "reason": None}
    calc = next(r for r in rows if r["policy"] == "local")  # needs no network
    assert calc["available"] and calc["reason"] is None
    closed = kiosk_services(config_file(tmp_path, settings, 'hours = { mon = "" }'))
    assert {(r["available"], r["reason"]) for r in closed} == {(False, "hours")}


def test_kiosk_services_table_for_people(core: KioskCore, tmp_path: Path,
                                         settings: dict[str, Any],
                                         hall: SimulatedHall) -> None:
    assert hall.network is not None
    hall.network.set_online(False)
    core.stop()  # a stopped kiosk: device states unknown, said on stderr
    done = subprocess.run([str(KIOSK), "services", "--config",
                           str(config_file(tmp_path, settings))],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "发票查验 / Invoice verification" in done.stdout
    assert "central service: unreachable" in done.stdout
    assert "devices: unknown: the kiosk is not running" in done.stderr


def test_a_bad_config_is_exit_2_with_the_reason(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('data_dir = "/tmp/x"\n[ui]\nhours = "9-5"\n', encoding="utf-8")
    done = subprocess.run([str(KIOSK), "services", "--config", str(config)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "[ui] hours" in done.stderr
