"""Negative controls: the audit can fail. The same campaign as the real tests, once
with durability switched off in the kiosk (success shown before the commit) and once
with dedupe switched off at the central service (a deliberately naive ingest written
here, swapped in for the real one). The first loses acknowledged records under
SIGKILL, the second stores resends twice, and the audit reports both."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from fault_helpers import FaultEnv, Zygote, record_result
from fault_proxy import FaultPlan
from sqlalchemy import Column, Integer, MetaData, String, Table, Text, func, insert, select
from sqlalchemy.orm import Session

import central.app
from central.db import UtcDateTime, make_engine
from offline_queue.wire import RecordResult, SyncAck, SyncBatch

pytestmark = pytest.mark.fault

CYCLES = 15
LOST_REPLIES = FaultPlan(reset=0.3, delay=0.1, delay_s=0.8)

_naive = MetaData()
#: The central record table without its UNIQUE(kiosk_id, seq) and UNIQUE(uuid).
naive_records = Table(
    "naive_records", _naive,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kiosk_id", String(64)), Column("seq", Integer), Column("uuid", String(36)),
    Column("kind", String(64)), Column("created_at", UtcDateTime),
    Column("received_at", UtcDateTime), Column("hash", String(64)),
    Column("prev_hash", String(64)), Column("nonce", String(24)),
    Column("ciphertext", Text), Column("signature", String(100)),
    Column("status", String(16)), Column("reason", Text, nullable=True))


def naive_ingest(session: Session, batch: SyncBatch, now: datetime,
                 today: date | None = None) -> SyncAck:
    """Stores before it answers, like the real ingest, but never looks for an earlier
    copy: every resend becomes another row."""
    for record in batch.records:
        session.execute(insert(naive_records).values(
            kiosk_id=batch.kiosk_id, seq=record.seq, uuid=record.uuid, kind=record.kind,
            created_at=record.created_at, received_at=now, hash=record.hash,
            prev_hash=record.prev_hash, nonce=record.nonce, ciphertext=record.ciphertext,
            signature=record.signature, status="accepted", reason=None))
    session.commit()
    top = session.execute(select(func.max(naive_records.c.seq))).scalar_one() or 0
    return SyncAck(kiosk_id=batch.kiosk_id, acked_through=top, results=[
        RecordResult(seq=r.seq, uuid=r.uuid, status="accepted") for r in batch.records])


def campaign(env: FaultEnv, **options: object) -> None:
    """The resend campaign both controls share: SIGKILLs, replies lost after storing."""
    env.proxy.set_plan(LOST_REPLIES)
    env.crash_cycles(CYCLES, burst=30, **options)
    env.final_drain()


def test_audit_catches_lost_records_without_durability(tmp_path: Path, zygote: Zygote) -> None:
    envs = {name: FaultEnv(tmp_path / name, seed=4242, zygote=zygote)
            for name in ("durable", "acks-before-commit")}
    try:
        campaign(envs["durable"])
        campaign(envs["acks-before-commit"], ack_before_commit=True)
        good, broken = envs["durable"].audit(), envs["acks-before-commit"].audit()
    finally:
        for env in envs.values():
            env.close()
    record_result("negative-control-durability-off", cycles=CYCLES, report=broken,
                  negative_control=True)
    assert good.ok, good.summary()
    assert not broken.ok and broken.lost, broken.summary()
    assert not broken.duplicated


def test_audit_catches_duplicates_without_dedupe(tmp_path: Path, zygote: Zygote,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    real = FaultEnv(tmp_path / "dedupe", seed=4343, zygote=zygote)
    try:
        campaign(real)
        good = real.audit()
    finally:
        real.close()
    assert good.ok, good.summary()

    monkeypatch.setattr(central.app, "ingest_batch", naive_ingest)
    naive = FaultEnv(tmp_path / "no-dedupe", seed=4343, zygote=zygote)
    try:
        engine = make_engine(naive.central_db)
        _naive.create_all(engine)
        engine.dispose()
        campaign(naive)
        broken = naive.audit(table="naive_records")
    finally:
        naive.close()
    record_result("negative-control-dedupe-off", cycles=CYCLES, report=broken,
                  negative_control=True)
    assert not broken.ok and broken.duplicated, broken.summary()
    assert any("stored" in d and "times" in d for d in broken.duplicated)
