"""Screens of `consult.ticket` 工单查询: type the 工单号 from a callback slip, see its
status and the 12366 replies (online-only; the number is checked locally first)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiosk.services.ticket import Ticket, TicketError, parse_typed
from kiosk.services.views import ResultView
from ui.flow.base import Said
from ui.flow.fields import FieldSpec, Kind
from ui.flow.flow import ServiceFlow
from ui.flow.form import FormScreen
from ui.flow.outcome import OutcomeScreen


class TicketFlow(ServiceFlow):
    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.ticket: Ticket | None = None
        # A number to fill in when the form shows next (a callback just requested).
        self.prefill: str | None = None

    def look_up(self, typed: str) -> None:
        service = self.service
        self.set_error(None)
        self.run(lambda: service.look_up(typed), self._found)

    def _found(self, ticket: Ticket) -> None:
        self.ticket = ticket
        self.go("consult.ticket.result")
        self.changed.emit()

    def handle_scan(self, text: str) -> None:
        """A callback slip's QR (TAXKIOSK:TICKET:<number>) looks its ticket up."""
        try:
            number = parse_typed(text)
        except TicketError as exc:
            self.fail(exc)
            return
        self.go("consult.ticket")
        self.look_up(number)


class TicketForm(FormScreen):
    screen_id = "consult.ticket"
    fields = (FieldSpec("number", Kind.DIGITS, 12),)
    flow: TicketFlow

    def __init__(self, window: Any, flow: TicketFlow) -> None:
        super().__init__(window, flow)
        self.status = self.bind(self.text_label("label.status", role="subtitle"),
                                lambda: self.tr("Looking it up, please wait…")
                                if flow.busy else "")
        self.error = self.bind(self.text_label("label.error", role="error"),
                               lambda: flow.error, hide_empty=True)
        self.layout_.insertWidget(1, self.error)
        self.layout_.insertWidget(1, self.status)
        self.refresh()

    def on_enter(self) -> None:
        number, self.flow.prefill = self.flow.prefill, None
        if number:
            self.inputs["number"].setText(number.removeprefix("GD"))
            self.errors.pop("number", None)
        super().on_enter()

    def title_text(self) -> Said:
        return self.tr("Look up a 12366 ticket")

    def field_text(self, name: str) -> Said:
        return self.tr("Ticket number: the 12 digits after GD on your slip")

    def confirm_text(self) -> Said:
        return self.tr("Look up")

    def check(self, name: str, value: str) -> str | None:
        problem = super().check(name, value)
        if problem is None and len(value) == 12:
            try:
                parse_typed(value)
            except TicketError as exc:
                return exc.code
        elif problem is None and value and len(value) != 12:
            return "ticket.invalid"
        return problem

    def submit(self, values: dict[str, str]) -> dict[str, str]:
        self.flow.look_up(values["number"])
        return {}


class TicketResult(OutcomeScreen):
    screen_id = "consult.ticket.result"
    flow: TicketFlow

    def title_text(self) -> Said:
        return self.tr("Your 12366 ticket")

    def view(self) -> ResultView | None:
        ticket, service = self.flow.ticket, self.flow.service
        if ticket is None or service is None:
            return None
        return service.view(ticket, self.lang())

    def print_job(self) -> Callable[[], object] | None:
        ticket, service, lang = self.flow.ticket, self.flow.service, self.lang()
        if ticket is None or service is None:
            return None
        return lambda: service.print_ticket(ticket, lang)


FLOW = TicketFlow
SCREENS = (TicketForm, TicketResult)

# `make screenshots`: shot by consult.callback's SHOTS (a ticket needs a request first).
SHOTS: list[tuple[str, object]] = []
