"""Tables of consultation, the tax school and suggestions (issue #13 §3), on the one
`central.db.Base` (migration 0006).

- `consult_tickets` / `consult_ticket_replies`: 12366 callback requests queued by the
  kiosks (record kind `consult.callback`) and the replies staff add to them. `number`
  is the 工单号 the kiosk printed (offline_queue.payloads.derived_number); not unique,
  because two requests may derive the same number (then it is answered as ambiguous).
- `course_seats` / `course_bookings` / `course_evaluations`: the tax school's seats are
  counted here (a conditional UPDATE takes a seat, so two kiosks never book the last
  seat twice); one booking per person (TIN) per course; one 1-5 score per booking,
  only after the course date. Courses themselves are reference data of kind `course`.
- `suggestions`: 意见建议 / 创意征集 queued by the kiosks (record kind `suggestion`).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from central.db import Base, BigId, UtcDateTime

TICKET_STATUSES = ("open", "answered", "closed")


class ConsultTicket(Base):
    """A callback request. `phone` is personal data: never answered by the public
    look-up, only to the admin endpoints (the staff who call back)."""

    __tablename__ = "consult_tickets"
    __table_args__ = (
        UniqueConstraint("request_id", name="uq_consult_tickets_request"),
        Index("ix_consult_tickets_number", "number"),
        CheckConstraint("status IN ('open', 'answered', 'closed')",
                        name="ck_consult_tickets_status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(16))
    request_id: Mapped[str] = mapped_column(String(36))
    topic: Mapped[str] = mapped_column(String(32))
    phone: Mapped[str] = mapped_column(String(16))
    window: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")
    lang: Mapped[str] = mapped_column(String(2), default="zh")
    asked_at: Mapped[str] = mapped_column(String(40))  # as the kiosk wrote it
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16), default="open")


class ConsultReply(Base):
    __tablename__ = "consult_ticket_replies"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(BigId, ForeignKey("consult_tickets.id"),
                                           index=True)
    body: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class CourseSeats(Base):
    """Seats taken per course; `capacity` is the course's `seats` when last booked."""

    __tablename__ = "course_seats"
    __table_args__ = (CheckConstraint("taken >= 0", name="ck_course_seats_taken"),)

    course_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    capacity: Mapped[int] = mapped_column(Integer)
    taken: Mapped[int] = mapped_column(Integer, default=0)


class CourseBooking(Base):
    """One person's seat on one course; a cancelled booking keeps its row (and its
    number) with `cancelled_at`, and booking again reuses it."""

    __tablename__ = "course_bookings"
    __table_args__ = (
        UniqueConstraint("course_key", "tin", name="uq_course_bookings_course_tin"),
        UniqueConstraint("number", name="uq_course_bookings_number"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    course_key: Mapped[str] = mapped_column(String(200))
    tin: Mapped[str] = mapped_column(String(32), index=True)
    number: Mapped[str] = mapped_column(String(16))
    booked_at: Mapped[datetime] = mapped_column(UtcDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    kiosk_id: Mapped[str] = mapped_column(String(64))


class CourseEvaluation(Base):
    __tablename__ = "course_evaluations"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5",
                                      name="ck_course_evaluations_score"),)

    course_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    tin: Mapped[str] = mapped_column(String(32), primary_key=True)
    score: Mapped[int] = mapped_column(Integer)
    course_date: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class Suggestion(Base):
    """A suggestion or idea; `contact` (optional phone) only for the admin listing."""

    __tablename__ = "suggestions"
    __table_args__ = (
        UniqueConstraint("request_id", name="uq_suggestions_request"),
        Index("ix_suggestions_number", "number"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(16))
    request_id: Mapped[str] = mapped_column(String(36))
    category: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(16), nullable=True)
    asked_at: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
