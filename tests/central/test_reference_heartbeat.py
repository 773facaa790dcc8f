"""Reference data by cursor (central endpoint, CLI, the kiosk's inbox) and the signed
heartbeat, over loopback against a real server and real SQLite files."""
from __future__ import annotations

import argparse
import json
from datetime import datetime, timedelta, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx
import pytest

from central import cli
from central.server import CentralServer
from central_helpers import ADMIN_TOKEN, ENROLMENT_TOKEN
from kiosk.app import KioskCore
from kiosk.central_client import CentralClient, CentralRejected
from kiosk.config import parse_config
from offline_queue.crypto import KioskKeys, b64e, content_digest
from offline_queue.reference import ReferenceInbox
from offline_queue.wire import ReferenceItem, ReferencePage

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def add(client: httpx.Client, items: Any) -> list[int]:
    response = client.post("/v1/admin/reference", json=items, headers=ADMIN)
    assert response.status_code == 200, response.text
    return response.json()["updated_seq"]


def page(client: httpx.Client, cursor: int, **params: Any) -> dict[str, Any]:
    response = client.get("/v1/reference", params={"cursor": cursor, **params})
    assert response.status_code == 200, response.text
    return response.json()


def end_cursor(client: httpx.Client) -> int:
    """The cursor after every item already there (the demo data's)."""
    cursor, more = 0, True
    while more:
        answer = page(client, cursor)
        cursor, more = answer["next_cursor"], answer["more"]
    return cursor


# --- the central side ---------------------------------------------------------------

def test_reference_changes_come_as_deltas_after_the_cursor(client: httpx.Client) -> None:
    hours = {"kind": "announcement", "key": "hall-hours", "body": {"zh": "周一至周五 9:00-17:00"}}
    vat = {"kind": "policy", "key": "vat-small-scale", "body": {"rate": "1%"}}
    assert client.post("/v1/admin/reference", json=hours).status_code == 401
    # The demo data (guidance, FAQ, courses...) comes first: seqs count on from it.
    base = end_cursor(client)
    assert add(client, [hours, vat]) == [base + 1, base + 2]

    first = page(client, base)
    assert [(i["kind"], i["key"], i["updated_seq"]) for i in first["items"]] == [
        ("announcement", "hall-hours", base + 1), ("policy", "vat-small-scale", base + 2)]
    assert first["items"][0]["body"] == hours["body"] and first["next_cursor"] == base + 2
    assert first["more"] is False
    assert page(client, base + 2) == {"items": [], "next_cursor": base + 2, "more": False}

    # A change and a withdrawal arrive as new deltas; the item keeps its id.
    assert add(client, hours | {"body": {"zh": "周一至周六 9:00-17:00"}}) == [base + 3]
    assert add(client, {"kind": "policy", "key": "vat-small-scale", "deleted": True}) == [
        base + 4]
    delta = page(client, base + 2)
    assert [(i["key"], i["updated_seq"] - base, i["deleted"]) for i in delta["items"]] == [
        ("hall-hours", 3, False), ("vat-small-scale", 4, True)]
    assert delta["items"][0]["id"] == first["items"][0]["id"]
    assert delta["items"][1]["body"] is None and delta["next_cursor"] == base + 4

    paged = page(client, base, limit=1)
    assert len(paged["items"]) == 1 and paged["more"] is True
    assert paged["next_cursor"] == base + 3
    assert page(client, base + 3, limit=1)["more"] is False

@pytest.mark.parametrize("body", [
    {"kind": "policy", "key": "x"},  # neither body nor deleted
    {"kind": "policy", "key": "x", "body": {}, "deleted": True},
    {"kind": "bad kind!", "key": "x", "body": {}},
    {"kind": "policy", "key": "", "body": {}},
    {"kind": "policy", "key": "x", "body": {}, "extra": 1},
    {"kind": "policy", "key": "x", "body": {"text": "x" * 70_000}},
    [], "not an object", 42,
])
def test_bad_reference_items_are_422_and_store_nothing(shared_client: httpx.Client,
                                                       body: Any) -> None:
    response = shared_client.post("/v1/admin/reference", json=body, headers=ADMIN)
    assert response.status_code == 422 and response.json()["detail"]


