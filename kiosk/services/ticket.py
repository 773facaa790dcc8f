"""Use case `consult.ticket`: look a 12366 callback ticket up by its 工单号 (Qt-free).

Offline policy: online-only (the replies live at the central service). The number is
checked locally first (shape and check digit), so a typo is refused beside the field
without a call. The answer shows the ticket's status, topic and the staff's replies,
never a phone number (the central service does not send one).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from offline_queue.payloads import TICKET_PREFIX, normalise_number, number_shape_ok

from ..central_client import CentralClient, CentralRejected, CentralUnavailable
from ..connectivity import Connectivity
from ..domain.errors import DomainError
from .callback import TICKET_QR_PREFIX, TOPICS, WINDOWS
from .slips import PrintFailed, SlipPrinter
from .views import ResultView, Row, pick

if TYPE_CHECKING:
    from .context import ServiceContext

SERVICE_ID = "consult.ticket"

STATUSES: dict[str, tuple[str, str]] = {
    "open": ("已受理，等待回电", "Received: waiting for the call back"),
    "answered": ("已答复", "Answered"),
    "closed": ("已办结", "Closed"),
}
LABELS: dict[str, tuple[str, str]] = {
    "ticket": ("工单号", "Ticket number"),
    "topic": ("咨询类别", "Topic"),
    "window": ("回电时段", "When to call"),
    "asked_on": ("提交日期", "Asked on"),
    "reply": ("答复", "Reply"),
    "no_reply": ("暂无答复。", "No reply yet."),
}


class TicketError(DomainError):
    """A look-up that cannot be answered: `code` is a ui/messages.py code
    (ticket.invalid, ticket.unknown, ticket.ambiguous, ticket.busy, service.network)."""


@dataclass(frozen=True)
class Ticket:
    number: str
    status: str
    topic: str
    window: str
    asked_on: str
    replies: tuple[tuple[str, str], ...]  # (at, body)


def parse_typed(typed: str) -> str:
    """The 工单号 as printed ("GD" + 12 digits), from what was typed or scanned
    (digits alone, spaces, a slip's QR); TicketError(ticket.invalid) otherwise."""
    text = typed.strip()
    if text.upper().startswith(TICKET_QR_PREFIX):
        text = text[len(TICKET_QR_PREFIX):]
    number = normalise_number(TICKET_PREFIX, text)
    if not number_shape_ok(TICKET_PREFIX, number):
        raise TicketError("not a ticket number", "ticket.invalid")
    return number


class TicketService:
    service_id = SERVICE_ID

    def __init__(self, *, central: CentralClient, connectivity: Connectivity,
                 slips: SlipPrinter | None = None) -> None:
        self._central = central
        self._connectivity = connectivity
        self._slips = slips

    def look_up(self, typed: str) -> Ticket:
        """Blocking: call from a worker thread."""
        number = parse_typed(typed)
        try:
            data = self._central.ticket(number)
        except CentralUnavailable:
            self._connectivity.mark_down()
            raise TicketError("the tax service cannot be reached", "service.network") from None
        except CentralRejected as exc:
            self._connectivity.mark_ok()
            code = exc.reason.split(":", 1)[0].strip()
            if exc.status == 429:
                raise TicketError("too many look-ups", "ticket.busy") from None
            if code in ("ticket.invalid", "ticket.ambiguous"):
                raise TicketError(exc.reason, code) from None
            raise TicketError(f"refused ({exc.status})", "central.rejected") from None
        self._connectivity.mark_ok()
        if data is None:
            raise TicketError("no such ticket", "ticket.unknown")
        return _ticket(data)

    @staticmethod
    def view(ticket: Ticket, lang: str) -> ResultView:
        def label(key: str) -> str:
            return pick(LABELS[key], lang)

        rows = [Row("ticket", label("ticket"), ticket.number),
                Row("topic", label("topic"), pick(TOPICS.get(ticket.topic, (ticket.topic,
                                                                          ticket.topic)), lang)),
                Row("window", label("window"),
                    pick(WINDOWS.get(ticket.window, (ticket.window, ticket.window)), lang)),
                Row("asked_on", label("asked_on"), ticket.asked_on)]
        rows += [Row(f"reply.{i}", f"{label('reply')} {at[:10]}", body)
                 for i, (at, body) in enumerate(ticket.replies, 1)]
        notes = () if ticket.replies else (label("no_reply"),)
        status = STATUSES.get(ticket.status, (ticket.status, ticket.status))
        return ResultView(pick(status, lang), "good" if ticket.replies else "neutral",
                          tuple(rows), notes)


    def print_ticket(self, ticket: Ticket, lang: str) -> None:
        """The ticket's status and replies on a slip (PrintFailed when it cannot)."""
        if self._slips is None:
            raise PrintFailed("no_hardware", "no receipt printer is configured")
        view = self.view(ticket, lang)
        self._slips.print_receipt(
            lang=lang, title=("12366 工单查询", "12366 ticket"),
            number_label=pick(LABELS["ticket"], lang), number=ticket.number,
            headline=view.title,
            rows=[(r.label, r.value) for r in view.rows if r.key != "ticket"],
            notes=list(view.notes))


def _ticket(data: dict[str, Any]) -> Ticket:
    try:
        replies = tuple((str(r["at"]), str(r["body"])) for r in data.get("replies", []))
        return Ticket(str(data["number"]), str(data["status"]), str(data["topic"]),
                      str(data["window"]), str(data["asked_on"]), replies)
    except (KeyError, TypeError) as exc:
        raise TicketError(f"unreadable answer: {type(exc).__name__}", "service.network") from None


def build(ctx: ServiceContext) -> TicketService:
    """The catalogue's factory for `consult.ticket`."""
    return TicketService(central=ctx.central, connectivity=ctx.connectivity,
                         slips=ctx.slips)
