"""What a kiosk's heartbeat leaves for the fleet page: a history row (charts) and the
devices it reports in error, with the time each first was (the 10-minute alert).

`record_heartbeat` runs inside the heartbeat route's transaction, after the signature
and the sent_at checks: a refused heartbeat leaves nothing.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, delete, insert, select, update

from central.fleet.models import FleetDeviceFault, FleetHeartbeat

#: Device states that count as "in error" (drivers.base.DeviceState).
FAULT_STATES = frozenset({"error", "offline"})
DEFAULT_KEEP = timedelta(hours=48)
#: A kiosk's history older than `keep` is deleted by its heartbeats in every 10th minute.
PRUNE_EVERY_MIN = 10

_HEARTBEATS = cast(Table, FleetHeartbeat.__table__)
_FAULTS = cast(Table, FleetDeviceFault.__table__)
# Built once (statement objects memoise their cache keys): a heartbeat runs them all.
_ADD_HEARTBEAT = insert(_HEARTBEATS)
_FAULTS_OF = (select(_FAULTS.c.device, _FAULTS.c.detail)
              .where(_FAULTS.c.kiosk_id == bindparam("k_kiosk")))
_ADD_FAULT = insert(_FAULTS)
_SET_DETAIL = (update(_FAULTS).where(_FAULTS.c.kiosk_id == bindparam("k_kiosk"),
                                     _FAULTS.c.device == bindparam("k_device"))
               .values(detail=bindparam("k_detail")))


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


def record_heartbeat(conn: Connection, kiosk_id: str, report: dict[str, Any],
                     now: datetime, keep: timedelta = DEFAULT_KEEP) -> None:
    """Add the history row, bring the kiosk's device faults up to date and (every
    PRUNE_EVERY_MIN minutes) drop its history older than `keep`. Core statements on the
    caller's connection (a heartbeat a second per hall: no ORM unit of work); the
    caller commits."""
    devices = report.get("devices") or {}
    faults = {name[:64]: reason for name, entry in devices.items()
              if (reason := device_fault(entry)) is not None}
    age = report.get("oldest_pending_age_s")
    conn.execute(_ADD_HEARTBEAT, {
        "kiosk_id": kiosk_id, "received_at": now, "minute": epoch_minute(now),
        "queue_depth": int(report.get("queue_depth") or 0),
        "oldest_pending_age_s": float(age) if age is not None else None,
        "devices_in_error": len(faults)})
    known: dict[str, str] = {device: detail for device, detail
                             in conn.execute(_FAULTS_OF, {"k_kiosk": kiosk_id})}
    # The first heartbeat reporting a fault starts it now; later ones keep its `since`.
    new = [{"kiosk_id": kiosk_id, "device": name, "since": now, "detail": reason}
           for name, reason in faults.items() if name not in known]
    if new:
        conn.execute(_ADD_FAULT, new)
    changed = [{"k_kiosk": kiosk_id, "k_device": name, "k_detail": reason}
               for name, reason in faults.items()
               if name in known and known[name] != reason]
    if changed:
        conn.execute(_SET_DETAIL, changed)
    gone = [name for name in known if name not in faults]
    if gone:
        conn.execute(delete(_FAULTS).where(_FAULTS.c.kiosk_id == kiosk_id,
                                           _FAULTS.c.device.in_(gone)))
    if epoch_minute(now) % PRUNE_EVERY_MIN == 0:  # not on every heartbeat: cheaper
        conn.execute(delete(_HEARTBEATS).where(
            _HEARTBEATS.c.kiosk_id == kiosk_id,
            _HEARTBEATS.c.minute < epoch_minute(now - keep)))
