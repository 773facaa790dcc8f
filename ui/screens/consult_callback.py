"""Screens of `consult.callback` 12366 预约回电: the form (topic, phone, time window,
a short text), then the saved screen with the 工单号 while the slip prints. The
request is queued (kiosk.services.callback): the same ending online and offline."""
from __future__ import annotations

from typing import ClassVar

from kiosk.services.callback import TOPICS, WINDOWS, CallbackInvalid, CallbackQueued, phone_ok
from offline_queue.payloads import CALLBACK_TEXT_MAX, CALLBACK_TOPICS, CALLBACK_WINDOWS
from ui.flow.base import Said
from ui.flow.fields import FieldSpec, Kind
from ui.flow.queued_form import QueuedFormFlow, QueuedFormScreen, QueuedSlipScreen
from ui.flow.text import Both
from ui.widgets.buttons import make_button


class CallbackFlow(QueuedFormFlow):
    errors: ClassVar[dict[type[BaseException], str]] = {CallbackInvalid: "callback.invalid"}
    queued_screen = "consult.callback.queued"
    last: CallbackQueued | None

    def submit(self, values: dict[str, str]) -> None:
        service, lang = self.service, self.lang()
        self.submit_with(lambda: service.submit(
            topic=values["topic"], phone=values["phone"], window=values["window"],
            text=values.get("text", ""), lang=lang))


class CallbackForm(QueuedFormScreen):
    screen_id = "consult.callback"
    fields = (FieldSpec("topic", Kind.CHOICE, choices=CALLBACK_TOPICS, columns=3),
              FieldSpec("phone", Kind.DIGITS, 12),
              FieldSpec("window", Kind.CHOICE, choices=CALLBACK_WINDOWS, columns=3),
              FieldSpec("text", Kind.TEXT, CALLBACK_TEXT_MAX, required=False))
    flow: CallbackFlow

    def intro_text(self) -> Said:
        return self.tr("Tell us what your question is about and when to call: the 12366 "
                       "tax service calls you back. You get a ticket number on a slip.")

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


class CallbackSaved(QueuedSlipScreen):
    screen_id = "consult.callback.queued"
    flow: CallbackFlow

    def add_details(self) -> None:
        super().add_details()
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


FLOW = CallbackFlow
SCREENS = (CallbackForm, CallbackSaved)

# `make screenshots` (kiosk/scenario/screenshots.py): a request and its slip, then (once
# synced) its ticket looked up: `consult.ticket` is shot here, it needs a request first.
SHOTS = [("open", "consult.callback"), ("expect_screen", "consult.callback"),
         ("shot", "consult.callback"), ("tap", "topic.iit"),
         ("type", {"into": "field.phone", "text": "13812345678"}),
         ("tap", "window.afternoon"),
         ("type", {"into": "field.text", "text": "IIT annual refund"}),
         ("tap", "action.confirm"), ("expect_screen", "consult.callback.queued"),
         ("settle", None), ("shot", "consult.callback.queued"), ("sync", {}),
         ("tap", "action.ticket"), ("expect_screen", "consult.ticket"),
         ("shot", "consult.ticket"), ("tap", "action.confirm"),
         ("expect_screen", "consult.ticket.result"), ("shot", "consult.ticket.result")]
