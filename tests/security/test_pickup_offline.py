"""Offline invoice pickup (issue #12 §1) end to end on real parts: a central service
on loopback with its demo data, a kiosk client enrolled with the enrolment token, the
outbox file with kiosk migration 0005, the simulated dispenser on a pty and its SQLite
journal. The hall's pending pickup orders are cached sealed (no ID number, name or
pickup code in clear in the file; a tampered row does not open); a taxpayer identified
by ID card alone collects from the cache within the exposure limits, the record is
queued marked offline, and the same application is never issued twice offline."""
from __future__ import annotations

import sqlite3
import sys
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "central"))

from central_helpers import ENROLMENT_TOKEN, TODAY, MovableClock  # noqa: E402

from central.demo_data import DEMO_PERSON_ID, DEMO_PERSON_NAME  # noqa: E402
from central.invoice_stock_db import IssuedRange  # noqa: E402
from central.server import CentralServer  # noqa: E402
from drivers.dispenser import DispenseJournal, InvoiceDispenser  # noqa: E402
from drivers.simulators.dispenser_sim import SimulatedInvoiceDispenser  # noqa: E402
from kiosk.central_client import CentralClient  # noqa: E402
from kiosk.config import LimitsConfig  # noqa: E402
from kiosk.connectivity import Connectivity  # noqa: E402
from kiosk.services.identity import Identified, SessionIdentity, Taxpayer  # noqa: E402
from kiosk.services.pickup import PickupError, PickupService  # noqa: E402
from kiosk.services.pickup_cache import PickupCache, PickupCacheError, refresh  # noqa: E402
from offline_queue.crypto import KioskKeys  # noqa: E402
from offline_queue.outbox import Outbox  # noqa: E402
from offline_queue.payloads import INVOICE_ISSUE_KIND  # noqa: E402
from offline_queue.sync_worker import SyncWorker  # noqa: E402

pytestmark = pytest.mark.security


@contextmanager
def central_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralServer]:
    db = tmp_path_factory.mktemp("pickup-offline") / "central.db"
    with CentralServer(f"sqlite:///{db}", today=lambda: TODAY, now=MovableClock(),
                       demo_data=True, enrolment_token=ENROLMENT_TOKEN) as s:
        yield s


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralServer]:
    with central_service(tmp_path_factory) as s:
        yield s


@pytest.fixture
def kiosk(server: CentralServer, tmp_path: Path) -> Iterator[dict[str, Any]]:
    with kiosk_parts(server, tmp_path) as parts:
        yield parts


@contextmanager
def kiosk_parts(server: CentralServer, tmp_path: Path) -> Iterator[dict[str, Any]]:
    keys = KioskKeys.generate()
    kiosk_id = f"K-offline-{uuid.uuid4().hex[:6]}"
    client = CentralClient((server.url,), kiosk_id, timeout_s=10.0)
    assert client.enroll(keys, token=ENROLMENT_TOKEN, hall_id="demo-hall")["approved"]
    outbox = Outbox(tmp_path / "outbox.sqlite3", kiosk_id, keys)
    cache = PickupCache.for_outbox(outbox, keys)
    sim = SimulatedInvoiceDispenser(stock=0, stable_link=True, sheet_s=0.001).start()
    sim.load_demo_stock()
    journal = DispenseJournal(tmp_path / "journal.sqlite3")
    driver = InvoiceDispenser(sim.connection, journal=journal, reply_timeout_s=0.3,
                              sheet_time_s=0.05)
    yield {"keys": keys, "client": client, "outbox": outbox, "cache": cache, "sim": sim,
           "driver": driver, "journal": journal, "path": tmp_path / "outbox.sqlite3",
           "kiosk_id": kiosk_id, "tmp": tmp_path}
    driver.close()
    journal.close()
    sim.close()
    cache.close()
    outbox.close()
    client.close()


def offline_person() -> SessionIdentity:
    """Who an ID card alone identifies while the central is unreachable."""
    person = Taxpayer(tin=DEMO_PERSON_ID, name=DEMO_PERSON_NAME, kind="person",
                      id_number=DEMO_PERSON_ID)
    identity = SessionIdentity()
    identity.set(Identified(subject=person, login=person, method="id_card", offline=True))
    return identity


def service(k: dict[str, Any], limits: LimitsConfig, identity: SessionIdentity) -> PickupService:
    class NoSession:  # an offline identity never reaches the central
        def call(self, *_a: Any) -> dict[str, Any]:
            raise AssertionError("an offline pickup must not call the central service")

    return PickupService(calls=NoSession(), driver=lambda: k["driver"], outbox=k["outbox"],
                         limits=limits, on_queued=lambda: None, slips=None,
                         identity=identity, retract_s=1, cache=k["cache"])


