"""Offline exposure limits: measured on a real outbox file, warning at 80 %, and the
`queue` service turning online-only (a typed refusal, nothing recorded) beyond them."""
from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from oq_helpers import FakeClock

from kiosk.central_client import CentralClient
from kiosk.config import ConfigError, LimitsConfig, parse_config
from kiosk.connectivity import Connectivity
from kiosk.domain import DomainError, VerificationQuery
from kiosk.services.exposure import QueueLimitExceeded, check_room, measure_exposure
from kiosk.services.invoice_verify import InvoiceVerifyService
from kiosk.services.slips import SlipPrinter
from kiosk.services.verify_outcomes import Queued
from offline_queue.crypto import KioskKeys
from offline_queue.outbox import Outbox
from offline_queue.wire import RecordResult, SyncAck


def test_limits_config_defaults_and_validation() -> None:
    cfg = parse_config({"data_dir": "/tmp/k", "central": {"urls": ["https://c"]}})
    assert cfg.limits == LimitsConfig(10000, 0, 72.0)
    cfg = parse_config({"data_dir": "/tmp/k", "limits": {
        "max_pending_records": 50, "max_pending_amount_fen": 500_000, "max_oldest_age_h": 24}})
    assert cfg.limits == LimitsConfig(50, 500_000, 24)
    for bad in ({"max_pending_records": -1}, {"max_oldest_age_h": "a day"},
                {"max_pending_amount_fen": True}, {"max_records": 5}):
        with pytest.raises(ConfigError, match="limits"):
            parse_config({"data_dir": "/tmp/k", "limits": bad})


def test_sync_settings_are_validated() -> None:
    cfg = parse_config({"data_dir": "/tmp/k", "sync": {"heartbeat_interval_s": 0}})
    assert cfg.sync.heartbeat_interval_s == 0 and cfg.sync.reference_interval_s == 60.0
    for bad in ({"interval_s": 0}, {"batch_size": 501}, {"batch_size": 2.5},
                {"heartbeat_interval_s": -1}, {"reference_interval_s": "hourly"},
                {"interval": 5}):
        with pytest.raises(ConfigError, match=r"\[sync\]"):
            parse_config({"data_dir": "/tmp/k", "sync": bad})


def test_count_measure_warns_at_80_percent_and_is_exceeded_at_the_limit(
        outbox: Outbox) -> None:
    limits = LimitsConfig(max_pending_records=10, max_oldest_age_h=0)
    assert not measure_exposure(outbox, limits).warning
    for i in range(7):
        outbox.enqueue("drill", {"i": i})
    exposure = measure_exposure(outbox, limits)
    assert exposure.measure("pending_records").value == 7 and not exposure.warning
    outbox.enqueue("drill", {"i": 8})
    exposure = measure_exposure(outbox, limits)
    assert exposure.warning and not exposure.exceeded
    check_room(outbox, limits)  # the 9th and 10th still fit
    outbox.enqueue("drill", {})
    outbox.enqueue("drill", {})
    exposure = measure_exposure(outbox, limits)
    assert exposure.exceeded
    assert exposure.to_json_dict()["pending_records"] == {
        "value": 10, "limit": 10, "warning": True, "exceeded": True}
    with pytest.raises(QueueLimitExceeded, match="10 records pending") as info:
        check_room(outbox, limits)
    assert isinstance(info.value, DomainError) and info.value.code == "queue.limit"

    # Synced records no longer count: acknowledging three makes room again.
    done = outbox.pending(3)
    outbox.apply_ack(SyncAck(kiosk_id=outbox.kiosk_id, acked_through=3, results=[
        RecordResult(seq=r.seq, uuid=r.uuid, status="accepted") for r in done]))
    assert not measure_exposure(outbox, limits).exceeded
    check_room(outbox, limits)


def test_age_measure_follows_the_oldest_pending_record(outbox: Outbox,
                                                      clock: FakeClock) -> None:
    limits = LimitsConfig(max_pending_records=0, max_oldest_age_h=10)
    outbox.enqueue("drill", {})
    clock.advance(7.9 * 3600)
    assert not measure_exposure(outbox, limits).warning
    clock.advance(0.1 * 3600)
    age = measure_exposure(outbox, limits).measure("oldest_age_h")
    assert age.value == pytest.approx(8.0) and age.warning and not age.exceeded
    clock.advance(2 * 3600)
    with pytest.raises(QueueLimitExceeded, match="10 h"):
        check_room(outbox, limits)
    # The clock jumping back never makes the age negative.
    clock.advance(-30 * 3600)
    assert measure_exposure(outbox, limits).measure("oldest_age_h").value == 0


