"""Screens of `residence.certificate` 中国税收居民身份证明: the application form in two
steps (year `year.<YYYY>` and country or region `country.<key>`, with
`field.country_other` for another; then the reason `reason.<key>` and the income types
`income.<key>`, one or more; `action.confirm` on each), then the
saved screen with the application number and the expected date while the 受理回执
prints. The application is queued (kiosk.services.residence): the same ending online
and offline; `progress.query` lists it once synced."""
from __future__ import annotations

from functools import partial
from typing import Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from kiosk.services.residence import (
    COUNTRIES,
    COUNTRY_MAX,
    INCOME_TYPES,
    REASONS,
    ResidenceQueued,
    country_name,
    years,
)
from kiosk.services.views import pick
from ui.flow.base import Said
from ui.flow.fields import FieldSpec, Kind
from ui.flow.flow import ServiceFlow
from ui.flow.form import FormScreen
from ui.flow.notice import QueuedScreen
from ui.flow.text import Both, Msg, Plain
from ui.theme import Space
from ui.widgets.adaptive import ColumnsLayout
from ui.widgets.buttons import make_button
from ui.widgets.scroll_column import scrolling

ENTRY = "residence.certificate"
DETAILS = "residence.certificate.details"
SAVED = "residence.certificate.queued"


class ResidenceFlow(ServiceFlow):
    errors: ClassVar[dict[type[BaseException], str]] = {}

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.clear_form = False  # set once saved: the next form starts empty
        self.last: ResidenceQueued | None = None
        self.year: int | None = None  # step 1's answers
        self.country: str | None = None

    def country_text(self, lang: str) -> str:
        """The chosen country in the taxpayer's language (a typed one as typed)."""
        country = self.country or ""
        return next((pick(v, lang) for v in COUNTRIES.values() if v[0] == country), country)

    def submit(self, *, year: int, country: str, reason: str, income: list[str]) -> None:
        service = self.service
        if service is None:
            return
        self.set_error(None)
        self.run(lambda: service.submit(year=year, country=country, reason=reason,
                                        income_types=income), self._queued)

    def _queued(self, queued: ResidenceQueued) -> None:
        self.last = queued
        self.clear_form = True
        service, lang = self.service, self.lang()
        self.accept_queued(queued.record_uuid, SAVED, lambda: service.confirm_shown(queued),
                           lambda: service.print_slip(queued, lang))


class ResidenceForm(FormScreen):
    """Step 1: the year and the country or region."""

    screen_id = ENTRY
    flow: ResidenceFlow

    def __init__(self, window: Any, flow: ResidenceFlow) -> None:
        today = flow.service.today() if flow.service is not None else None
        offered = years(today) if today is not None else ("2025",)
        # The years offered follow the date: this form's fields are built per session.
        self.fields = (  # type: ignore[misc]
            FieldSpec("year", Kind.CHOICE, choices=offered, columns=4),
            FieldSpec("country", Kind.CHOICE, choices=tuple(COUNTRIES), columns=2),
            FieldSpec("country_other", Kind.TEXT, COUNTRY_MAX))
        super().__init__(window, flow)
        self.error = self.bind(self.text_label("label.error", role="error"),
                               lambda: flow.error, hide_empty=True)
        self.layout_.insertWidget(1, self.error)
        self.intro = self.bind(self.text_label("label.instruction", role="subtitle"),
                               lambda: self.tr(
                                   "Apply for a certificate of Chinese tax residence, e.g. to "
                                   "claim tax treaty benefits abroad. The tax office reviews "
                                   "the application; you get a receipt with its number."))
        self.layout_.insertWidget(1, self.intro)
        # Nothing here is typed on the keypad (the country's name uses the system's
        # input method): its room goes to the choices.
        self.keypad.hide()
        self.refresh()

    def on_enter(self) -> None:
        if self.flow.clear_form:
            for edit in self.inputs.values():
                edit.clear()
            self.errors.clear()
            self.choices = {f.name: f.choices[0] for f in self.fields if f.choices}
            self._show_fields()
        super().on_enter()

    def visible_fields(self) -> set[str]:
        return {"country_other"} if self.choices.get("country") == "other" else set()

    def title_text(self) -> Said:
        return self.tr("Tax residence certificate: application")

    def prompt_text(self, name: str) -> Said:
        if name == "year":
            return self.tr("For which year?")
        return self.tr("To show in which country or region?")

    def choice_text(self, name: str, value: str) -> Said:
        return Plain(value) if name == "year" else Both(*COUNTRIES[value])

    def field_text(self, name: str) -> Said:
        return self.tr("Country or region")

    def confirm_text(self) -> Said:
        return self.tr("Next")

    def submit(self, values: dict[str, str]) -> dict[str, str]:
        country = country_name(values["country"], values.get("country_other", ""))
        if not country:
            return {"country_other": "required"}
        self.flow.year, self.flow.country = int(values["year"]), country
        self.flow.set_error(None)
        self.flow.go(DETAILS)
        return {}


