"""Screens of `school.courses` 税务学堂: the course list (cached, with its date; seats
left and the person's bookings when online), a course's detail with book / cancel /
evaluate, the confirm step, the booking with its slip, and the 1-5 evaluation."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import QHBoxLayout

from kiosk.services.school import Booking, Catalogue, Course, Seats
from kiosk.services.views import ListItemView, ResultView
from ui.flow.base import Said
from ui.flow.confirm import ConfirmScreen
from ui.flow.fields import FieldSpec, Kind
from ui.flow.flow import ServiceFlow
from ui.flow.form import FormScreen
from ui.flow.list_detail import ListDetailScreen
from ui.flow.outcome import OutcomeScreen
from ui.flow.text import Plain, Text, Tr
from ui.widgets.buttons import make_button

_CTX = "SchoolFlow"
CANCELLED = QT_TRANSLATE_NOOP("SchoolFlow", "Your booking is cancelled; the seat is free again.")
SCORED = QT_TRANSLATE_NOOP("SchoolFlow", "Thank you for your score.")


class SchoolFlow(ServiceFlow):
    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.catalogue: Catalogue | None = None
        self.selected: str | None = None
        self.booked: tuple[Course, Booking, Seats] | None = None
        self.notice: Text | None = None

    def load(self) -> None:
        service = self.service
        if service is not None:
            self.run(service.catalogue, self._loaded)

    def _loaded(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.changed.emit()

    def course(self) -> Course | None:
        if self.catalogue is None or self.selected is None:
            return None
        return self.catalogue.course(self.selected)

    def booking(self) -> Booking | None:
        if self.catalogue is None or self.selected is None:
            return None
        found = (self.catalogue.bookings or {}).get(self.selected)
        return None if found is None or found.cancelled else found

    def _start(self) -> None:
        self.set_error(None)
        self.notice = None

    def book(self) -> None:
        course, service = self.course(), self.service
        if course is None or service is None:
            return
        self._start()
        self.run(lambda: service.book(course.key), lambda r: self._booked(course, r))

    def _booked(self, course: Course, result: tuple[Booking, Seats]) -> None:
        self.booked = (course, *result)
        self.go("school.courses.booked")
        self.changed.emit()

    def cancel(self) -> None:
        course, service = self.course(), self.service
        if course is None or service is None:
            return
        self._start()
        self.run(lambda: service.cancel(course.key), lambda _r: self._done(CANCELLED))

    def evaluate(self, score: int) -> None:
        course, service = self.course(), self.service
        if course is None or service is None:
            return
        self._start()
        self.run(lambda: service.evaluate(course.key, score), lambda _r: self._done(SCORED))

    def _done(self, sentence: object) -> None:
        self.notice = Tr(_CTX, sentence)
        self.go("school.courses")
        self.load()


class CourseList(ListDetailScreen):
    screen_id = "school.courses"
    flow: SchoolFlow

    def __init__(self, window: Any, flow: SchoolFlow) -> None:
        super().__init__(window, flow)
        self.cached = self.bind(self.text_label("label.cached", role="subtitle"),
                                self._cached_text, hide_empty=True)
        self.status = self.bind(self.text_label("label.status", role="subtitle"),
                                lambda: self.tr("Please wait…") if flow.busy else "",
                                hide_empty=True)
        self.error = self.bind(self.text_label("label.error", role="error"),
                               lambda: flow.error, hide_empty=True)
        self.notice = self.bind(self.text_label("label.notice", role="success"),
                                lambda: flow.notice, hide_empty=True)
        for i, widget in enumerate((self.cached, self.status, self.error, self.notice), 1):
            self.layout_.insertWidget(i, widget)
        self.book_button = self.bind(make_button("", "action.book", role="primary"),
                                     lambda: self.tr("Book a seat"))
        self.cancel_button = self.bind(make_button("", "action.cancel_booking",
                                                   role="secondary"),
                                       lambda: self.tr("Cancel my booking"))
        self.evaluate_button = self.bind(make_button("", "action.evaluate", role="secondary"),
                                         lambda: self.tr("Score this course"))
        self.book_button.clicked.connect(lambda: flow.go("school.courses.confirm"))
        self.cancel_button.clicked.connect(flow.cancel)
        self.evaluate_button.clicked.connect(lambda: flow.go("school.courses.evaluate"))
        row = QHBoxLayout()
        for button in (self.cancel_button, self.evaluate_button, self.book_button):
            row.addWidget(button)
        self.layout_.addLayout(row)
        self.refresh()

    def title_text(self) -> Said:
        return self.tr("Tax school: courses")

    def empty_text(self) -> Said:
        if self.flow.catalogue is None:
            return None
        return self.tr("No courses are published yet. Please try again after the "
                       "terminal has synced.")

    def items(self) -> list[ListItemView]:
        catalogue, service = self.flow.catalogue, self.flow.service
        if catalogue is None or service is None:
            return []
        return service.items(catalogue, self.lang())

    def _cached_text(self) -> Said:
        catalogue, service = self.flow.catalogue, self.flow.service
        if catalogue is None or service is None:
            return None
        return Plain(service.synced_text(catalogue, self.lang()))

    def chosen(self, key: str) -> None:
        self.flow.selected = key
        self.flow.notice = None
        self.flow.set_error(None)

    def on_enter(self) -> None:
        super().on_enter()
        if not self.flow.busy:
            self.flow.load()

    def update_state(self) -> None:
        if not hasattr(self, "evaluate_button"):
            return  # the base class refreshes before the buttons exist
        flow, service = self.flow, self.flow.service
        course = flow.course()
        catalogue = flow.catalogue
        booking = flow.booking()
        over = course is not None and service is not None and service.is_over(course)
        seats = None if catalogue is None or catalogue.seats is None or course is None \
            else catalogue.seats.get(course.key)
        idle = not flow.busy
        self.book_button.setEnabled(idle and course is not None and not over
                                    and booking is None
                                    and (seats is None or seats.left > 0))
        self.cancel_button.setVisible(booking is not None and not over)
        self.cancel_button.setEnabled(idle)
        self.evaluate_button.setVisible(booking is not None and over)
        self.evaluate_button.setEnabled(idle)


class BookConfirm(ConfirmScreen):
    screen_id = "school.courses.confirm"
    flow: SchoolFlow

    def __init__(self, window: Any, flow: SchoolFlow) -> None:
        super().__init__(window, flow)
        self.confirmed.connect(flow.book)

    def body_text(self) -> Said:
        return self.tr("Book one seat on this course for you?")

    def view(self) -> ResultView | None:
        flow, service = self.flow, self.flow.service
        course = flow.course()
        if course is None or service is None or flow.catalogue is None:
            return None
        return service.detail(flow.catalogue, course, self.lang())

    def confirm_text(self) -> Said:
        return self.tr("Book")


class BookingDone(OutcomeScreen):
    screen_id = "school.courses.booked"
    flow: SchoolFlow

    def title_text(self) -> Said:
        return self.tr("Tax school booking")

    def again_text(self) -> Said:
        return self.tr("Back to the courses")

    def print_text(self) -> Said:
        return self.tr("Print the booking slip")

    def view(self) -> ResultView | None:
        booked, service = self.flow.booked, self.flow.service
        if booked is None or service is None:
            return None
        course, booking, seats = booked
        return service.booking_view(course, booking, seats,
                                    self.lang())

    def print_job(self) -> Callable[[], object] | None:
        booked, service, lang = self.flow.booked, self.flow.service, self.lang()
        if booked is None or service is None:
            return None
        course, booking, _seats = booked
        return lambda: service.print_booking(course, booking, lang)


class Evaluate(FormScreen):
    screen_id = "school.courses.evaluate"
    fields = (FieldSpec("score", Kind.CHOICE, choices=("1", "2", "3", "4", "5"), columns=5),)
    flow: SchoolFlow

    def title_text(self) -> Said:
        course = self.flow.course()
        if course is None:
            return self.tr("Score a course")
        return self.tr("Score the course: %1").replace("%1", course.title(self.lang()))

    def prompt_text(self, name: str) -> Said:
        return self.tr("1 = poor, 5 = excellent")

    def choice_text(self, name: str, value: str) -> Said:
        return "★" * int(value)

    def confirm_text(self) -> Said:
        return self.tr("Send my score")

    def submit(self, values: dict[str, str]) -> dict[str, str]:
        self.flow.evaluate(int(values["score"]))
        return {}


FLOW = SchoolFlow
SCREENS = (CourseList, BookConfirm, BookingDone, Evaluate)

# `make screenshots` (kiosk/scenario/screenshots.py): the demo person signs in, books
# the last seat of a course, comes back after it (`days`) to score it, signs out.
SHOTS = [("open", "school.courses"), ("expect_screen", "identity.login"), ("id_card", {}),
         ("expect_screen", "school.courses"), ("tap", "item.c-export-refund"),
         ("shot", "school.courses"), ("tap", "action.book"),
         ("expect_screen", "school.courses.confirm"), ("shot", "school.courses.confirm"),
         ("tap", "action.confirm"), ("expect_screen", "school.courses.booked"),
         ("tap", "action.print"), ("settle", None), ("shot", "school.courses.booked"),
         ("days", 3), ("tap", "action.again"), ("expect_screen", "school.courses"),
         ("tap", "item.c-export-refund"), ("tap", "action.evaluate"),
         ("expect_screen", "school.courses.evaluate"), ("shot", "school.courses.evaluate"),
         ("days", -3), ("tap", "action.logout"), ("id_card", "remove"),
         ("tap", "action.start")]