def test_amount_measure_sums_amount_fen_of_pending_payloads(outbox: Outbox) -> None:
    unlimited = LimitsConfig()
    outbox.enqueue("payment", {"amount_fen": 30_000})
    outbox.enqueue("payment", {"amount_fen": 50_000})
    for odd in ({"amount_fen": True}, {"amount_fen": "999"}, {"amount_fen": -5}, {}):
        outbox.enqueue("note", odd)  # not money: counts 0
    assert measure_exposure(outbox, unlimited).measure("pending_amount_fen").value is None
    summed = measure_exposure(outbox, unlimited, always_sum_amount=True)
    assert summed.measure("pending_amount_fen").value == 80_000
    assert summed.measure("pending_amount_fen").limit is None and not summed.warning

    limits = LimitsConfig(max_pending_records=0, max_pending_amount_fen=100_000)
    assert measure_exposure(outbox, limits).measure("pending_amount_fen").warning
    check_room(outbox, limits, amount_fen=20_000)
    with pytest.raises(QueueLimitExceeded, match="fen"):
        check_room(outbox, limits, amount_fen=20_001)


def test_verify_service_refuses_to_queue_beyond_the_limit(outbox: Outbox,
                                                         keys: KioskKeys) -> None:
    central = CentralClient(("http://127.0.0.1:9",), outbox.kiosk_id, timeout_s=1.0)
    service = InvoiceVerifyService(
        central=central, keys=keys, outbox=outbox, connectivity=Connectivity(grace_s=60),
        slips=SlipPrinter(None, outbox.kiosk_id, lambda: datetime.now(timezone.utc)),
        limits=LimitsConfig(max_pending_records=2))
    query = VerificationQuery("01", "033001800111", "25672225", date(2025, 6, 10))
    try:
        outcomes = [service.verify(query, "zh") for _ in range(2)]
        assert all(isinstance(o, Queued) for o in outcomes)
        with pytest.raises(QueueLimitExceeded) as info:
            service.verify(query, "zh")
        assert info.value.code == "queue.limit"
        assert outbox.pending_count() == 2  # nothing recorded for the refused request
    finally:
        central.close()


def test_pending_amount_survives_an_undecryptable_record(tmp_path: Path, keys,  # type: ignore[no-untyped-def]
                                                         clock: FakeClock) -> None:
    import sqlite3
    from contextlib import closing

    db = tmp_path / "q.sqlite3"
    with Outbox(db, "hall-01.t3", keys, clock=clock) as box:
        box.enqueue("payment", {"amount_fen": 100})
        box.enqueue("payment", {"amount_fen": 200})
    with closing(sqlite3.connect(db)) as conn, conn:
        (blob,) = conn.execute("SELECT ciphertext FROM outbox WHERE seq = 1").fetchone()
        conn.execute("UPDATE outbox SET ciphertext = ? WHERE seq = 1",
                     (bytes([blob[0] ^ 1]) + blob[1:],))
    with Outbox(db, "hall-01.t3", keys, clock=clock) as box:
        assert box.pending_amount_fen() == 200


def test_example_config_parses_and_every_setting_is_documented() -> None:
    import dataclasses
    import tomllib

    from kiosk.config import CentralConfig, PrivacyConfig, SyncConfig, UiConfig

    root = Path(__file__).resolve().parents[2]
    example = tomllib.loads((root / "deploy/config/kiosk.toml").read_text(encoding="utf-8"))
    cfg = parse_config(example)
    assert cfg.central.cert_file is not None and cfg.limits == LimitsConfig()
    doc = (root / "docs/configuration.md").read_text(encoding="utf-8")
    keys = {"data_dir", "kiosk_id", "key_dir", "key_source"}
    for cls in (CentralConfig, LimitsConfig, PrivacyConfig, SyncConfig, UiConfig):
        keys |= {f.name for f in dataclasses.fields(cls)}
    missing = sorted(k for k in keys if f"| `{k}`" not in doc)
    assert missing == []
    for section in ("central", "limits", "sync", "ui"):
        assert set(example[section]) <= keys


def test_the_refusal_has_a_translated_message() -> None:
    from ui.messages import MESSAGES

    root = Path(__file__).resolve().parents[2]
    source = MESSAGES["queue.limit"]
    ts = (root / "ui/i18n/kiosk_zh_CN.ts").read_text(encoding="utf-8")
    entry = ts[ts.index(source):].split("</message>")[0]
    assert "<translation>" in entry and "上限" in entry and "unfinished" not in entry