def test_bad_reference_requests_are_4xx(shared_client: httpx.Client) -> None:
    for params in ({"cursor": -1}, {"cursor": "x"}, {"limit": 0}, {"limit": 10_000}):
        assert shared_client.get("/v1/reference", params=params).status_code == 422
    raw = shared_client.post("/v1/admin/reference", content=b"{not json", headers=ADMIN)
    assert raw.status_code == 422


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    return cli.main(parser.parse_args(list(argv)))


def test_cli_adds_reference_items_and_refuses_bad_files(
        tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "notice.json"
    good.write_text(json.dumps([{"kind": "announcement", "key": "closed-0501",
                                 "body": {"zh": "五一假期闭厅"}}], ensure_ascii=False),
                    encoding="utf-8")
    assert run_cli("--db", db_url, "--add-reference", str(good)) == 0
    assert "stored 1 reference item(s), updated_seq 1..1" in capsys.readouterr().out
    broken = tmp_path / "broken.json"
    broken.write_text('{"kind": "announcement", "key": ', encoding="utf-8")
    assert run_cli("--db", db_url, "--add-reference", str(broken)) == 2
    assert "not a readable JSON file" in capsys.readouterr().err
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"kind": "announcement", "key": "k"}', encoding="utf-8")
    assert run_cli("--db", db_url, "--add-reference", str(wrong)) == 2
    assert "item 1" in capsys.readouterr().err
    assert run_cli("--db", db_url, "--add-reference", str(tmp_path / "none.json")) == 2
    with CentralServer(db_url) as server, httpx.Client(base_url=server.url) as http:
        items = page(http, 0)["items"]
    # The service publishes its certificate key on the feed too (kind certificate_key).
    assert [(i["key"], i["body"]) for i in items if i["kind"] == "announcement"] == [
        ("closed-0501", {"zh": "五一假期闭厅"})]


# --- heartbeat ------------------------------------------------------------------------

def enrolled(central: CentralServer, kiosk_id: str = "K-hb") -> tuple[KioskKeys, CentralClient]:
    keys = KioskKeys.generate()
    client = CentralClient((central.url,), kiosk_id)
    client.enroll(keys, ENROLMENT_TOKEN)
    return keys, client


def signed(keys: KioskKeys, body: dict[str, Any]) -> dict[str, Any]:
    return body | {"signature": b64e(keys.sign(content_digest(body)))}


