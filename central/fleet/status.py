"""The terminals as the fleet page shows them, and the alerts that hold now.

Read-only: `fleet_view` reads the kiosks, their last heartbeat, device faults, the
out-of-service notices and the heartbeat history, and decides each alert from them
and the clock. Alert occurrences (once each, for the webhook) are kept by
central.fleet.alerts on top of this.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from central.db import Kiosk
from central.fleet.history import device_fault, epoch_minute
from central.fleet.models import FleetDeviceFault, FleetHeartbeat
from central.fleet.settings import FleetSettings
from central.out_of_service import all_out_of_service

#: The problem filter's choices (besides "" for all and "any" for any problem).
PROBLEMS = ("silent", "queue", "device", "out_of_service", "pending")
ALERT_KINDS = ("silent", "queue_age", "device")
CHART_HOURS = 24


@dataclass(frozen=True)
class Alert:
    kiosk_id: str
    kind: str  # silent | queue_age | device
    subject: str  # the device's name for "device", else ""
    detail: str  # English, no personal data: "no heartbeat for 4 min"
    since: datetime  # when the condition began (not when it was noticed)
    #: The numbers behind `detail`, for the page to say it in either language:
    #: silent {"quiet_s"}; queue_age {"age_s", "limit_h", "queued"};
    #: device {"condition", "lasted_s"}.
    facts: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {"kiosk_id": self.kiosk_id, "kind": self.kind, "subject": self.subject,
                "detail": self.detail, "since": self.since.isoformat()}


@dataclass(frozen=True)
class DeviceView:
    name: str
    kind: str
    state: str
    error: str | None
    condition: str | None
    fault_since: datetime | None
    #: Anything else the kiosk reports for the device, e.g. a dispenser's
    #: "cassettes": [{"slot": 1, "kind": ..., "remaining": 120}, ...].
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def fault(self) -> bool:
        return self.fault_since is not None or device_fault(
            {"state": self.state, "error": self.error}) is not None


@dataclass
class Terminal:
    kiosk_id: str
    hall: str
    approved: bool
    enrolled_at: datetime
    last_seen: datetime | None
    version: str
    queue_depth: int | None
    oldest_pending_age_s: float | None  # as of now (grows while the kiosk is silent)
    unconfirmed: int | None
    devices: list[DeviceView]
    out_of_service: dict[str, Any] | None
    alerts: list[Alert] = field(default_factory=list)
    #: Per chart bucket (oldest first): heartbeats received, highest queue depth.
    beats: list[int] = field(default_factory=list)
    depths: list[int | None] = field(default_factory=list)

    def age_s(self, now: datetime) -> float | None:
        return None if self.last_seen is None else max(0.0, (now - self.last_seen).total_seconds())

    @property
    def problems(self) -> set[str]:
        found = {"silent" if a.kind == "silent" else "queue" if a.kind == "queue_age"
                 else "device" for a in self.alerts}
        if any(d.fault for d in self.devices):
            found.add("device")
        if self.out_of_service:
            found.add("out_of_service")
        if not self.approved:
            found.add("pending")
        return found

    def exposure(self, settings: FleetSettings) -> float | None:
        """The oldest pending record's age as a share of the queue age limit."""
        if not self.oldest_pending_age_s:
            return None
        return self.oldest_pending_age_s / (settings.queue_age_limit_h * 3600.0)


@dataclass
class FleetView:
    now: datetime
    terminals: list[Terminal]
    halls: list[str]
    bucket_s: int

    @property
    def last_fraction(self) -> float:
        """How much of the newest chart bucket has passed (its bar is partial)."""
        bucket_min = self.bucket_s // 60
        return ((epoch_minute(self.now) % bucket_min) + 1) / bucket_min

    @property
    def alerts(self) -> list[Alert]:
        return [a for t in self.terminals for a in t.alerts]


def _report(kiosk: Kiosk) -> dict[str, Any]:
    try:
        report = json.loads(kiosk.last_heartbeat) if kiosk.last_heartbeat else {}
    except ValueError:
        report = {}
    return report if isinstance(report, dict) else {}


def _minutes(value: float) -> str:
    if value < 120:
        return f"{value:.0f} s"
    if value < 2 * 3600:
        return f"{value / 60:.0f} min"
    return f"{value / 3600:.1f} h"


def alerts_of(terminal: Terminal, faults: list[FleetDeviceFault], settings: FleetSettings,
              now: datetime) -> list[Alert]:
    """The alerts that hold for one terminal now (approved terminals only: a pending
    enrolment is not part of the fleet yet)."""
    if not terminal.approved:
        return []
    found: list[Alert] = []
    heard = terminal.last_seen or terminal.enrolled_at
    quiet = (now - heard).total_seconds()
    if quiet >= settings.silent_after_s:
        found.append(Alert(terminal.kiosk_id, "silent", "",
                           f"no heartbeat for {_minutes(quiet)}", heard,
                           {"quiet_s": quiet}))
    limit_s = settings.queue_age_limit_h * 3600.0
    age = terminal.oldest_pending_age_s
    if age is not None and age >= limit_s:
        found.append(Alert(terminal.kiosk_id, "queue_age", "",
                           f"oldest queued record {_minutes(age)} old (limit "
                           f"{settings.queue_age_limit_h:g} h), "
                           f"{terminal.queue_depth or 0} queued",
                           now - timedelta(seconds=age - limit_s),
                           {"age_s": age, "limit_h": settings.queue_age_limit_h,
                            "queued": terminal.queue_depth or 0}))
    for fault in faults:
        lasted = (now - fault.since).total_seconds()
        if lasted >= settings.device_error_s:
            found.append(Alert(terminal.kiosk_id, "device", fault.device,
                               f"{fault.device}: {fault.detail} for {_minutes(lasted)}",
                               fault.since,
                               {"condition": fault.detail, "lasted_s": lasted}))
    return found


