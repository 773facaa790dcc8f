"""Screens of `suggestion.box` 意见建议 / 创意征集: category, text, an optional phone
number; then the saved screen with the receipt number while the slip prints. Queued
(kiosk.services.suggestion): the same ending online and offline."""
from __future__ import annotations

from typing import ClassVar

from kiosk.services.callback import phone_ok
from kiosk.services.suggestion import CATEGORIES, SuggestionInvalid, SuggestionQueued
from offline_queue.payloads import SUGGESTION_CATEGORIES, SUGGESTION_TEXT_MAX
from ui.flow.base import Said
from ui.flow.fields import FieldSpec, Kind
from ui.flow.queued_form import QueuedFormFlow, QueuedFormScreen, QueuedSlipScreen
from ui.flow.text import Both


class SuggestionFlow(QueuedFormFlow):
    errors: ClassVar[dict[type[BaseException], str]] = {
        SuggestionInvalid: "suggestion.invalid"}
    queued_screen = "suggestion.box.queued"
    last: SuggestionQueued | None

    def submit(self, values: dict[str, str]) -> None:
        service = self.service
        self.submit_with(lambda: service.submit(
            category=values["category"], text=values["text"],
            contact=values.get("contact") or None))


class SuggestionForm(QueuedFormScreen):
    screen_id = "suggestion.box"
    fields = (FieldSpec("category", Kind.CHOICE, choices=SUGGESTION_CATEGORIES, columns=3),
              FieldSpec("text", Kind.TEXT, SUGGESTION_TEXT_MAX),
              FieldSpec("contact", Kind.DIGITS, 12, required=False))
    flow: SuggestionFlow

    def intro_text(self) -> Said:
        return self.tr("Tell us what we could do better, or share an idea. Leave a phone "
                       "number if you would like an answer.")

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


class SuggestionSaved(QueuedSlipScreen):
    screen_id = "suggestion.box.queued"
    flow: SuggestionFlow

    def title_text(self) -> Said:
        return self.tr("Thank you")

    def body_text(self) -> Said:
        if self.flow.last is None:
            return None
        return self.tr("Your suggestion is registered under the receipt number below. "
                       "This terminal sends it to the tax office at once, or as soon as "
                       "the network is back.")


FLOW = SuggestionFlow
SCREENS = (SuggestionForm, SuggestionSaved)

# `make screenshots` (kiosk/scenario/screenshots.py): a suggestion with a phone number.
SHOTS = [("open", "suggestion.box"), ("expect_screen", "suggestion.box"),
         ("shot", "suggestion.box"), ("tap", "category.terminal"),
         ("type", {"into": "field.text", "text": "Bigger text please"}),
         ("type", {"into": "field.contact", "text": "13900001111"}),
         ("tap", "action.confirm"), ("expect_screen", "suggestion.box.queued"),
         ("settle", None), ("shot", "suggestion.box.queued"), ("sync", {})]