def test_heartbeat_is_stored_and_bad_ones_are_refused(central: CentralServer,
                                                     client: httpx.Client) -> None:
    keys, kiosk = enrolled(central)
    sent_at = datetime.now(timezone.utc)
    report = {"sent_at": sent_at.isoformat(), "software_version": "1.2.3", "queue_depth": 7,
              "oldest_pending_age_s": 3600.5, "unconfirmed": 1,
              "devices": {"printer": {"state": "error", "error": "paper_empty"}}}
    kiosk.heartbeat(keys, report)
    view = client.get("/v1/admin/kiosks/K-hb", headers=ADMIN).json()
    assert view["last_seen"] is not None
    beat = view["last_heartbeat"]
    assert (beat["queue_depth"], beat["oldest_pending_age_s"], beat["software_version"],
            beat["unconfirmed"]) == (7, 3600.5, "1.2.3", 1)
    assert beat["devices"]["printer"]["error"] == "paper_empty" and "signature" not in beat
    assert client.get("/v1/admin/kiosks/K-hb").status_code == 401
    assert client.get("/v1/admin/kiosks/nobody", headers=ADMIN).status_code == 404

    url = "/v1/kiosks/K-hb/heartbeat"
    body = {"kiosk_id": "K-hb", "sent_at": (sent_at + timedelta(seconds=1)).isoformat(),
            "software_version": "1.2.3", "queue_depth": 0, "oldest_pending_age_s": None,
            "unconfirmed": 0, "devices": {}}
    good = signed(keys, body)
    assert client.post(url, json=good).status_code == 200
    replay = client.post(url, json=good)
    assert replay.status_code == 409 and "replayed" in replay.json()["detail"]
    edited = good | {"queue_depth": 0, "sent_at": (sent_at + timedelta(seconds=2)).isoformat(),
                     "software_version": "evil"}
    assert client.post(url, json=edited).status_code == 403
    forged = signed(KioskKeys.generate(), body | {
        "sent_at": (sent_at + timedelta(seconds=3)).isoformat()})
    response = client.post(url, json=forged)
    assert response.status_code == 403 and "bad signature" in response.json()["detail"]
    stranger = client.post("/v1/kiosks/K-nobody/heartbeat",
                           json=signed(keys, body | {"kiosk_id": "K-nobody"}))
    assert stranger.status_code == 403 and "not enrolled" in stranger.json()["detail"]
    assert client.post("/v1/kiosks/K-other/heartbeat", json=good).status_code == 422
    naive = signed(keys, body | {"sent_at": "2026-06-15T10:00:00"})
    assert client.post(url, json=naive).status_code == 422
    assert client.post(url, json=good | {"signature": "!!!"}).status_code == 422
    assert client.post(url, json=body | {"queue_depth": -1}).status_code == 422
    assert client.post(url, json=body | {"surprise": 1}).status_code == 422
    # The stored heartbeat is still the last good one.
    assert client.get("/v1/admin/kiosks/K-hb", headers=ADMIN).json()["last_heartbeat"][
        "queue_depth"] == 0
    unknown = CentralClient((central.url,), "K-unknown")
    with pytest.raises(CentralRejected):
        unknown.heartbeat(keys, report)
    unknown.close()  # its socket, before the collector finds it during another test
    kiosk.close()


# --- the kiosk side ---------------------------------------------------------------------

def test_each_sync_pass_sends_a_heartbeat_and_downloads_reference_deltas(
        tmp_path: Path, central: CentralServer, client: httpx.Client) -> None:
    base = end_cursor(client)  # the demo data's items
    add(client, [{"kind": "announcement", "key": "a1", "body": {"zh": "通知一"}},
                 {"kind": "policy", "key": "p1", "body": {"rate": "3%"}}])
    cfg = parse_config({"data_dir": str(tmp_path / "kiosk"), "kiosk_id": "K-core",
                        "central": {"urls": [central.url]}})
    core = KioskCore(cfg).start(background_sync=False)
    try:
        # Not enrolled yet (the central wants a token): the empty pass succeeds, the
        # heartbeat is refused and ignored, the reference data still comes down.
        assert core.drain_queue(timeout_s=20).error is None
        assert [e.key for e in core.reference.items() if e.key in ("a1", "p1")] == ["a1", "p1"]
        assert core.reference.get("policy", "p1").body == {"rate": "3%"}  # type: ignore[union-attr]
        age = core.reference.age_s()
        assert age is not None and 0 <= age < 30
        # Its enrolment without a token waits for an operator's approval.
        assert client.get("/v1/admin/kiosks/K-core", headers=ADMIN).json()["approved"] is False

        core.enroll(ENROLMENT_TOKEN)
        core.outbox.enqueue("drill", {"i": 1})
        add(client, [{"kind": "announcement", "key": "a1", "body": {"zh": "通知一（更新）"}},
                     {"kind": "policy", "key": "p1", "deleted": True}])
        assert core.drain_queue(timeout_s=20).accepted == 1
        assert [(e.key, e.body) for e in core.reference.items() if e.key in ("a1", "p1")] == [
            ("a1", {"zh": "通知一（更新）"})]
        status = core.queue_status()
        assert status["reference"]["cursor"] == base + 4
        beat = client.get("/v1/admin/kiosks/K-core", headers=ADMIN).json()["last_heartbeat"]
        assert beat["queue_depth"] == 0 and beat["devices"] == {}
        assert beat["software_version"] == metadata.version("tax-kiosk")
    finally:
        core.stop()
    # The cursor survives a restart: nothing is downloaded twice.
    inbox = ReferenceInbox(cfg.reference_path)
    assert inbox.cursor() == base + 4
    inbox.close()


