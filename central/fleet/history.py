"""What a kiosk's heartbeat leaves for the fleet page: a history row (charts) and the
devices it reports in error, with the time each first was (the 10-minute alert).

`record_heartbeat` runs inside the heartbeat route's transaction, after the signature
and the sent_at checks: a refused heartbeat leaves nothing.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from central.fleet.models import FleetDeviceFault, FleetHeartbeat

#: Device states that count as "in error" (drivers.base.DeviceState).
FAULT_STATES = frozenset({"error", "offline"})
DEFAULT_KEEP = timedelta(hours=48)
#: A kiosk's history older than `keep` is deleted by its heartbeats in every 10th minute.
PRUNE_EVERY_MIN = 10


def epoch_minute(moment: datetime) -> int:
    return int(moment.timestamp() // 60)


def device_fault(entry: Any) -> str | None:
    """The short reason a heartbeat's device entry is in error ("jam", "offline"), or
    None when it is well. Entries are {kind, state, error, condition, ...}."""
    if not isinstance(entry, dict):
        return None
    state = str(entry.get("state") or "")
    error = entry.get("error")
    if state not in FAULT_STATES and not error:
        return None
    detail = entry.get("condition") or error or state
    return str(detail)[:200]


def record_heartbeat(session: Session, kiosk_id: str, report: dict[str, Any],
                     now: datetime, keep: timedelta = DEFAULT_KEEP) -> None:
    """Add the history row, bring the kiosk's device faults up to date and (every
    PRUNE_EVERY_MIN minutes) drop its history older than `keep`. The caller commits."""
    devices = report.get("devices") or {}
    faults = {name[:64]: reason for name, entry in devices.items()
              if (reason := device_fault(entry)) is not None}
    age = report.get("oldest_pending_age_s")
    session.add(FleetHeartbeat(
        kiosk_id=kiosk_id, received_at=now, minute=epoch_minute(now),
        queue_depth=int(report.get("queue_depth") or 0),
        oldest_pending_age_s=float(age) if age is not None else None,
        devices_in_error=len(faults)))
    known = {row.device: row for row in session.execute(
        select(FleetDeviceFault).where(FleetDeviceFault.kiosk_id == kiosk_id)).scalars()}
    for name, reason in faults.items():
        row = known.get(name)
        if row is None:  # first heartbeat reporting it: the fault starts now
            session.add(FleetDeviceFault(kiosk_id=kiosk_id, device=name, since=now,
                                         detail=reason))
        else:
            row.detail = reason
    for name, row in known.items():
        if name not in faults:
            session.delete(row)
    if epoch_minute(now) % PRUNE_EVERY_MIN == 0:  # not on every heartbeat: cheaper
        session.execute(delete(FleetHeartbeat).where(
            FleetHeartbeat.kiosk_id == kiosk_id,
            FleetHeartbeat.minute < epoch_minute(now - keep)))