def test_cache_is_sealed_and_keyed(kiosk: dict[str, Any]) -> None:
    held = refresh(kiosk["cache"], kiosk["client"], kiosk["keys"])
    assert held >= 1
    raw = Path(kiosk["path"]).read_bytes()
    for secret in (DEMO_PERSON_ID, DEMO_PERSON_NAME, "FP2026A1"):
        assert secret.encode() not in raw, f"{secret!r} is readable in the outbox file"
    [order] = kiosk["cache"].orders_for(DEMO_PERSON_ID.lower(), "fp2026a1")
    assert order.application_no == "FPSQ2026000101" and order.offline and order.as_of
    assert order.verify_rows and order.caps is not None and order.refusal is None
    assert kiosk["cache"].orders_for("110105194912310038") == []  # somebody else
    # a row moved to another application does not open
    with closing(sqlite3.connect(kiosk["path"])) as db, db:
        db.execute("UPDATE pickup_cache SET application_no = 'FORGED' WHERE "
                   "application_no = 'FPSQ2026000101'")
    with pytest.raises(PickupCacheError):
        kiosk["cache"].orders_for(DEMO_PERSON_ID)


def test_a_malformed_snapshot_changes_nothing(kiosk: dict[str, Any]) -> None:
    refresh(kiosk["cache"], kiosk["client"], kiosk["keys"])
    before = kiosk["cache"].count()
    for bad in ({"orders": "x", "as_of": "2026-01-01"}, {"orders": [{"id_number": "1"}],
                                                          "as_of": "2026-01-01"}):
        with pytest.raises(PickupCacheError):
            kiosk["cache"].replace(bad)
    assert kiosk["cache"].count() == before


def test_offline_pickup_from_the_cache_is_queued_once(kiosk: dict[str, Any]) -> None:
    refresh(kiosk["cache"], kiosk["client"], kiosk["keys"])
    svc = service(kiosk, LimitsConfig(), offline_person())
    [order] = svc.orders("FP2026A1")
    assert order.offline and order.refusal is None
    taken = []

    def on_box(_i: int, _n: int, box: Any) -> None:
        if box is not None:
            kiosk["sim"].take()
            taken.append(box)
    outcome = svc.dispense(order, on_box=on_box)
    assert outcome.taken == 20 and taken
    [record] = [r for r in kiosk["outbox"].pending() if r.kind == INVOICE_ISSUE_KIND]
    [pickup] = kiosk["journal"].pickups()
    assert pickup["offline"] == 1 and pickup["record_uuid"] == record.uuid
    assert pickup["application_no"] == "FPSQ2026000101"
    # The same application again, still offline: refused here, nothing moves.
    [again] = svc.orders("FP2026A1")
    assert again.refusal == "pickup.done"
    with pytest.raises(PickupError) as exc:
        svc.dispense(again)
    assert exc.value.code == "pickup.done"


def test_synced_pickup_names_the_kiosk_that_dispensed(
        tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> None:
    """The stock office reads from each issued range which terminal it left: the kiosk
    that sent and signed the batch. (Its own central service: once synced, the demo
    application is done for good.)"""
    with central_service(tmp_path_factory) as server, kiosk_parts(server, tmp_path) as kiosk:
        synced_pickup_names_the_kiosk(server, kiosk)


def synced_pickup_names_the_kiosk(server: CentralServer, kiosk: dict[str, Any]) -> None:
    refresh(kiosk["cache"], kiosk["client"], kiosk["keys"])
    svc = service(kiosk, LimitsConfig(), offline_person())
    [order] = svc.orders("FP2026A1")
    svc.dispense(order, on_box=lambda _i, _n, box: box is not None and kiosk["sim"].take())
    assert [r.kind for r in kiosk["outbox"].pending()] == [INVOICE_ISSUE_KIND]
    report = SyncWorker(kiosk["outbox"], kiosk["client"].post_batch,
                        kiosk["tmp"] / "sync.lock").sync_once()
    assert report.ok and report.accepted == 1
    with Session(server.app.state.engine) as db:
        ranges = db.scalars(select(IssuedRange).where(
            IssuedRange.application_no == "FPSQ2026000101")).all()
    assert ranges and {r.kiosk_id for r in ranges} == {kiosk["kiosk_id"]}
    assert sum(r.last_no - r.first_no + 1 for r in ranges) == 20


def test_offline_pickup_stops_at_the_exposure_limit(kiosk: dict[str, Any]) -> None:
    refresh(kiosk["cache"], kiosk["client"], kiosk["keys"])
    kiosk["outbox"].enqueue("invoice.verify", {"filler": True})
    svc = service(kiosk, LimitsConfig(max_pending_records=1), offline_person())
    [order] = svc.orders("FP2026A1")
    with pytest.raises(Exception) as exc:
        svc.dispense(order)
    assert getattr(exc.value, "code", None) == "queue.limit"
    assert kiosk["sim"].counters.total_dispensed == 0  # nothing left the machine


def test_offline_without_a_cached_order_says_so(kiosk: dict[str, Any]) -> None:
    svc = service(kiosk, LimitsConfig(), offline_person())  # cache never refreshed
    with pytest.raises(PickupError) as exc:
        svc.orders()
    assert exc.value.code == "pickup.not_cached"


def test_connectivity_is_untouched_by_cache_reads(kiosk: dict[str, Any]) -> None:
    # Reading the cache is local: no central call, so the link state is not guessed.
    conn = Connectivity(30.0)
    refresh(kiosk["cache"], kiosk["client"], kiosk["keys"])
    assert kiosk["cache"].orders_for(DEMO_PERSON_ID) and conn.online