def test_a_new_kiosk_enrols_openly_for_its_first_heartbeat(tmp_path: Path,
                                                           db_url: str) -> None:
    """With open enrolment (the demo hall), the first pass enrols and reports even with
    nothing queued: no 'not enrolled' heartbeat failure waiting for the first batch."""
    with CentralServer(db_url, admin_token=ADMIN_TOKEN) as server:
        cfg = parse_config({"data_dir": str(tmp_path / "kiosk"), "kiosk_id": "K-open",
                            "central": {"urls": [server.url]}})
        core = KioskCore(cfg).start(background_sync=False)
        try:
            assert core.drain_queue(timeout_s=20).error is None
        finally:
            core.stop()
        with httpx.Client(base_url=server.url, timeout=10.0) as http:
            kiosk = http.get("/v1/admin/kiosks/K-open", headers=ADMIN).json()
    assert kiosk["last_heartbeat"]["queue_depth"] == 0


def test_background_passes_send_the_heartbeat_at_most_every_interval(
        tmp_path: Path, central: CentralServer, client: httpx.Client) -> None:
    import time

    cfg = parse_config({"data_dir": str(tmp_path / "kiosk"), "kiosk_id": "K-beat",
                        "central": {"urls": [central.url]},
                        "sync": {"interval_s": 0.05, "heartbeat_interval_s": 3600}})
    core = KioskCore(cfg).start(background_sync=False)
    core.enroll(ENROLMENT_TOKEN)
    core.sync.start(interval_s=cfg.sync.interval_s)  # type: ignore[union-attr]

    def last_beat() -> dict[str, Any] | None:
        return client.get("/v1/admin/kiosks/K-beat", headers=ADMIN).json()["last_heartbeat"]

    try:
        deadline = time.monotonic() + 20
        while last_beat() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        first = last_beat()
        assert first is not None and first["queue_depth"] == 0
        core.outbox.enqueue("drill", {"i": 1})
        while core.outbox.pending_count() and time.monotonic() < deadline:
            time.sleep(0.05)
        passes_before = core.last_report
        time.sleep(0.5)  # several more background passes, all successful
        assert core.last_report is not passes_before and core.last_report.error is None  # type: ignore[union-attr]
        assert last_beat() == first  # not due again for an hour
        # An explicit drain (`kiosk queue sync`, the scenario verb) always reports.
        assert core.drain_queue(timeout_s=20).error is None
        assert last_beat()["sent_at"] > first["sent_at"]  # type: ignore[index]
    finally:
        core.stop()


def test_inbox_applies_pages_in_order_and_rebuilds_when_damaged(tmp_path: Path) -> None:
    path = tmp_path / "reference.sqlite3"
    inbox = ReferenceInbox(path)
    assert inbox.cursor() == 0 and inbox.age_s() is None
    item = ReferenceItem(id=1, kind="policy", key="k", body={"v": 2}, updated_seq=5)
    assert inbox.apply(ReferencePage(items=[item], next_cursor=5)) == 1
    stale = item.model_copy(update={"body": {"v": 1}, "updated_seq": 4})
    assert inbox.apply(ReferencePage(items=[stale], next_cursor=4)) == 0
    assert inbox.get("policy", "k").body == {"v": 2}  # type: ignore[union-attr]
    assert inbox.cursor() == 5
    inbox.close()
    path.write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    rebuilt = ReferenceInbox(path)
    assert rebuilt.cursor() == 0 and rebuilt.items() == []
    rebuilt.close()
