"""Use case `school.courses` 税务学堂 (Qt-free): courses, seats left, booking,
cancelling and a 1-5 evaluation after the course.

Offline policies: the course list is `cache` (reference data of kind `course`, shown
with the date it was downloaded); seats left, bookings, cancellations and evaluations
are online-only, because seats are counted at the central service (sealed kiosk calls
`school/*` with the taxpayer's session, `CentralClient.sealed_call`). A booking is the
identified natural person's (`core.identity`): one seat per person per course.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from offline_queue.crypto import KioskKeys
from offline_queue.payloads import COURSE_KIND, CourseBody
from offline_queue.reference import ReferenceInbox

from .. import log
from ..central_client import CentralClient, CentralRejected, CentralUnavailable
from ..connectivity import Connectivity
from ..domain.errors import DomainError
from ..hall_time import to_hall
from .slips import SlipPrinter
from .views import ListItemView, ResultView, Row, pick

if TYPE_CHECKING:
    from collections.abc import Callable

    from .context import ServiceContext
    from .identity import SessionIdentity

_log = log.get("session")
SERVICE_ID = "school.courses"
#: The central's refusal codes the screens have words for (ui/messages.py).
CENTRAL_CODES = frozenset({"course.unknown", "course.full", "course.booked", "course.over",
                           "course.not_yet", "booking.unknown", "session.expired"})

LABELS: dict[str, tuple[str, str]] = {
    "title": ("税务学堂 预约凭条", "Tax school booking"),
    "booking": ("预约号", "Booking number"),
    "course": ("课程", "Course"),
    "when": ("时间", "When"),
    "where": ("地点", "Where"),
    "online": ("线上", "Online"),
    "teacher": ("授课", "Taught by"),
    "seats": ("余位", "Seats left"),
    "seats_of": ("余 %d 座 / 共 %d 座", "%d of %d seats left"),
    "full": ("已满", "Full"),
    "unknown_seats": ("余位需联网查询", "Seats left: needs the network"),
    "booked": ("预约成功", "Booked"),
    "your_booking": ("您已预约", "You have booked this course"),
    "evaluated": ("您的评价", "Your score"),
    "over": ("已结束", "Over"),
    "slip_note": ("请提前 10 分钟到场，凭本凭条或身份证签到。", "Please arrive 10 minutes early "
                  "and sign in with this slip or your ID card."),
    "online_note": ("线上课程：开课前将通过短信发送观看方式。", "Online class: how to join is "
                    "sent by text message before it starts."),
}


class SchoolError(DomainError):
    """A refused school action; `code` is a ui/messages.py code (course.full,
    course.booked, ..., school.identify, service.network)."""


@dataclass(frozen=True)
class Course:
    key: str
    body: CourseBody

    def title(self, lang: str) -> str:
        return self.body.title_zh if lang == "zh" else self.body.title_en

    def place(self, lang: str) -> str:
        place = self.body.place_zh if lang == "zh" else self.body.place_en
        if self.body.online:
            return f"{pick(LABELS['online'], lang)} · {place}" if place else \
                pick(LABELS["online"], lang)
        return place

    def when(self) -> str:
        return f"{self.body.date.isoformat()} {self.body.start}-{self.body.end}"


@dataclass(frozen=True)
class Seats:
    capacity: int
    left: int


@dataclass(frozen=True)
class Booking:
    course: str
    number: str
    cancelled: bool = False
    score: int | None = None


@dataclass(frozen=True)
class Catalogue:
    """What the list screen shows: the cached courses, the date they were downloaded,
    and, when the central service answered, seats left and this person's bookings."""

    courses: tuple[Course, ...]
    synced_at: datetime | None
    seats: dict[str, Seats] | None = None
    bookings: dict[str, Booking] | None = None

    def course(self, key: str) -> Course | None:
        return next((c for c in self.courses if c.key == key), None)


