"""Screens of `consult.faq` 12366 智能咨询: answers ranked as the taxpayer types
(words, pinyin initials, synonyms); an answer names its policy basis; "Not answered"
(`action.not_answered`) opens the 12366 callback service when this terminal has it,
else says to call 12366."""
from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.services.faq import CALLBACK_SERVICE, FaqService
from kiosk.services.views import ListItemView, ResultView
from ui.flow.base import Said
from ui.widgets.buttons import make_button

from .guidance_kit import DetailScreen, GuidanceFlow, SearchScreen

if TYPE_CHECKING:
    from ui.main_window import MainWindow


class FaqFlow(GuidanceFlow):
    def callback_here(self) -> bool:
        return CALLBACK_SERVICE in self.window_.flows

    def not_answered(self) -> None:
        if self.callback_here():
            self.window_.open_service(CALLBACK_SERVICE)


class FaqSearch(SearchScreen):
    screen_id = "consult.faq"
    flow: FaqFlow

    def extra_bottom(self) -> None:
        self.not_answered = self.bind(make_button("", "action.not_answered", role="secondary"),
                                      self._not_answered_text)
        self.not_answered.clicked.connect(self.flow.not_answered)
        self.layout_.addWidget(self.not_answered)

    def title_text(self) -> Said:
        return self.tr("12366 questions and answers")

    def intro_text(self) -> Said:
        return self.tr("Type your question, e.g. 个税汇算 or grsds. Answers update as you type.")

    def _not_answered_text(self) -> Said:
        return (self.tr("Not answered? Ask 12366 to call you back") if self.flow.callback_here()
                else self.tr("Not answered? Call 12366 or ask at the advice counter"))

    def results(self) -> list[ListItemView]:
        service: FaqService | None = self.flow.service
        return [] if service is None else service.search(self.flow.query, self.lang())

    def opened(self, key: str) -> None:
        self.flow.open_entry(key, "consult.faq.answer")

    def update_state(self) -> None:
        self.not_answered.setEnabled(self.flow.callback_here())


class FaqAnswer(DetailScreen):
    screen_id = "consult.faq.answer"
    list_screen = "consult.faq"
    flow: FaqFlow

    def __init__(self, window: MainWindow, flow: FaqFlow) -> None:
        super().__init__(window, flow)
        self.print_button.hide()  # an answer is read here; the guide prints checklists
        self.not_answered = self.add_action("action.not_answered", self._not_answered_text,
                                            flow.not_answered, role="secondary")
        self.refresh()

    def title_text(self) -> Said:
        return self.tr("12366 answer")

    def _not_answered_text(self) -> Said:
        return (self.tr("Not answered? Ask 12366 to call you back") if self.flow.callback_here()
                else self.tr("Not answered? Call 12366 or ask at the advice counter"))

    def view(self) -> ResultView | None:
        service: FaqService | None = self.flow.service
        if service is None or self.flow.selected is None:
            return None
        return service.answer(self.flow.selected, self.lang())

    def update_state(self) -> None:
        super().update_state()
        button = getattr(self, "not_answered", None)  # None while the base class builds
        if button is not None:
            button.setEnabled(self.flow.callback_here())


FLOW = FaqFlow
SCREENS = (FaqSearch, FaqAnswer)

# `make screenshots` (kiosk/scenario/screenshots.py): a search, then an answer.
SHOTS = [("open", "consult.faq"), ("expect_screen", "consult.faq"),
         ("type", {"into": "field.search", "text": "lj"}), ("settle", None),
         ("shot", "consult.faq"), ("tap", "result.1"),
         ("expect_screen", "consult.faq.answer"), ("shot", "consult.faq.answer")]
