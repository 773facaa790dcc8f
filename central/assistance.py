"""Remote assistance (issue #14 §5): a taxpayer at a terminal calls staff, a member of
the hall staff accepts on the fleet page and sees the terminal's screen, and may tap
on it once the taxpayer has agreed on the screen. Tables on the one `central.db.Base`
(migration 0013).

Frames travel over the kiosk's own outbound connection (signed, sealed calls that it
makes anyway: nothing listens on the kiosk, and it works behind the hall's firewall);
the kiosk sends a frame only while an assistance is active, with personal data fields
painted over before the image leaves it. Only the latest frame is kept, in the
session's row (so every worker process serves it), and it is dropped when the
assistance ends. Taps wait in the row until the kiosk's next poll takes them.

`AssistSession` is the assistance and `AssistEvent` its audit trail (requested,
accepted, consent, control, ended: who and when, never what the screen showed).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from central.db import Base, BigId, UtcDateTime

#: A frame's largest size (bytes of JPEG or PNG): its base64, sealed, fits one sealed
#: call (wire.MAX_CALL_CIPHERTEXT_B64); kiosk/assistance.py keeps the same number.
MAX_FRAME_BYTES = 34 * 1024
#: Taps waiting for the kiosk: more are refused (429) until it takes them.
MAX_PENDING_TAPS = 10
#: A request nobody accepted within this long is ended ("unanswered").
REQUEST_TTL = timedelta(minutes=15)
#: A kiosk that has not polled for this long has gone (crash, network): ended.
KIOSK_SILENCE = timedelta(seconds=45)

#: Why an assistance ended (the row's `ended_by`) -> who the audit names.
_ENDED_BY_ACTOR = {"taxpayer": "taxpayer", "staff": "staff", "session_end": "kiosk",
                   "unanswered": "service", "kiosk_gone": "service"}


class AssistSession(Base):
    __tablename__ = "assist_sessions"
    __table_args__ = (Index("ix_assist_sessions_kiosk_state", "kiosk_id", "state"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kiosk_id: Mapped[str] = mapped_column(String(64), ForeignKey("kiosks.kiosk_id"))
    state: Mapped[str] = mapped_column(String(12))  # requested | active | ended
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    consent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    control_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    ended_by: Mapped[str | None] = mapped_column(String(16), nullable=True)
    kiosk_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
    frame: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    frame_type: Mapped[str] = mapped_column(String(16), default="")
    frame_seq: Mapped[int] = mapped_column(Integer, default=0)
    frame_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    pending_taps: Mapped[str] = mapped_column(Text, default="[]")
    taps_sent: Mapped[int] = mapped_column(Integer, default=0)


class AssistEvent(Base):
    """One step of an assistance, for the audit: no screen content, no personal data."""

    __tablename__ = "assist_events"
    __table_args__ = (Index("ix_assist_events_kiosk", "kiosk_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    assist_id: Mapped[int] = mapped_column(BigId)
    kiosk_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    event: Mapped[str] = mapped_column(String(16))  # requested accepted consent control ended
    actor: Mapped[str] = mapped_column(String(16))  # kiosk | taxpayer | staff | service
    detail: Mapped[str] = mapped_column(String(200), default="")


class AssistError(Exception):
    """A step that does not fit the assistance's state: `status` is the HTTP answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def audit(session: Session, row: AssistSession, event: str, actor: str, now: datetime,
          detail: str = "") -> None:
    session.add(AssistEvent(assist_id=row.id, kiosk_id=row.kiosk_id, at=now, event=event,
                            actor=actor, detail=detail[:200]))


def _end(session: Session, row: AssistSession, by: str, now: datetime) -> None:
    row.state = "ended"
    row.ended_at = now
    row.ended_by = by
    row.control_allowed = False
    row.frame = None  # the screen is not kept once nobody is helping
    row.frame_type = ""
    row.pending_taps = "[]"
    audit(session, row, "ended", _ENDED_BY_ACTOR[by], now, by)


def expire(session: Session, now: datetime) -> None:
    """End requests nobody answered and assistances whose kiosk went silent; the
    caller commits."""
    rows = session.execute(select(AssistSession).where(
        AssistSession.state != "ended")).scalars().all()
    for row in rows:
        if row.state == "requested" and now - row.requested_at > REQUEST_TTL:
            _end(session, row, "unanswered", now)
        elif now - row.kiosk_seen_at > KIOSK_SILENCE:
            _end(session, row, "kiosk_gone", now)


def _row(session: Session, assist_id: int, *, lock: bool = False) -> AssistSession:
    query = select(AssistSession).where(AssistSession.id == assist_id)
    row = session.execute(query.with_for_update() if lock else query).scalar_one_or_none()
    if row is None:
        raise AssistError(404, f"assist.unknown: no assistance {assist_id}")
    return row


def _kiosk_row(session: Session, kiosk_id: str, assist_id: int) -> AssistSession:
    """The kiosk's own assistance: another kiosk's is "not found" (it learns nothing)."""
    row = _row(session, assist_id, lock=True)
    if row.kiosk_id != kiosk_id:
        raise AssistError(404, f"assist.unknown: no assistance {assist_id} for this "
                                     f"kiosk")
    return row


# -- the kiosk's side ---------------------------------------------------------------------