class SchoolService:
    service_id = SERVICE_ID

    def __init__(self, *, central: CentralClient, keys: KioskKeys,
                 connectivity: Connectivity, reference: ReferenceInbox,
                 slips: SlipPrinter, identity: SessionIdentity | None,
                 today: Callable[[], date], now: Callable[[], datetime],
                 as_enrolled: Callable[[Callable[[], Any]], Any] | None = None) -> None:
        self._central = central
        self._keys = keys
        self._connectivity = connectivity
        self._reference = reference
        self._slips = slips
        self._identity = identity
        self._today = today
        self._now = now
        self._as_enrolled = as_enrolled or (lambda call: call())

    # -- the cached list --------------------------------------------------------------
    def courses(self) -> tuple[Course, ...]:
        """Every course in the reference cache, coming ones first (soonest first),
        then those already held; an item that does not parse is left out (logged by
        key only)."""
        out = []
        for entry in self._reference.items(COURSE_KIND):
            try:
                out.append(Course(entry.key, CourseBody.model_validate(entry.body)))
            except ValidationError:
                _log.warning("course %s in the reference cache does not parse", entry.key)
        # Coming courses first, soonest first; those that took place after them.
        today = self._today()
        coming = sorted((c for c in out if c.body.date >= today),
                        key=lambda c: (c.body.date, c.body.start, c.key))
        past = sorted((c for c in out if c.body.date < today),
                      key=lambda c: (c.body.date, c.body.start, c.key), reverse=True)
        return tuple(coming + past)

    def catalogue(self) -> Catalogue:
        """Blocking: the cached courses, with seats and bookings when online."""
        courses = self.courses()
        synced = self._reference.synced_at()
        if not self._connectivity.should_try():
            return Catalogue(courses, synced)
        try:
            seats = self._seats()
            bookings = self._bookings() if self._session() is not None else None
        except SchoolError as exc:
            if exc.code != "service.network":
                raise
            return Catalogue(courses, synced)
        return Catalogue(courses, synced, seats, bookings)

    # -- online calls -----------------------------------------------------------------
    def _session(self) -> str | None:
        return self._identity.session_token() if self._identity is not None else None

    def _need_session(self) -> str:
        token = self._session()
        if token is None:
            raise SchoolError("booking needs an identification with the tax service",
                              "school.identify")
        return token

    def _call(self, purpose: str, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            answer = self._as_enrolled(
                lambda: self._central.sealed_call(self._keys, purpose, path, payload))
        except CentralUnavailable:
            self._connectivity.mark_down()
            raise SchoolError("the tax service cannot be reached", "service.network") from None
        except CentralRejected as exc:
            self._connectivity.mark_ok()
            code = exc.reason.split(":", 1)[0].strip()
            if code in CENTRAL_CODES:
                raise SchoolError(exc.reason, code) from None
            raise SchoolError(f"refused ({exc.status})", "central.rejected") from None
        self._connectivity.mark_ok()
        if not isinstance(answer, dict):
            raise SchoolError("unreadable answer", "service.network")
        return answer

    def _seats(self) -> dict[str, Seats]:
        answer = self._call("school.seats", "school/seats", {})
        return {key: Seats(int(v["capacity"]), int(v["left"]))
                for key, v in dict(answer.get("seats", {})).items()}

    def _bookings(self) -> dict[str, Booking]:
        answer = self._call("school.bookings", "school/bookings",
                            {"session": self._need_session()})
        return {b["course"]: Booking(str(b["course"]), str(b["number"]), bool(b["cancelled"]),
                                     b.get("score"))
                for b in answer.get("bookings", [])}

    def book(self, key: str) -> tuple[Booking, Seats]:
        answer = self._call("school.book", "school/book",
                            {"session": self._need_session(), "course": key})
        return _booking(answer["booking"]), _seats(answer["seats"])

    def cancel(self, key: str) -> tuple[Booking, Seats]:
        answer = self._call("school.cancel", "school/cancel",
                            {"session": self._need_session(), "course": key})
        return _booking(answer["booking"]), _seats(answer["seats"])

    def evaluate(self, key: str, score: int) -> int:
        if not 1 <= score <= 5:
            raise SchoolError("a score is 1 to 5", "score.invalid")
        answer = self._call("school.evaluate", "school/evaluate",
                            {"session": self._need_session(), "course": key, "score": score})
        return int(answer["score"])

    def can_evaluate(self, course: Course) -> bool:
        """A course can be scored from the day after it (the central decides too)."""
        return self._today() > course.body.date

    def is_over(self, course: Course) -> bool:
        return self._today() > course.body.date

    # -- views ------------------------------------------------------------------------
    def seats_text(self, catalogue: Catalogue, key: str, lang: str) -> str:
        if catalogue.seats is None or key not in catalogue.seats:
            return pick(LABELS["unknown_seats"], lang)
        seats = catalogue.seats[key]
        if seats.left <= 0:
            return pick(LABELS["full"], lang)
        return pick(LABELS["seats_of"], lang) % (seats.left, seats.capacity)

    def items(self, catalogue: Catalogue, lang: str) -> list[ListItemView]:
        out = []
        for course in catalogue.courses:
            state = pick(LABELS["over"], lang) if self.is_over(course) \
                else self.seats_text(catalogue, course.key, lang)
            booking = (catalogue.bookings or {}).get(course.key)
            if booking is not None and not booking.cancelled:
                state = f"{pick(LABELS['your_booking'], lang)} · {state}"
            summary = f"{course.when()} · {course.place(lang)} · {state}"
            out.append(ListItemView(course.key, course.title(lang), summary,
                                    self.detail(catalogue, course, lang)))
        return out

    def detail(self, catalogue: Catalogue, course: Course, lang: str) -> ResultView:
        def label(key: str) -> str:
            return pick(LABELS[key], lang)

        rows = [Row("when", label("when"), course.when()),
                Row("where", label("where"), course.place(lang))]
        teacher = course.body.teacher_zh if lang == "zh" else course.body.teacher_en
        if teacher:
            rows.append(Row("teacher", label("teacher"), teacher))
        rows.append(Row("seats", label("seats"), label("over") if self.is_over(course)
                        else self.seats_text(catalogue, course.key, lang)))
        booking = (catalogue.bookings or {}).get(course.key)
        if booking is not None and not booking.cancelled:
            rows.append(Row("booking", label("booking"), booking.number))
            if booking.score is not None:
                rows.append(Row("score", label("evaluated"), "★" * booking.score))
        summary = course.body.summary_zh if lang == "zh" else course.body.summary_en
        return ResultView(course.title(lang), "neutral", tuple(rows),
                          (summary,) if summary else ())

    def booking_view(self, course: Course, booking: Booking, seats: Seats | None,
                     lang: str) -> ResultView:
        def label(key: str) -> str:
            return pick(LABELS[key], lang)

        rows = (Row("booking", label("booking"), booking.number),
                Row("course", label("course"), course.title(lang)),
                Row("when", label("when"), course.when()),
                Row("where", label("where"), course.place(lang)))
        note = label("online_note") if course.body.online else label("slip_note")
        return ResultView(label("booked"), "good", rows, (note,))

    def print_booking(self, course: Course, booking: Booking, lang: str) -> None:
        """The booking slip (PrintFailed when it cannot print)."""
        view = self.booking_view(course, booking, None, lang)
        self._slips.print_receipt(
            lang=lang, title=LABELS["title"], number_label=pick(LABELS["booking"], lang),
            number=booking.number, headline=view.title,
            rows=[(r.label, r.value) for r in view.rows if r.key != "booking"],
            notes=list(view.notes))

    def synced_text(self, catalogue: Catalogue, lang: str) -> str:
        """The cache's date, as a `cache` service shows it."""
        if catalogue.synced_at is None:
            return ""
        moment = to_hall(catalogue.synced_at).strftime("%Y-%m-%d %H:%M")
        return (f"课程信息更新于 {moment}" if lang == "zh"
                else f"Course list as of {moment}")


def _booking(data: dict[str, Any]) -> Booking:
    return Booking(str(data["course"]), str(data["number"]), bool(data.get("cancelled")),
                   data.get("score"))


def _seats(data: dict[str, Any]) -> Seats:
    return Seats(int(data["capacity"]), int(data["left"]))


def build(ctx: ServiceContext) -> SchoolService:
    """The catalogue's factory for `school.courses`."""
    return SchoolService(central=ctx.central, keys=ctx.keys, connectivity=ctx.connectivity,
                         reference=ctx.reference, slips=ctx.slips,
                         identity=ctx.identity, today=ctx.clock.today,
                         now=ctx.clock.now, as_enrolled=ctx.as_enrolled)
