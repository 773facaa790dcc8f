"""The tax school's rules on the central side: which courses exist (reference data of
kind `course`), how many seats each has left, booking, cancelling and evaluating.

Seats are counted in `course_seats`: a seat is taken by one conditional UPDATE
(`taken < capacity`), so two kiosks booking the last seat at once cannot both get it,
on SQLite and on PostgreSQL alike. Each booking and each refusal names a machine code
("course.full: ...") that the kiosk turns into words.

Demo data: `central/demo/courses.json` (reference items of kind `course` whose dates
may be `today+N` / `today-N`, rendered for the service's day) plus `demo_bookings`:
seats already taken by demo taxpayers (TINs that exist nowhere else), so that a demo
course is nearly full or full.
"""
from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib import resources
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central.db import ReferenceItem
from central.guidance_db import CourseBooking, CourseEvaluation, CourseSeats
from central.reference import parse_items, upsert_items
from offline_queue.payloads import BOOKING_PREFIX, COURSE_KIND, CourseBody, derived_number

_RELATIVE = re.compile(r"today([+-])([0-9]+)")


class CourseRefused(Exception):
    """A booking, cancellation or evaluation refused: `status` (HTTP) and `detail`
    ("<code>: <english text>")."""

    def __init__(self, status: int, code: str, text: str) -> None:
        super().__init__(f"{code}: {text}")
        self.status = status
        self.detail = f"{code}: {text}"


@dataclass(frozen=True)
class Seats:
    capacity: int
    taken: int

    @property
    def left(self) -> int:
        return max(0, self.capacity - self.taken)

    def as_json(self) -> dict[str, int]:
        return {"capacity": self.capacity, "taken": self.taken, "left": self.left}


def course(session: Session, key: str) -> CourseBody:
    """The current course `key`; CourseRefused 404 `course.unknown` if there is none
    (never published, withdrawn, or a body that does not parse)."""
    row = session.execute(select(ReferenceItem).where(
        ReferenceItem.kind == COURSE_KIND, ReferenceItem.key == key,
        ReferenceItem.deleted.is_(False))).scalar_one_or_none()
    if row is None or not row.body:
        raise CourseRefused(404, "course.unknown", "no such course")
    try:
        return CourseBody.model_validate(json.loads(row.body))
    except (ValidationError, ValueError):
        raise CourseRefused(404, "course.unknown", "this course cannot be read") from None


def all_seats(session: Session) -> dict[str, dict[str, int]]:
    """Seats of every current course: capacity from the course, taken from the count."""
    taken = {row.course_key: row.taken for row in session.execute(select(CourseSeats))
             .scalars()}
    out = {}
    for row in session.execute(select(ReferenceItem).where(
            ReferenceItem.kind == COURSE_KIND, ReferenceItem.deleted.is_(False))).scalars():
        try:
            body = CourseBody.model_validate(json.loads(row.body or "null"))
        except (ValidationError, ValueError):
            continue
        out[row.key] = Seats(body.seats, taken.get(row.key, 0)).as_json()
    return out


def _seats(session: Session, key: str, capacity: int) -> Seats:
    row = session.get(CourseSeats, key)
    return Seats(capacity, row.taken if row is not None else 0)


def _take_seat(session: Session, key: str, capacity: int) -> bool:
    """One seat of `key`, if one is left (capacity as the course says now)."""
    if session.get(CourseSeats, key) is None:
        try:
            with session.begin_nested():
                session.add(CourseSeats(course_key=key, capacity=capacity, taken=0))
        except IntegrityError:
            pass  # another booking created the row first
    result = session.execute(update(CourseSeats).where(
        CourseSeats.course_key == key, CourseSeats.taken < capacity)
        .values(taken=CourseSeats.taken + 1, capacity=capacity))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _give_back(session: Session, key: str) -> None:
    session.execute(update(CourseSeats).where(CourseSeats.course_key == key,
                                              CourseSeats.taken > 0)
                    .values(taken=CourseSeats.taken - 1))


def _booking_json(b: CourseBooking, score: int | None = None) -> dict[str, Any]:
    return {"course": b.course_key, "number": b.number, "booked_at": b.booked_at.isoformat(),
            "cancelled": b.cancelled_at is not None, "score": score}


def bookings(session: Session, tin: str) -> list[dict[str, Any]]:
    """A person's bookings (cancelled ones too), each with their score if evaluated."""
    scores = {e.course_key: e.score for e in session.execute(
        select(CourseEvaluation).where(CourseEvaluation.tin == tin)).scalars()}
    rows = session.execute(select(CourseBooking).where(CourseBooking.tin == tin)
                           .order_by(CourseBooking.booked_at)).scalars()
    return [_booking_json(b, scores.get(b.course_key)) for b in rows]


