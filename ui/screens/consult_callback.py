"""Screens of `consult.callback` 12366 预约回电: the form (topic, phone, time window,
a short text), then the saved screen with the 工单号 while the slip prints. The
request is queued (kiosk.services.callback): the same ending online and offline."""
from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtCore import Qt

from kiosk.services.callback import TOPICS, WINDOWS, CallbackInvalid, CallbackQueued, phone_ok
from kiosk.services.views import pick
from offline_queue.payloads import CALLBACK_TEXT_MAX, CALLBACK_TOPICS, CALLBACK_WINDOWS
from ui.flow.base import Said
from ui.flow.fields import FieldSpec, Kind
from ui.flow.flow import ServiceFlow
from ui.flow.form import FormScreen
from ui.flow.notice import QueuedScreen
from ui.flow.text import Both, Plain
from ui.widgets.buttons import make_button


class CallbackFlow(ServiceFlow):
    errors: ClassVar[dict[type[BaseException], str]] = {CallbackInvalid: "callback.invalid"}

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        # Set once a request is saved: the form starts empty the next time it shows.
        self.clear_form = False
        self.last: CallbackQueued | None = None

    def submit(self, values: dict[str, str]) -> None:
        service, lang = self.service, self.lang()
        self.set_error(None)
        self.run(lambda: service.submit(topic=values["topic"], phone=values["phone"],
                                        window=values["window"],
                                        text=values.get("text", ""), lang=lang),
                 self._queued)

    def _queued(self, queued: CallbackQueued) -> None:
        self.last = queued
        self.clear_form = True
        service, lang = self.service, self.lang()
        self.accept_queued(queued.record_uuid, "consult.callback.queued",
                           lambda: service.confirm_shown(queued),
                           lambda: service.print_slip(queued, lang))


class CallbackForm(FormScreen):
    screen_id = "consult.callback"
    fields = (FieldSpec("topic", Kind.CHOICE, choices=CALLBACK_TOPICS, columns=3),
              FieldSpec("phone", Kind.DIGITS, 12),
              FieldSpec("window", Kind.CHOICE, choices=CALLBACK_WINDOWS, columns=3),
              FieldSpec("text", Kind.TEXT, CALLBACK_TEXT_MAX, required=False))
    flow: CallbackFlow

    def __init__(self, window: Any, flow: CallbackFlow) -> None:
        super().__init__(window, flow)
        self.error = self.bind(self.text_label("label.error", role="error"),
                               lambda: flow.error, hide_empty=True)
        self.layout_.insertWidget(1, self.error)
        self.intro = self.bind(self.text_label("label.instruction"), lambda: self.tr(
            "Tell us what your question is about and when to call: the 12366 tax "
            "service calls you back. You get a ticket number on a slip."))
        self.layout_.insertWidget(1, self.intro)
        self.refresh()

    def on_enter(self) -> None:
        if self.flow.clear_form:
            self.flow.clear_form = False
            for edit in self.inputs.values():
                edit.clear()
            self.errors.clear()
            self.choices = {f.name: f.choices[0] for f in self.fields if f.choices}
        super().on_enter()

    def title_text(self) -> Said:
        return self.tr("12366 callback request")

    def prompt_text(self, name: str) -> Said:
        return self.tr("What is it about?") if name == "topic" else self.tr(
            "When may we call you?")

    def choice_text(self, name: str, value: str) -> Said:
        table = TOPICS if name == "topic" else WINDOWS
        return Both(*table[value])

    def field_text(self, name: str) -> Said:
        if name == "phone":
            return self.tr("Phone number to call back")
        return self.tr("Your question in a few words (optional)")

    def confirm_text(self) -> Said:
        return self.tr("Request a callback")

    def check(self, name: str, value: str) -> str | None:
        problem = super().check(name, value)
        if problem is None and name == "phone" and value and not phone_ok(value):
            return "phone.invalid"
        return problem

    def submit(self, values: dict[str, str]) -> dict[str, str]:
        self.flow.submit(values)
        return {}


class CallbackSaved(QueuedScreen):
    screen_id = "consult.callback.queued"
    flow: CallbackFlow

    def add_details(self) -> None:
        super().add_details()
        self.details = self.bind(self.text_label("label.details"), self._details)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.layout_.addWidget(self.details)
        # Later (once synced) the replies are under `consult.ticket`: one tap there,
        # with this ticket's number filled in.
        self.look_up = self.bind(make_button("", "action.ticket", role="secondary"),
                                 lambda: self.tr("Look up this ticket"))
        self.look_up.clicked.connect(self._look_up)
        self.layout_.addWidget(self.look_up)

    def _look_up(self) -> None:
        queued = self.flow.last
        ticket_flow = self.window_.flows.get("consult.ticket")
        if queued is None or ticket_flow is None:
            return
        ticket_flow.prefill = queued.ticket  # type: ignore[attr-defined]
        self.window_.open_service("consult.ticket")

    def title_text(self) -> Said:
        return self.tr("Callback requested")

    def body_text(self) -> Said:
        if self.flow.last is None:
            return None
        return self.tr("Your request is registered under the ticket number below. This "
                       "terminal sends it to the 12366 tax service at once, or as soon as "
                       "the network is back; the number stays the same.")

    def reference_text(self) -> Said:
        queued = self.flow.last
        return None if queued is None else Plain(
            f"{pick(('工单号', 'Ticket number'), self.lang())}: {queued.ticket}")

    def _details(self) -> Said:
        queued, service = self.flow.last, self.flow.service
        if queued is None or service is None:
            return None
        return service.view(queued, self.lang()).text()


FLOW = CallbackFlow
SCREENS = (CallbackForm, CallbackSaved)