class ResidenceDetails(FormScreen):
    """Step 2: the reason and the kinds of income (one or more), then submit."""

    screen_id = DETAILS
    fields = (FieldSpec("reason", Kind.CHOICE, choices=tuple(REASONS), columns=1),)
    flow: ResidenceFlow

    def __init__(self, window: Any, flow: ResidenceFlow) -> None:
        self.income: set[str] = set()
        self.income_error: str | None = None
        super().__init__(window, flow)
        # The income types: any number of them, as toggles under the reason.
        prompt = self.bind(self.text_label("label.income_prompt"),
                           lambda: self.tr("Which income is it for? (one or more)"))
        grid = ColumnsLayout(2)
        grid.setSpacing(window.units.px(Space.S))
        self.income_buttons: dict[str, QPushButton] = {}
        for key in INCOME_TYPES:
            button = make_button("", f"income.{key}", role="secondary")
            button.setCheckable(True)
            button.clicked.connect(partial(self._toggle, key))
            self.bind(button, partial(lambda k: Both(*INCOME_TYPES[k]), key))
            grid.addWidget(button)
            self.income_buttons[key] = button
        self.income_error_label = self.bind(
            self.text_label("error.income", role="error"),
            lambda: Msg(self.income_error) if self.income_error else None, hide_empty=True)
        at = self._fields_column.count() - 1  # before the stretch
        self._fields_column.insertWidget(at, prompt)
        self._fields_column.insertLayout(at + 1, grid)
        self._fields_column.insertWidget(at + 2, self.income_error_label)
        self.error = self.bind(self.text_label("label.error", role="error"),
                               lambda: flow.error, hide_empty=True)
        self.layout_.insertWidget(1, self.error)
        self.keypad.hide()  # nothing to type on this step
        self.back = self.bind(make_button("", "action.back_to_country", role="secondary"),
                              lambda: self.tr("Back to year and country"))
        self.back.clicked.connect(lambda: flow.go(ENTRY))
        self._keys_column.addWidget(self.back)
        self.refresh()

    def _toggle(self, key: str, _checked: bool = False) -> None:
        if key in self.income:
            self.income.discard(key)
        else:
            self.income.add(key)
        self.income_error = None
        self.refresh()

    def on_enter(self) -> None:
        if self.flow.clear_form:
            self.flow.clear_form = False
            self.income.clear()
            self.income_error = None
            self.choices = {f.name: f.choices[0] for f in self.fields if f.choices}
        super().on_enter()

    def title_text(self) -> Said:
        flow = self.flow
        if flow.country is None:
            return self.tr("Tax residence certificate: application")
        return Plain(f"{flow.year} · {flow.country_text(self.lang())}")

    def prompt_text(self, name: str) -> Said:
        return self.tr("Why do you need it?")

    def choice_text(self, name: str, value: str) -> Said:
        return Both(*REASONS[value])

    def confirm_text(self) -> Said:
        return self.tr("Submit the application")

    def submit(self, values: dict[str, str]) -> dict[str, str]:
        flow = self.flow
        if not self.income:
            self.income_error = "residence.income"
            self.refresh()
            return {}
        if flow.year is None or flow.country is None:
            flow.go(ENTRY)
            return {}
        flow.submit(year=flow.year, country=flow.country, reason=values["reason"],
                    income=sorted(self.income))
        return {}

    def update_state(self) -> None:
        super().update_state()
        for key, button in getattr(self, "income_buttons", {}).items():
            button.setChecked(key in self.income)


class ResidenceSaved(QueuedScreen):
    screen_id = SAVED
    flow: ResidenceFlow

    def add_details(self) -> None:
        super().add_details()
        self.details = self.bind(self.text_label("label.details"), self._details)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        # Long detail rows scroll instead of growing the screen past the panel.
        self.texts.addWidget(scrolling(self.details, "area.details",
                                       units=self.window_.units), 1)

    def title_text(self) -> Said:
        return self.tr("Application accepted")

    def body_text(self) -> Said:
        if self.flow.last is None:
            return None
        return self.tr("Your application is registered under the number below. This "
                       "terminal sends it to the tax office at once, or as soon as the "
                       "network is back; the number stays the same.")

    def reference_text(self) -> Said:
        queued = self.flow.last
        if queued is None:
            return None
        return Plain(f"{pick(('申请编号', 'Application no.'), self.lang())}: {queued.number}")

    def _details(self) -> Said:
        queued, service = self.flow.last, self.flow.service
        if queued is None or service is None:
            return None
        view = service.view(queued, self.lang())  # the notes are on the receipt
        return Plain("\n".join(f"{r.label}: {r.value}" for r in view.rows
                               if r.key != "number"))

    def again_text(self) -> Said:
        return self.tr("Another application")


FLOW = ResidenceFlow
SCREENS = (ResidenceForm, ResidenceDetails, ResidenceSaved)

# `make screenshots`: an application for Singapore under the treaty, up to its receipt
# (after the upload, so no upload banner).
SHOTS = [("open", "residence.certificate"), ("expect_screen", "identity.login"),
         ("id_card", {}), ("expect_screen", "residence.certificate"), ("tap", "country.sg"),
         ("shot", "residence.certificate"), ("tap", "action.confirm"),
         ("expect_screen", "residence.certificate.details"), ("tap", "reason.treaty"),
         ("tap", "income.dividends"), ("tap", "income.interest"),
         ("shot", "residence.certificate.details"), ("tap", "action.confirm"),
         ("expect_screen", "residence.certificate.queued"), ("sync", {}), ("settle", None),
         ("shot", "residence.certificate.queued"),
         ("tap", "action.logout"), ("id_card", "remove"), ("tap", "action.start")]