def book(session: Session, key: str, tin: str, kiosk_id: str, today: date,
         now: datetime) -> dict[str, Any]:
    """Book one seat of course `key` for the person `tin` (the caller commits).
    Refused: course.unknown (404), course.over (the day has passed), course.booked
    (this person holds a seat already), course.full (409 each)."""
    body = course(session, key)
    if body.date < today:
        raise CourseRefused(409, "course.over", "this course has already taken place")
    existing = session.execute(select(CourseBooking).where(
        CourseBooking.course_key == key, CourseBooking.tin == tin)).scalar_one_or_none()
    if existing is not None and existing.cancelled_at is None:
        raise CourseRefused(409, "course.booked", "you have booked this course already")
    if not _take_seat(session, key, body.seats):
        raise CourseRefused(409, "course.full", "no seats are left on this course")
    if existing is None:
        existing = CourseBooking(course_key=key, tin=tin, kiosk_id=kiosk_id,
                                 number=derived_number(BOOKING_PREFIX, str(uuid.uuid4())),
                                 booked_at=now)
        session.add(existing)
    else:  # booked again after a cancellation: the same row and number
        existing.cancelled_at = None
        existing.booked_at = now
        existing.kiosk_id = kiosk_id
    session.flush()
    return {"booking": _booking_json(existing), "seats": _seats(session, key,
                                                                body.seats).as_json()}


def cancel(session: Session, key: str, tin: str, today: date,
           now: datetime) -> dict[str, Any]:
    """Give this person's seat back (the caller commits): booking.unknown (404) if
    there is no current booking, course.over (409) once the day has passed."""
    body = course(session, key)
    existing = session.execute(select(CourseBooking).where(
        CourseBooking.course_key == key, CourseBooking.tin == tin)).scalar_one_or_none()
    if existing is None or existing.cancelled_at is not None:
        raise CourseRefused(404, "booking.unknown", "you have no booking on this course")
    if body.date < today:
        raise CourseRefused(409, "course.over", "this course has already taken place")
    existing.cancelled_at = now
    _give_back(session, key)
    session.flush()
    return {"booking": _booking_json(existing), "seats": _seats(session, key,
                                                                body.seats).as_json()}


def evaluate(session: Session, key: str, tin: str, score: int, today: date,
             now: datetime) -> dict[str, Any]:
    """Record this person's 1-5 score of a course they booked, once the course day is
    over (the caller commits); a second evaluation replaces the first.
    booking.unknown (404), course.not_yet (409: on or before the course day)."""
    if not 1 <= score <= 5:
        raise CourseRefused(422, "score.invalid", "a score is 1 to 5")
    body = course(session, key)
    existing = session.execute(select(CourseBooking).where(
        CourseBooking.course_key == key, CourseBooking.tin == tin)).scalar_one_or_none()
    if existing is None or existing.cancelled_at is not None:
        raise CourseRefused(404, "booking.unknown", "you have no booking on this course")
    if today <= body.date:
        raise CourseRefused(409, "course.not_yet",
                            "a course can be evaluated from the day after it")
    row = session.get(CourseEvaluation, (key, tin))
    if row is None:
        session.add(CourseEvaluation(course_key=key, tin=tin, score=score,
                                     course_date=body.date, at=now))
    else:
        row.score, row.at = score, now
    session.flush()
    return {"course": key, "score": score}


# --- demo data --------------------------------------------------------------------------

def _render(value: Any, today: date) -> Any:
    if isinstance(value, str):
        match = _RELATIVE.fullmatch(value)
        if match:
            days = int(match.group(2)) * (1 if match.group(1) == "+" else -1)
            return (today + timedelta(days=days)).isoformat()
        return value
    if isinstance(value, dict):
        return {k: _render(v, today) for k, v in value.items()}
    if isinstance(value, list):
        return [_render(v, today) for v in value]
    return value


def demo_courses(today: date) -> dict[str, Any]:
    """`central/demo/courses.json` rendered for `today`: `{"items": [reference items],
    "bookings": {course key: [demo TINs holding a seat]}}`."""
    text = resources.files("central").joinpath("demo/courses.json").read_text("utf-8")
    data: dict[str, Any] = _render(json.loads(text), today)
    return data


def load_demo_courses(session: Session, today: date, now: datetime) -> int:
    """Publish the demo courses as of `today` (items whose body changed only, so a
    restart the same day sends kiosks nothing new) and take the demo bookings' seats
    (idempotent). Commits. Returns how many items were published."""
    data = demo_courses(today)
    changed = []
    for item in parse_items(data["items"]):
        row = session.execute(select(ReferenceItem).where(
            ReferenceItem.kind == item.kind, ReferenceItem.key == item.key)
        ).scalar_one_or_none()
        body = json.dumps(item.body, ensure_ascii=False, sort_keys=True)
        if row is None or row.deleted or row.body != body:
            changed.append(item)
    if changed:
        upsert_items(session, changed, now)
    for key, tins in data.get("bookings", {}).items():
        for tin in tins:
            held = session.execute(select(CourseBooking).where(
                CourseBooking.course_key == key, CourseBooking.tin == tin)
            ).scalar_one_or_none()
            if held is None:
                try:
                    book(session, key, tin, "demo", today, now)
                except CourseRefused:  # a course that is over (or full): leave it
                    continue
    session.commit()
    return len(changed)
