"""Screens of `suggestion.box` 意见建议 / 创意征集: category, text, an optional phone
number; then the saved screen with the receipt number while the slip prints. Queued
(kiosk.services.suggestion): the same ending online and offline."""
from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtCore import Qt

from kiosk.services.callback import phone_ok
from kiosk.services.suggestion import CATEGORIES, SuggestionInvalid, SuggestionQueued
from kiosk.services.views import pick
from offline_queue.payloads import SUGGESTION_CATEGORIES, SUGGESTION_TEXT_MAX
from ui.flow.base import Said
from ui.flow.fields import FieldSpec, Kind
from ui.flow.flow import ServiceFlow
from ui.flow.form import FormScreen
from ui.flow.notice import QueuedScreen
from ui.flow.text import Both, Plain


class SuggestionFlow(ServiceFlow):
    errors: ClassVar[dict[type[BaseException], str]] = {
        SuggestionInvalid: "suggestion.invalid"}

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        # Set once a request is saved: the form starts empty the next time it shows.
        self.clear_form = False
        self.last: SuggestionQueued | None = None

    def submit(self, values: dict[str, str]) -> None:
        service = self.service
        self.set_error(None)
        self.run(lambda: service.submit(category=values["category"], text=values["text"],
                                        contact=values.get("contact") or None),
                 self._queued)

    def _queued(self, queued: SuggestionQueued) -> None:
        self.last = queued
        self.clear_form = True
        service, lang = self.service, self.lang()
        self.accept_queued(queued.record_uuid, "suggestion.box.queued",
                           lambda: service.confirm_shown(queued),
                           lambda: service.print_slip(queued, lang))


class SuggestionForm(FormScreen):
    screen_id = "suggestion.box"
    fields = (FieldSpec("category", Kind.CHOICE, choices=SUGGESTION_CATEGORIES, columns=3),
              FieldSpec("text", Kind.TEXT, SUGGESTION_TEXT_MAX),
              FieldSpec("contact", Kind.DIGITS, 12, required=False))
    flow: SuggestionFlow

    def __init__(self, window: Any, flow: SuggestionFlow) -> None:
        super().__init__(window, flow)
        self.error = self.bind(self.text_label("label.error", role="error"),
                               lambda: flow.error, hide_empty=True)
        self.layout_.insertWidget(1, self.error)
        self.intro = self.bind(self.text_label("label.instruction"), lambda: self.tr(
            "Tell us what we could do better, or share an idea. Leave a phone number "
            "if you would like an answer."))
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
        return self.tr("Suggestions and ideas")

    def prompt_text(self, name: str) -> Said:
        return self.tr("What is it about?")

    def choice_text(self, name: str, value: str) -> Said:
        return Both(*CATEGORIES[value])

    def field_text(self, name: str) -> Said:
        if name == "text":
            return self.tr("Your suggestion")
        return self.tr("Phone number for an answer (optional)")

    def confirm_text(self) -> Said:
        return self.tr("Send")

    def check(self, name: str, value: str) -> str | None:
        problem = super().check(name, value)
        if problem is None and name == "text" and value and not value.strip():
            return "required"
        if problem is None and name == "contact" and value and not phone_ok(value):
            return "phone.invalid"
        return problem

    def submit(self, values: dict[str, str]) -> dict[str, str]:
        self.flow.submit(values)
        return {}


class SuggestionSaved(QueuedScreen):
    screen_id = "suggestion.box.queued"
    flow: SuggestionFlow

    def add_details(self) -> None:
        super().add_details()
        self.details = self.bind(self.text_label("label.details"), self._details)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.layout_.addWidget(self.details)

    def title_text(self) -> Said:
        return self.tr("Thank you")

    def body_text(self) -> Said:
        if self.flow.last is None:
            return None
        return self.tr("Your suggestion is registered under the receipt number below. "
                       "This terminal sends it to the tax office at once, or as soon as "
                       "the network is back.")

    def reference_text(self) -> Said:
        queued = self.flow.last
        return None if queued is None else Plain(
            f"{pick(('受理号', 'Receipt number'), self.lang())}: {queued.receipt}")

    def _details(self) -> Said:
        queued, service = self.flow.last, self.flow.service
        if queued is None or service is None:
            return None
        return service.view(queued, self.lang()).text()


FLOW = SuggestionFlow
SCREENS = (SuggestionForm, SuggestionSaved)
