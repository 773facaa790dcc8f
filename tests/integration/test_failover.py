"""Failover between configured central URLs: two real central servers on loopback
sharing one SQLite file; per-record dedupe holds whichever one stores a record."""
from __future__ import annotations

from pathlib import Path

import httpx
from queue_cli_helpers import stored_records

from central.server import CentralServer
from kiosk.app import KioskCore
from kiosk.config import parse_config
from offline_queue.crypto import b64e
from offline_queue.wire import SyncBatch

KIOSK_ID = "hall-02.t1"


def test_client_fails_over_to_the_second_central_and_back(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'central.db'}"
    first = CentralServer(db_url).start()
    second = CentralServer(db_url).start()
    first_port = first.port
    cfg = parse_config({"data_dir": str(tmp_path / "kiosk"), "kiosk_id": KIOSK_ID,
                        "central": {"urls": [first.url, second.url], "timeout_s": 5.0}})
    core = KioskCore(cfg).start(background_sync=False)
    try:
        core.outbox.enqueue("drill", {"i": 1})
        assert core.drain_queue(timeout_s=20).accepted == 1
        assert core.central.current_url == first.url

        first.stop()  # the preferred endpoint goes away: the next pass uses the second
        core.outbox.enqueue("drill", {"i": 2})
        report = core.drain_queue(timeout_s=20)
        assert report.error is None and report.accepted == 1
        assert core.central.current_url == second.url

        # The first comes back on its address and the second goes: back to the first.
        first = CentralServer(db_url, port=first_port).start()
        second.stop()
        core.outbox.enqueue("drill", {"i": 3})
        report = core.drain_queue(timeout_s=20)
        assert report.error is None and report.accepted == 1
        assert core.central.current_url == first.url

        # Both gone: unavailable, nothing lost, and the record goes later.
        first.stop()
        core.outbox.enqueue("drill", {"i": 4})
        report = core.drain_queue(timeout_s=20)
        assert report.error is not None and "CentralUnavailable" in report.error
        assert core.outbox.pending_count() == 1
        second = CentralServer(db_url, port=second.port).start()
        report = core.drain_queue(timeout_s=20)
        assert report.error is None and report.accepted == 1
        records = core.outbox.pending(10)
        assert records == []
    finally:
        core.stop()
        second.stop()
        first.stop()
    stored = stored_records(db_url, KIOSK_ID)
    assert [(seq, status) for seq, _u, _k, status in stored] == [
        (1, "accepted"), (2, "accepted"), (3, "accepted"), (4, "accepted")]


def test_the_same_batch_through_both_centrals_is_stored_once(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'central.db'}"
    cfg = parse_config({"data_dir": str(tmp_path / "kiosk"), "kiosk_id": KIOSK_ID,
                        "central": {"urls": ["http://127.0.0.1:9"]}})
    with CentralServer(db_url) as a, CentralServer(db_url) as b:
        core = KioskCore(cfg).start(background_sync=False)
        try:
            for i in range(5):
                core.outbox.enqueue("drill", {"i": i})
            core.outbox.enqueue("invoice.verify", {"type_code": "nonsense"})
            body = SyncBatch(kiosk_id=KIOSK_ID,
                             records=core.outbox.pending()).model_dump(mode="json")
            with httpx.Client(timeout=10) as http:
                enrol = {"kiosk_id": KIOSK_ID, "public_key": b64e(core.keys.public_key),
                         "data_key": b64e(core.keys.data_key)}
                assert http.post(a.url + "/v1/kiosks/enroll", json=enrol).status_code == 200
                first = http.post(a.url + "/v1/sync/batch", json=body).json()
                again = http.post(b.url + "/v1/sync/batch", json=body).json()
        finally:
            core.stop()
    assert [r["status"] for r in first["results"]] == ["accepted"] * 5 + ["rejected"]
    # The second central answers from the shared store: duplicates, and the same
    # rejection for the parked record (so the kiosk parks it too).
    assert [r["status"] for r in again["results"]] == ["duplicate"] * 5 + ["rejected"]
    assert again["results"][5]["reason"] == first["results"][5]["reason"]
    assert first["acked_through"] == again["acked_through"] == 6
    assert len(stored_records(db_url, KIOSK_ID)) == 6
