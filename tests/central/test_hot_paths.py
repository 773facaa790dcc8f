"""The busiest routes' storage steps, now Core statements (issue #14 §6): the replay
mark's single upsert and the heartbeat's device-fault bookkeeping keep the behaviour
the ORM versions had, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from central.fleet.history import record_heartbeat
from central.fleet.models import FleetDeviceFault, FleetHeartbeat
from central.replay_db import DbReplayGuard, ReplayMark

T0 = datetime(2026, 3, 2, 9, 0, 1, tzinfo=UTC)


def _guard(session: Session, clock: list[datetime]) -> DbReplayGuard:
    return DbReplayGuard(sessionmaker(session.get_bind(), expire_on_commit=False),
                         now=lambda: clock[0])


def test_replay_mark_first_use_replay_and_takeover_after_expiry(session: Session) -> None:
    clock = [T0]
    guard = _guard(session, clock)
    assert guard.first_use("K-1|sig-a", 60)
    assert not guard.first_use("K-1|sig-a", 60)  # a replay within its window
    assert guard.first_use("K-1|sig-b", 60)  # another signature is its own mark
    clock[0] = T0 + timedelta(seconds=61)
    assert guard.first_use("K-1|sig-a", 60)  # expired: this use takes the mark over
    assert not guard.first_use("K-1|sig-a", 60)
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(ReplayMark)) == 2


def test_replay_mark_in_callers_transaction_goes_with_its_rollback(session: Session) -> None:
    guard = _guard(session, [T0])
    assert guard.first_use("K-1|sig-c", 60, session=session)
    assert not guard.first_use("K-1|sig-c", 60, session=session)
    session.rollback()  # the request's work failed: no mark left either
    assert guard.first_use("K-1|sig-c", 60, session=session)
    session.commit()
    assert not guard.first_use("K-1|sig-c", 60)


def _faults(session: Session) -> dict[str, tuple[datetime, str]]:
    session.expire_all()
    rows = session.scalars(select(FleetDeviceFault).where(
        FleetDeviceFault.kiosk_id == "K-HOT")).all()
    return {row.device: (row.since.astimezone(UTC), row.detail) for row in rows}


def test_heartbeat_faults_start_change_and_clear(session: Session) -> None:
    def beat(now: datetime, devices: dict[str, object]) -> None:
        record_heartbeat(session.connection(), "K-HOT", {"devices": devices,
                                                         "queue_depth": 3}, now)
        session.commit()

    jam = {"kind": "printer", "state": "error", "condition": "jam"}
    beat(T0, {"printer": jam, "scanner": {"state": "ready"}})
    assert _faults(session) == {"printer": (T0, "jam")}
    later = T0 + timedelta(seconds=60)
    beat(later, {"printer": jam | {"condition": "paper_out"},
                 "scanner": {"state": "offline"}})
    # The printer's fault keeps its start (the 10-minute alert counts from it).
    assert _faults(session) == {"printer": (T0, "paper_out"),
                                "scanner": (later, "offline")}
    beat(T0 + timedelta(seconds=120), {"printer": {"state": "ready"},
                                       "scanner": {"state": "offline"}})
    assert _faults(session) == {"scanner": (later, "offline")}
    history = session.scalars(select(FleetHeartbeat).where(
        FleetHeartbeat.kiosk_id == "K-HOT").order_by(FleetHeartbeat.id)).all()
    assert [(h.queue_depth, h.devices_in_error) for h in history] == [(3, 1), (3, 2), (3, 1)]
