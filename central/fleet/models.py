"""Tables of the fleet page (migration 0010), on the one `central.db.Base`.

Everything the page, its alerts and its sign-in need lives in the database, not in a
process: with `kiosk central --workers N` any worker renders the page, accepts a
session cookie another issued, and the alert occurrences are claimed once across all
of them. No table holds personal data: ids, counts, device states and times.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from central.db import Base, BigId, UtcDateTime


class FleetHeartbeat(Base):
    """One heartbeat as received (the 24 h charts). `minute` is the receipt time in
    whole minutes since the epoch: the charts group by it with integer division, the
    same on SQLite and PostgreSQL. Kept `FleetSettings.history_keep_h`."""

    __tablename__ = "fleet_heartbeats"
    __table_args__ = (Index("ix_fleet_heartbeats_kiosk_minute", "kiosk_id", "minute"),
                      Index("ix_fleet_heartbeats_minute", "minute"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kiosk_id: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    minute: Mapped[int] = mapped_column(Integer)
    queue_depth: Mapped[int] = mapped_column(Integer)
    oldest_pending_age_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    devices_in_error: Mapped[int] = mapped_column(Integer, default=0)


class FleetDeviceFault(Base):
    """A device a terminal reports in error (state error/offline), since when: a
    heartbeat that reports it well again deletes the row."""

    __tablename__ = "fleet_device_faults"

    kiosk_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    device: Mapped[str] = mapped_column(String(64), primary_key=True)
    since: Mapped[datetime] = mapped_column(UtcDateTime)
    detail: Mapped[str] = mapped_column(String(200), default="")


class FleetAlert(Base):
    """One occurrence of an alert: raised when its condition first holds, cleared when
    it no longer does. `open_slot` is "" while open and the row's id once cleared, so
    the unique constraint admits one open occurrence per (kiosk, kind, subject) even
    when several workers notice it at once. `notified_at`: when the webhook took it
    (claimed by setting it; reset if the POST failed, for a later try)."""

    __tablename__ = "fleet_alerts"
    __table_args__ = (UniqueConstraint("kiosk_id", "kind", "subject", "open_slot",
                                       name="uq_fleet_alerts_open"),
                      Index("ix_fleet_alerts_kiosk", "kiosk_id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kiosk_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # silent | queue_age | device
    subject: Mapped[str] = mapped_column(String(64), default="")  # the device, if any
    open_slot: Mapped[str] = mapped_column(String(24), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    since: Mapped[datetime] = mapped_column(UtcDateTime)  # when the condition began
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime)
    cleared_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    notified_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: After a failed POST: not tried again before this (backing off).
    retry_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class FleetSession(Base):
    """A signed-in operator's browser session: only SHA-256 of the cookie's random
    value is stored, with its CSRF token (random, shown in the page's forms)."""

    __tablename__ = "fleet_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)

