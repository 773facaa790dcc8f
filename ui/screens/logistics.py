"""Logistics mode (issue #12 §2): a staff screen opened from maintenance mode for the
roles kiosk.staff.roles allows (`stock_loading`, `courier_dispatch`,
`dispenser_reconciliation` for logistics staff; `reconciliation_clear` for a
technician). Three parts, one at a time:

- Load stock (`action.logistics.load`): scan each box label (FPBOX, or the bureau's
  format); the central checks the range against this hall's allocation, overlaps are
  refused; the cassette levels (`label.cassette.<slot>`) update.
- Courier (`action.logistics.courier`): the hall's 邮寄 applications (`item.<no>`);
  scan the waybill, `action.dispatch` issues the invoices, the packing slip prints,
  the record is queued and the application leaves the list.
- Reconcile (`action.logistics.reconcile`): per cassette loaded = issued + remaining
  (`label.reconcile.<slot>`, red with a difference, which blocks the cassette),
  audited; `action.print_report` prints the A4 report; a technician clears a block
  (`action.clear.<slot>`, audited).

Every step runs in the background and is authorised and audited through the staff
mode (figures only, no personal data in the audit).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk.services import scans
from kiosk.services.catalogue import ScanKind
from kiosk.services.logistics import (
    CassetteFigures,
    LogisticsService,
    figures_summary,
    stock_text,
)
from kiosk.services.pickup import Box, Order, PickupOutcome, pickup_text
from kiosk.staff.errors import StaffAuthError
from ui.messages import message
from ui.ops import Op
from ui.theme import Space
from ui.widgets.buttons import make_button

from .base import Screen

if TYPE_CHECKING:
    from ui.main_window import MainWindow

SCREEN_ID = "logistics"
MODES = ("load", "courier", "reconcile")


class LogisticsScreen(Screen):
    screen_id = SCREEN_ID
    staff_screen = True
    accepts_scans = True
    idle_kind = "form"
    box_event = Signal(int, int, object)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        staff = window.staff
        assert staff is not None and window.core is not None
        self.staff = staff
        from kiosk.services.logistics import build

        self.service: LogisticsService = build(window.core)
        u = window.units
        self.mode = "load"
        self.busy = False
        self.status: tuple[str, bool] | None = None  # (text, is_error)
        self.cassettes: list[Any] = []
        self.blocked: dict[int, str] = {}
        self.orders: list[Order] | None = None
        self.chosen: Order | None = None
        self.waybill = ""
        self.figures: list[CassetteFigures] | None = None
        self.box_event.connect(self._on_box)

        self.title = self.title_label("label.title")
        self.layout_.addWidget(self.title)
        modes = QHBoxLayout()
        modes.setSpacing(u.px(Space.M))
        self.mode_buttons: dict[str, QPushButton] = {}
        for mode in MODES:
            button = make_button("", f"action.logistics.{mode}", role="secondary")
            button.setCheckable(True)
            button.clicked.connect(lambda _=False, m=mode: self.set_mode(m))
            modes.addWidget(button, 1)
            self.mode_buttons[mode] = button
        self.layout_.addLayout(modes)
        self.hint = self.text_label("label.hint", role="subtitle")
        self.status_label = self.text_label("label.status")
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.layout_.addWidget(self.hint)
        self.layout_.addWidget(self.status_label)
        holder = QWidget()
        self.content = QVBoxLayout(holder)
        self.content.setContentsMargins(0, 0, u.px(2), 0)
        self.content.setSpacing(u.px(Space.S))
        self.area = QScrollArea()
        self.area.setObjectName("area.logistics")
        self.area.setWidget(holder)
        self.area.setWidgetResizable(True)
        self.area.setFrameShape(QFrame.Shape.NoFrame)
        self.area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.layout_.addWidget(self.area, 1)
        actions = QHBoxLayout()
        actions.setSpacing(u.px(Space.M))
        self.dispatch_button = make_button("", "action.dispatch", role="primary")
        self.dispatch_button.clicked.connect(self.dispatch)
        self.report_button = make_button("", "action.print_report", role="primary")
        self.report_button.clicked.connect(self.print_report)
        self.back = make_button("", "action.back_maintenance", role="secondary")
        self.back.clicked.connect(lambda: window.show_screen("maintenance", remember=False))
        for b in (self.dispatch_button, self.report_button, self.back):
            actions.addWidget(b, 1)
        self.layout_.addLayout(actions)
        self.retranslate()

    # -- helpers -----------------------------------------------------------------------
    def lang(self) -> str:
        return self.window_.language

    def _staff_id(self) -> str:
        session = self.staff.session
        return session.staff_id if session is not None else ""

    def _run(self, work: Any, done: Any) -> None:
        if self.busy:
            return
        self.busy = True
        self._render()

        def ok(result: Any) -> None:
            self.busy = False
            done(result)
            self._render()

        def bad(exc: Exception) -> None:
            self.busy = False
            self.status = (self._error(exc), True)
            self._render()

        Op(self, work).success(ok).failure(bad).run_in_background()

    def _error(self, exc: BaseException) -> str:
        code = getattr(exc, "code", None)
        lang = self.lang()
        if isinstance(exc, StaffAuthError):
            return message(exc.code)
        if isinstance(code, str) and code.startswith("pickup."):
            return pickup_text(code, lang)
        if isinstance(code, str) and (code.startswith(("stock.", "courier."))
                                      or code == "service.network"):
            return stock_text(code, lang)
        if isinstance(code, str) and code:
            return message(code)
        return message("internal")

    # -- modes -------------------------------------------------------------------------
    def on_enter(self) -> None:
        self.set_mode(self.mode)

    def set_mode(self, mode: str) -> None:
        if self.busy:
            self._render()
            return
        self.mode, self.status = mode, None
        if mode == "load":
            self._refresh_cassettes()
        elif mode == "courier":
            self.chosen, self.waybill = None, ""
            self._load_orders()
        else:
            self._reconcile()
        self._render()

    def _refresh_cassettes(self) -> None:
        service = self.service
        self._run(lambda: (service.cassettes(), service.blocks()), self._got_cassettes)

    def _got_cassettes(self, result: tuple[list[Any], dict[int, str]]) -> None:
        self.cassettes, self.blocked = result

    # -- scans -------------------------------------------------------------------------
    def scan_not_taken(self, text: str, error: str | None,
                       unavailable: str | None = None) -> None:
        self.handle_scan(text)

    def handle_scan(self, text: str) -> None:
        if self.mode == "load":
            self.load_box(text)
        elif self.mode == "courier":
            scan = scans.classify(text)
            if scan.kind is ScanKind.WAYBILL and scan.error is None:
                self.waybill = scan.detail.get("number", "")
                self.status = None
            else:
                self.status = (self.tr("This is not a courier waybill."), True)
            self._render()

    def load_box(self, text: str) -> None:
        service, staff, staff_id = self.service, self.staff, self._staff_id()

        def work() -> Any:
            staff.authorize("stock_loading")
            loaded = service.load_box(text, staff_id)
            label = loaded.label
            staff.record("stock_loading", {"slot": loaded.cassette.slot,
                                           "invoice_kind": label.invoice_kind,
                                           "code": label.code, "first": label.first,
                                           "last": label.last})
            return loaded, service.cassettes(), service.blocks()

        def done(result: Any) -> None:
            loaded, self.cassettes, self.blocked = result
            label = loaded.label
            self.status = (self.tr("Loaded into cassette %1: %2 %3 %4-%5 (%6 pieces).")
                           .replace("%1", str(loaded.cassette.slot))
                           .replace("%2", label.invoice_kind).replace("%3", label.code)
                           .replace("%4", f"{label.first:08d}")
                           .replace("%5", f"{label.last:08d}")
                           .replace("%6", str(label.count)), False)

        self._run(work, done)

    # -- courier -----------------------------------------------------------------------
    def _load_orders(self) -> None:
        service, staff = self.service, self.staff

        def work() -> list[Order]:
            staff.authorize("courier_dispatch")
            return service.courier_orders()

        def done(orders: list[Order]) -> None:
            self.orders = orders

        self._run(work, done)

    def choose(self, order: Order) -> None:
        self.chosen, self.waybill, self.status = order, "", None
        self._render()

    def dispatch(self) -> None:
        order, waybill = self.chosen, self.waybill
        service, staff, lang = self.service, self.staff, self.lang()
        if order is None or not waybill:
            return

        def on_box(index: int, count: int, box: Box | None) -> None:
            self.box_event.emit(index, count, box)

        def work() -> tuple[PickupOutcome, str | None]:
            staff.authorize("courier_dispatch")
            outcome = service.dispatch(order, waybill, on_box=on_box)
            staff.record("courier_dispatch", {"application_no": order.application_no,
                                              "waybill": waybill, "pieces": outcome.taken})
            printed = None
            try:
                service.print_packing_slip(order, outcome, waybill, lang)
            except Exception as exc:  # noqa: BLE001 - dispatched anyway: say why no slip
                printed = getattr(exc, "code", "failure")
            return outcome, printed

        def done(result: tuple[PickupOutcome, str | None]) -> None:
            outcome, printed = result
            self.orders = [o for o in self.orders or () if o.application_no != order.application_no]
            self.chosen, self.waybill = None, ""
            text = self.tr("Dispatched %1: %2 pieces, waybill %3.").replace(
                "%1", order.application_no).replace("%2", str(outcome.taken)).replace(
                "%3", waybill)
            text += " " + (self.tr("Packing slip printed.") if printed is None
                           else message(printed))
            self.status = (text, False)

        self._run(work, done)

    def _on_box(self, index: int, count: int, box: object) -> None:
        if isinstance(box, Box):
            self.status = (self.tr("Take box %1 of %2 from the slot.").replace(
                "%1", str(index + 1)).replace("%2", str(count)), False)
        else:
            self.status = (self.tr("Issuing box %1 of %2…").replace(
                "%1", str(index + 1)).replace("%2", str(count)), False)
        self._render()

    # -- reconciliation ------------------------------------------------------------------
    def _reconcile(self, *, keep_status: bool = False) -> None:
        """`keep_status`: a status set just before (a block cleared) stays unless
        this reconciliation blocks something."""
        service, staff = self.service, self.staff

        def work() -> tuple[list[CassetteFigures], list[int]]:
            staff.authorize("dispenser_reconciliation")
            figures = service.reconcile()
            blocked = service.block(figures)
            staff.record("dispenser_reconciliation", {**figures_summary(figures),
                                                      "blocked": blocked})
            return service.reconcile(), blocked  # again: the blocks now show

        def done(result: tuple[list[CassetteFigures], list[int]]) -> None:
            self.figures, blocked = result
            if blocked:
                self.status = (self.tr("Difference found: cassette(s) %1 blocked until a "
                                       "technician clears them.").replace(
                                           "%1", ", ".join(map(str, blocked))), True)
            elif not keep_status:
                self.status = None

        self._run(work, done)

    def print_report(self) -> None:
        figures, service, lang, staff_id = self.figures, self.service, self.lang(), \
            self._staff_id()
        if figures is None:
            return

        def work() -> None:
            service.print_report(service.report_document(figures, lang, staff_id))

        def done(_r: object) -> None:
            self.status = (self.tr("Reconciliation report printed on the A4 printer."), False)

        self._run(work, done)

    def clear(self, slot: int) -> None:
        service, staff, staff_id = self.service, self.staff, self._staff_id()

        def work() -> bool:
            staff.authorize("reconciliation_clear")
            cleared = service.clear(slot, staff_id)
            staff.record("reconciliation_clear", {"slot": slot, "cleared": cleared})
            return cleared

        def done(_cleared: bool) -> None:
            self.status = (self.tr("Cassette %1 cleared.").replace("%1", str(slot)), False)
            self.busy = False
            self._reconcile(keep_status=True)

        self._run(work, done)

    # -- rendering -----------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title.setText(self.tr("Logistics"))
        for mode, text in (("load", self.tr("Load stock")), ("courier", self.tr("Courier")),
                           ("reconcile", self.tr("Reconcile"))):
            self.mode_buttons[mode].setText(text)
            self.mode_buttons[mode].setAccessibleName(text)
        for button, text in ((self.dispatch_button, self.tr("Dispense for the courier")),
                             (self.report_button, self.tr("Print the A4 report")),
                             (self.back, self.tr("Back to maintenance"))):
            button.setText(text)
            button.setAccessibleName(text)
        self._render()

    def _clear_content(self) -> None:
        while self.content.count():
            item = self.content.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()

    def _add(self, widget: QWidget) -> None:
        self.content.addWidget(widget)
        widget.show()

    def _line(self, name: str, text: str, role: str = "body") -> QLabel:
        label = self.text_label(name, role)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setText(text)
        self._add(label)
        return label

    def _render(self) -> None:
        may = {m: self.staff.may(a) for m, a in (("load", "stock_loading"),
                                                  ("courier", "courier_dispatch"),
                                                  ("reconcile", "dispenser_reconciliation"))}
        may["reconcile"] = may["reconcile"] or self.staff.may("reconciliation_clear")
        for mode, button in self.mode_buttons.items():
            button.setChecked(mode == self.mode)
            button.setEnabled(may[mode] and not self.busy)
        self.hint.setText({
            "load": self.tr("Scan the label of each invoice box you put into the dispenser."),
            "courier": self.tr("Choose an application, scan the courier waybill, then "
                               "dispense and pack the invoices."),
            "reconcile": self.tr("Per cassette: loaded = taken + retracted + in slot + "
                                 "remaining."),
        }[self.mode])
        if self.busy and self.status is None:
            self.status_label.setText(self.tr("Please wait…"))
        else:
            self.status_label.setText(self.status[0] if self.status else "")
        self.status_label.setProperty("role", "error" if self.status and self.status[1]
                                      else "subtitle")
        self.status_label.style().unpolish(self.status_label)
        self.status_label.style().polish(self.status_label)
        self.status_label.setVisible(bool(self.status_label.text()))
        self._clear_content()
        getattr(self, f"_render_{self.mode}")()
        self.content.addStretch(1)
        self.dispatch_button.setVisible(self.mode == "courier")
        self.dispatch_button.setEnabled(not self.busy and self.chosen is not None
                                        and bool(self.waybill))
        self.report_button.setVisible(self.mode == "reconcile")
        self.report_button.setEnabled(not self.busy and self.figures is not None)
        self.back.setEnabled(not self.busy)

    def _cassette_text(self, c: Any) -> str:
        if not c.kind:
            return self.tr("Cassette %1: empty").replace("%1", str(c.slot))
        return (self.tr("Cassette %1: %2 %3 %4-%5, next %6, remaining %7")
                .replace("%1", str(c.slot)).replace("%2", c.kind_name).replace("%3", c.code)
                .replace("%4", f"{c.first:08d}").replace("%5", f"{c.last:08d}")
                .replace("%6", f"{c.next_no:08d}").replace("%7", str(c.remaining)))

    def _render_load(self) -> None:
        for c in self.cassettes:
            text = self._cassette_text(c)
            blocked = self.blocked.get(c.slot)
            if blocked:
                text += "\n" + self.tr("Blocked: %1").replace("%1", blocked)
            self._line(f"label.cassette.{c.slot}", text, "error" if blocked else "body")

    def _render_courier(self) -> None:
        if self.orders is not None and not self.orders:
            self._line("label.empty", self.tr("No courier applications are waiting."), "muted")
        for order in self.orders or ():
            button = make_button("", f"item.{order.application_no}", role="secondary")
            button.setCheckable(True)
            button.setChecked(self.chosen is order)
            text = f"{order.application_no} · {order.invoice_kind} · {order.quantity}"
            if order.refusal:
                text += " · " + pickup_text(order.refusal, self.lang())
            button.setText(text)
            button.setAccessibleName(text)
            button.setEnabled(not self.busy and order.refusal is None)
            button.clicked.connect(lambda _=False, o=order: self.choose(o))
            self._add(button)
        if self.chosen is not None:
            self._line("label.waybill",
                       self.tr("Waybill: %1").replace("%1", self.waybill) if self.waybill
                       else self.tr("Scan the courier waybill for %1.").replace(
                           "%1", self.chosen.application_no), "subtitle")

    def _render_reconcile(self) -> None:
        technician = self.staff.may("reconciliation_clear")
        for f in self.figures or ():
            text = (self.tr("Cassette %1 (%2 %3): loaded %4 = taken %5 + retracted %6 + "
                            "in slot %7 + remaining %8")
                    .replace("%1", str(f.slot)).replace("%2", f.invoice_kind)
                    .replace("%3", f.code).replace("%4", str(f.loaded))
                    .replace("%5", str(f.taken)).replace("%6", str(f.retracted))
                    .replace("%7", str(f.in_slot)).replace("%8", str(f.remaining)))
            pickups = len({j.get("pickup") for j in f.jobs if j.get("dispensed")})
            text += "\n" + self.tr("%1 pickups and dispatches").replace("%1", str(pickups))
            if not f.ok:
                text += "\n" + self.tr("Difference %1: the device counted %2, the journal %3.") \
                    .replace("%1", str(f.difference)).replace("%2", str(f.left_device)) \
                    .replace("%3", str(f.left_journal))
            if f.blocked:  # the stored reason is a log line; the figures are above
                text += "\n" + self.tr("Blocked until a technician checks and clears it.")
            self._line(f"label.reconcile.{f.slot}", text,
                       "error" if not f.ok or f.blocked else "body")
            if f.blocked and technician:
                button = make_button("", f"action.clear.{f.slot}", role="danger")
                button.setText(self.tr("Clear the block of cassette %1").replace(
                    "%1", str(f.slot)))
                button.setAccessibleName(button.text())
                button.setEnabled(not self.busy)
                button.clicked.connect(lambda _=False, s=f.slot: self.clear(s))
                self._add(button)


__all__ = ["LogisticsScreen", "SCREEN_ID"]