def _charts(session: Session, now: datetime, bucket_min: int, hours: int,
            kiosk_id: str | None) -> dict[str, tuple[list[int], list[int | None]]]:
    """kiosk_id -> (heartbeats per bucket, highest queue depth per bucket), oldest first."""
    last = epoch_minute(now) // bucket_min
    buckets = hours * 60 // bucket_min
    first = last - buckets + 1
    # Floor division of integers: the same bucket on SQLite and PostgreSQL.
    expr = FleetHeartbeat.minute // bucket_min
    query = (select(FleetHeartbeat.kiosk_id, expr.label("b"), func.count(),
                    func.max(FleetHeartbeat.queue_depth))
             .where(FleetHeartbeat.minute >= first * bucket_min)
             .group_by(FleetHeartbeat.kiosk_id, expr))
    if kiosk_id is not None:
        query = query.where(FleetHeartbeat.kiosk_id == kiosk_id)
    out: dict[str, tuple[list[int], list[int | None]]] = {}
    for kid, b, count, depth in session.execute(query):
        index = int(b) - first
        if not 0 <= index < buckets:
            continue
        beats, depths = out.setdefault(kid, ([0] * buckets, [None] * buckets))
        beats[index] = int(count)
        depths[index] = int(depth)
    return out


def fleet_view(session: Session, settings: FleetSettings, now: datetime, *,
               kiosk_id: str | None = None, bucket_min: int = 60,
               charts: bool = True) -> FleetView:
    """Every terminal (or one), with its alerts and (with `charts`) its last 24 h in
    buckets of `bucket_min` minutes."""
    query = select(Kiosk).order_by(Kiosk.hall_id, Kiosk.kiosk_id)
    fault_query = select(FleetDeviceFault)
    if kiosk_id is not None:
        query = query.where(Kiosk.kiosk_id == kiosk_id)
        fault_query = fault_query.where(FleetDeviceFault.kiosk_id == kiosk_id)
    kiosks = session.execute(query).scalars().all()
    faults: dict[str, list[FleetDeviceFault]] = {}
    for fault in session.execute(fault_query).scalars():
        faults.setdefault(fault.kiosk_id, []).append(fault)
    notices = all_out_of_service(session)
    history = _charts(session, now, bucket_min, CHART_HOURS, kiosk_id) if charts else {}
    buckets = CHART_HOURS * 60 // bucket_min
    terminals: list[Terminal] = []
    for kiosk in kiosks:
        report = _report(kiosk)
        since = {f.device: f.since for f in faults.get(kiosk.kiosk_id, [])}
        devices: list[DeviceView] = []
        raw_devices = report.get("devices")
        for name, entry in sorted((raw_devices if isinstance(raw_devices, dict) else {}).items()):
            entry = entry if isinstance(entry, dict) else {}
            devices.append(DeviceView(
                name=str(name), kind=str(entry.get("kind") or ""),
                state=str(entry.get("state") or ""),
                error=None if entry.get("error") is None else str(entry["error"]),
                condition=None if entry.get("condition") is None else str(entry["condition"]),
                fault_since=since.get(str(name)[:64]),
                extra={k: v for k, v in entry.items()
                       if k not in ("kind", "state", "error", "condition")}))
        depth = report.get("queue_depth")
        age = report.get("oldest_pending_age_s")
        if isinstance(age, int | float) and kiosk.last_seen is not None:
            age = float(age) + max(0.0, (now - kiosk.last_seen).total_seconds())
        else:
            age = None
        beats, depths = history.get(kiosk.kiosk_id, ([0] * buckets, [None] * buckets))
        terminal = Terminal(
            kiosk_id=kiosk.kiosk_id, hall=kiosk.hall_id or "", approved=bool(kiosk.approved),
            enrolled_at=kiosk.enrolled_at, last_seen=kiosk.last_seen,
            version=str(report.get("software_version") or ""),
            queue_depth=depth if isinstance(depth, int) else None,
            oldest_pending_age_s=age,
            unconfirmed=report.get("unconfirmed") if isinstance(report.get("unconfirmed"), int)
            else None,
            devices=devices, out_of_service=notices.get(kiosk.kiosk_id),
            beats=list(beats) if charts else [], depths=list(depths) if charts else [])
        terminal.alerts = alerts_of(terminal, faults.get(kiosk.kiosk_id, []), settings, now)
        terminals.append(terminal)
    halls = sorted({t.hall for t in terminals if t.hall})
    return FleetView(now=now, terminals=terminals, halls=halls, bucket_s=bucket_min * 60)


def filtered(view: FleetView, hall: str = "", problem: str = "") -> list[Terminal]:
    """The terminals of `hall` ("" all) with `problem` ("" all, "any" any problem)."""
    rows = [t for t in view.terminals if not hall or t.hall == hall]
    if problem == "any":
        return [t for t in rows if t.problems - {"pending"} or not t.approved]
    if problem:
        return [t for t in rows if problem in t.problems]
    return rows