def request(session: Session, kiosk_id: str, now: datetime) -> AssistSession:
    """A new request, or the kiosk's open one (pressing twice calls once)."""
    expire(session, now)
    open_row = session.execute(select(AssistSession).where(
        AssistSession.kiosk_id == kiosk_id, AssistSession.state != "ended")).scalars().first()
    if open_row is not None:
        open_row.kiosk_seen_at = now
        return open_row
    row = AssistSession(kiosk_id=kiosk_id, state="requested", requested_at=now,
                        kiosk_seen_at=now, control_allowed=False, frame_seq=0,
                        frame_type="", pending_taps="[]", taps_sent=0)
    session.add(row)
    session.flush()  # its id, for the audit
    audit(session, row, "requested", "taxpayer", now)
    return row


@dataclass(frozen=True)
class Frame:
    data: bytes
    media_type: str  # image/jpeg | image/png


def frame_type_of(data: bytes) -> str | None:
    """The image's type from its first bytes (JPEG or PNG), else None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def poll(session: Session, kiosk_id: str, assist_id: int, now: datetime,
         frame: Frame | None) -> dict[str, Any]:
    """The kiosk's regular call: keeps the assistance alive, stores its frame (only
    while active), and takes the taps waiting for it (only with consent)."""
    expire(session, now)
    row = _kiosk_row(session, kiosk_id, assist_id)
    taps: list[dict[str, float]] = []
    if row.state != "ended":
        row.kiosk_seen_at = now
        if frame is not None and row.state == "active":
            row.frame, row.frame_type = frame.data, frame.media_type
            row.frame_seq += 1
            row.frame_at = now
        if row.control_allowed:
            taps = json.loads(row.pending_taps or "[]")
        row.pending_taps = "[]"
    return {**kiosk_view(row), "taps": taps}


def consent(session: Session, kiosk_id: str, assist_id: int, allow: bool,
            now: datetime) -> dict[str, Any]:
    """The taxpayer agreed on screen to staff tapping (or withdrew it)."""
    row = _kiosk_row(session, kiosk_id, assist_id)
    if row.state != "active":
        raise AssistError(409, "assist.not_active: control is asked for only while "
                               "staff are assisting")
    if row.control_allowed != allow:
        row.control_allowed = allow
        row.consent_at = now if allow else row.consent_at
        row.pending_taps = "[]"
        audit(session, row, "consent", "taxpayer", now, "allowed" if allow else "withdrawn")
    return kiosk_view(row)


def end_by_kiosk(session: Session, kiosk_id: str, assist_id: int, reason: str,
                 now: datetime) -> dict[str, Any]:
    row = _kiosk_row(session, kiosk_id, assist_id)
    if reason not in ("taxpayer", "session_end"):
        raise AssistError(422, "reason: taxpayer or session_end")
    if row.state != "ended":
        _end(session, row, reason, now)
    return kiosk_view(row)


def kiosk_view(row: AssistSession) -> dict[str, Any]:
    return {"assist_id": row.id, "state": row.state, "control_allowed": row.control_allowed,
            "ended_by": row.ended_by}


# -- the staff's side ---------------------------------------------------------------------

def open_requests(session: Session, now: datetime) -> list[AssistSession]:
    """Requests and active assistances, oldest first (the fleet page's list)."""
    expire(session, now)
    return list(session.execute(select(AssistSession).where(
        AssistSession.state != "ended").order_by(AssistSession.id)).scalars().all())


def accept(session: Session, assist_id: int, now: datetime) -> AssistSession:
    row = _row(session, assist_id, lock=True)
    if row.state == "ended":
        raise AssistError(409, "assist.ended: this assistance has ended")
    if row.state == "requested":
        row.state = "active"
        row.accepted_at = now
        audit(session, row, "accepted", "staff", now)
    return row


def staff_row(session: Session, assist_id: int) -> AssistSession:
    return _row(session, assist_id)


def tap(session: Session, assist_id: int, x: float, y: float, now: datetime) -> None:
    """Queue a tap at (x, y), fractions of the frame's width and height. Refused
    (409) unless the assistance is active and the taxpayer has agreed."""
    row = _row(session, assist_id, lock=True)
    if row.state != "active":
        raise AssistError(409, "assist.not_active: this assistance is not active")
    if not row.control_allowed:
        raise AssistError(409, "assist.no_consent: the taxpayer has not agreed to control "
                               "(view only)")
    taps = json.loads(row.pending_taps or "[]")
    if len(taps) >= MAX_PENDING_TAPS:
        raise AssistError(429, "assist.busy: the terminal has not taken the earlier taps yet")
    taps.append({"x": round(x, 4), "y": round(y, 4)})
    row.pending_taps = json.dumps(taps)
    row.taps_sent += 1
    audit(session, row, "control", "staff", now, "tap")


def end_by_staff(session: Session, assist_id: int, now: datetime) -> AssistSession:
    row = _row(session, assist_id, lock=True)
    if row.state != "ended":
        _end(session, row, "staff", now)
    return row


def events(session: Session, kiosk_id: str, limit: int = 50) -> list[AssistEvent]:
    """The kiosk's recent assistance audit events, newest first."""
    return list(session.execute(select(AssistEvent).where(AssistEvent.kiosk_id == kiosk_id)
                                .order_by(AssistEvent.id.desc()).limit(limit)).scalars().all())
