"""The tax school (税务学堂): seats left, and the identified person's bookings,
cancellations and evaluations (central.courses). Courses themselves are reference
data of kind `course` on the public feed.

Who may call them: only the enrolled and approved kiosk `kiosk_id`, by a sealed call
(`wire.SealedCall`, central.auth.open_sealed_call). `school/seats` needs nothing more
(seat counts are not personal). The others carry a live taxpayer session opened at
that same kiosk (`{session, ...}`: 401 `session.expired` otherwise); a booking is the
natural person's who identified (one seat per person per course, also when they act
for an enterprise). Answers are sealed to that kiosk. Refusals are 4xx with a coded
detail ("course.full: ...") that the kiosk shows in words.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import Field
from sqlalchemy.orm import Session

from central import courses
from central.auth import SEALED_CALL_ERRORS, open_sealed_call, seal_answer
from central.errors import WITH_BODY, error_responses
from central.identity import SessionOnly, parse, resolve_session
from central.state import AppState
from offline_queue.wire import SealedAnswer, SealedCall

router = APIRouter(tags=["school"], responses=error_responses(*WITH_BODY))

_SESSION = {401: "session.expired: unknown, expired or another kiosk's session"}
_REFUSED = {404: "course.unknown / booking.unknown: no such course, or no booking of "
                 "this person on it",
            409: "course.full, course.booked, course.over or course.not_yet (see "
                 "detail); or, for the sealed call itself, sent_at too far from the "
                 "service's clock or a replayed call"}


class CourseAsked(SessionOnly):
    course: str = Field(min_length=1, max_length=200)


class Evaluation(CourseAsked):
    score: int = Field(ge=1, le=5)


def _with_person(state: AppState, kiosk_id: str, body: SealedCall, request: Request,
                 purpose: str, model: type[SessionOnly],
                 work: Callable[[Session, Any, str], dict[str, Any]]) -> dict[str, str]:
    """Open the call, find the session's natural person, run `work(db, asked, tin)`
    and commit it with the session's extension, answer sealed."""
    kiosk, payload = open_sealed_call(state, kiosk_id, body, purpose, request=request)
    asked = parse(model, payload)
    with state.sessions() as db:
        tin = resolve_session(db, kiosk_id, asked.session, state.now()).person_tin
        try:
            result = work(db, asked, tin)
        except courses.CourseRefused as exc:
            db.rollback()
            raise HTTPException(exc.status, exc.detail) from None
        db.commit()
    return seal_answer(kiosk, body.sent_at, result)


@router.post("/v1/kiosks/{kiosk_id}/school/seats", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS))
def seats(kiosk_id: str, body: SealedCall, request: Request,
          state: AppState) -> dict[str, str]:
    """Seats of every current course (payload `{}`): `{seats: {course key: {capacity,
    taken, left}}}`. Caller: the approved kiosk."""
    kiosk, _payload = open_sealed_call(state, kiosk_id, body, "school.seats",
                                       request=request)
    with state.sessions() as db:
        result = {"seats": courses.all_seats(db)}
    return seal_answer(kiosk, body.sent_at, result)


@router.post("/v1/kiosks/{kiosk_id}/school/bookings", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS, _SESSION))
def bookings(kiosk_id: str, body: SealedCall, request: Request,
             state: AppState) -> dict[str, str]:
    """The identified person's bookings (payload `{session}`): `{bookings: [{course,
    number, booked_at, cancelled, score}]}`. Caller: the approved kiosk holding the
    session."""
    return _with_person(state, kiosk_id, body, request, "school.bookings", SessionOnly,
                        lambda db, _asked, tin: {"bookings": courses.bookings(db, tin)})


@router.post("/v1/kiosks/{kiosk_id}/school/book", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS, _SESSION, _REFUSED))
def book(kiosk_id: str, body: SealedCall, request: Request,
         state: AppState) -> dict[str, str]:
    """Book a seat (payload `{session, course}`): `{booking: {course, number,
    booked_at, cancelled, score}, seats: {capacity, taken, left}}`; 409 course.full
    when no seat is left, course.booked when this person holds one already,
    course.over once the day has passed. Caller: the approved kiosk holding the
    session."""
    return _with_person(
        state, kiosk_id, body, request, "school.book", CourseAsked,
        lambda db, asked, tin: courses.book(db, asked.course, tin, kiosk_id,
                                            state.clock(), state.now()))


@router.post("/v1/kiosks/{kiosk_id}/school/cancel", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS, _SESSION, _REFUSED))
def cancel(kiosk_id: str, body: SealedCall, request: Request,
           state: AppState) -> dict[str, str]:
    """Cancel this person's booking (payload `{session, course}`): `{booking, seats}`;
    the seat is free again. Caller: the approved kiosk holding the session."""
    return _with_person(
        state, kiosk_id, body, request, "school.cancel", CourseAsked,
        lambda db, asked, tin: courses.cancel(db, asked.course, tin, state.clock(),
                                              state.now()))


@router.post("/v1/kiosks/{kiosk_id}/school/evaluate", response_model=SealedAnswer,
             responses=error_responses(SEALED_CALL_ERRORS, _SESSION, _REFUSED))
def evaluate(kiosk_id: str, body: SealedCall, request: Request,
             state: AppState) -> dict[str, str]:
    """A 1-5 score of a course this person booked (payload `{session, course,
    score}`), from the day after the course: `{course, score}`; 409 course.not_yet
    before. Caller: the approved kiosk holding the session."""
    return _with_person(
        state, kiosk_id, body, request, "school.evaluate", Evaluation,
        lambda db, asked, tin: courses.evaluate(db, asked.course, tin, asked.score,
                                                state.clock(), state.now()))
