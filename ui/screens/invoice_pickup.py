"""Screens of `invoice.pickup` 发票领取 (issue #12 §1): the identified taxpayer types the
取票码 (`field.pickup_code`, keypad; `action.confirm`), scans its QR (`PICKUP:<code>`,
the scan router brings it here) or picks one of their pending applications
(`item.<application_no>`). The order screen shows the application, the 验旧 rows
(`label.verify`), the caps (`label.caps`: 结存 / 本次最高可领 / 本月剩余, with the
reason when it is 0) and a refusal in words (`label.refusal`); `action.dispense`
issues the invoices box by box (`label.progress`), shows where to take them
("请取走发票 / Please take your invoices", `illustration.dispenser-tray`), and prints
the 领用凭条 by itself once the last box is taken (`label.receipt`).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QFrame, QPushButton, QVBoxLayout, QWidget

from kiosk.services import scans
from kiosk.services.catalogue import ScanKind
from kiosk.services.pickup import Box, Order, PickupOutcome, pickup_text
from ui.flow.base import FlowScreen, Said
from ui.flow.fields import FieldSpec, Kind
from ui.flow.flow import ServiceFlow
from ui.flow.form import FormScreen
from ui.flow.text import Both, Join, Msg, Plain, Tr
from ui.theme import Space, set_style_property
from ui.widgets.buttons import make_button
from ui.widgets.illustration import Illustration

ENTRY = "invoice.pickup"
ORDER = "invoice.pickup.order"
DISPENSE = "invoice.pickup.dispense"
_CTX = "InvoicePickup"
TAKE = QT_TRANSLATE_NOOP("InvoicePickup", "Please take your invoices")


class InvoicePickupFlow(ServiceFlow):
    # (index, count, Box or None) from the dispensing thread, delivered on the GUI thread.
    box_event = Signal(int, int, object)

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.orders: list[Order] | None = None
        self.order: Order | None = None
        self.phase: str | None = None  # None, "dispensing", "take", "done", "failed"
        self.box_index = 0
        self.box_count = 0
        self.boxes: list[Box] = []
        self.outcome: PickupOutcome | None = None
        self.receipt: str | None = None  # None, "printing", "printed" or a PrintFailed code
        self.box_event.connect(self._on_box)

    def error_text(self, exc: BaseException) -> Any:
        code = getattr(exc, "code", None)
        if isinstance(code, str) and code.startswith("pickup."):
            return Both(pickup_text(code, "zh"), pickup_text(code, "en"))
        return super().error_text(exc)

    # -- look-up -----------------------------------------------------------------------
    def load(self) -> None:
        service = self.service
        if service is None:
            return

        def loaded(orders: list[Order]) -> None:
            self.orders = orders
            self.changed.emit()

        def failed(exc: BaseException) -> None:
            self.orders = []
            self.set_error(self.error_text(exc))

        self.run(service.orders, loaded, failed)

    def look_up(self, code: str) -> None:
        service = self.service
        if service is None:
            return
        self.set_error(None)

        def found(orders: list[Order]) -> None:
            if orders:
                self.choose(orders[0])
            else:
                self.set_error(Both(pickup_text("pickup.unknown_code", "zh"),
                                    pickup_text("pickup.unknown_code", "en")))

        def failed(exc: BaseException) -> None:
            self.set_error(self.error_text(exc))
            self.go(ENTRY)

        self.run(lambda: service.orders(code), found, failed)

    def choose(self, order: Order) -> None:
        self.order = order
        self.phase, self.outcome, self.boxes, self.receipt = None, None, [], None
        self.set_error(None)
        self.go(ORDER)

    def handle_scan(self, text: str) -> None:
        scan = scans.classify(text)
        if scan.kind is ScanKind.PICKUP_CODE and scan.error is None and self.phase not in (
                "dispensing", "take"):
            self.look_up(scan.detail["code"])
        elif scan.kind is ScanKind.PICKUP_CODE:
            self.set_error(Msg("qr.slip_damaged"))

    # -- dispensing --------------------------------------------------------------------
    def dispense(self) -> None:
        service, order = self.service, self.order
        if service is None or order is None or order.refusal is not None or self.busy:
            return
        self.phase, self.boxes, self.box_index, self.box_count = "dispensing", [], 0, 0
        self.outcome, self.receipt = None, None
        self.set_error(None)
        self.go(DISPENSE)

        def on_box(index: int, count: int, box: Box | None) -> None:
            self.box_event.emit(index, count, box)  # queued to the GUI thread

        def done(outcome: PickupOutcome) -> None:
            self.outcome = outcome
            self.boxes = list(outcome.boxes)
            taken_all = bool(outcome.boxes) and all(b.taken for b in outcome.boxes)
            self.phase = "done" if taken_all else "failed"
            if not taken_all:
                self.error = Both(pickup_text("pickup.retracted", "zh"),
                                  pickup_text("pickup.retracted", "en"))
            self.changed.emit()
            if outcome.boxes and any(b.taken for b in outcome.boxes):
                self.print_receipt()

        def failed(exc: BaseException) -> None:
            self.phase = "failed"
            self.set_error(self.error_text(exc))

        self.run(lambda: service.dispense(order, on_box=on_box), done, failed)

    def _on_box(self, index: int, count: int, box: object) -> None:
        if self.phase not in ("dispensing", "take"):
            return
        self.box_index, self.box_count = index, count
        if isinstance(box, Box):
            self.boxes = [*self.boxes[:index], box]
            self.phase = "take"
        else:
            self.phase = "dispensing"
        self.changed.emit()

    def print_receipt(self) -> None:
        service, order, outcome, lang = self.service, self.order, self.outcome, self.lang()
        if service is None or order is None or outcome is None:
            return
        self.receipt = "printing"
        self.changed.emit()

        def printed(_r: object) -> None:
            self.receipt = "printed"
            self.changed.emit()

        def not_printed(exc: BaseException) -> None:
            code = getattr(exc, "code", None)
            self.receipt = code if isinstance(code, str) and code else "failure"
            self.changed.emit()

        self.background(lambda: service.print_receipt(order, outcome, lang), printed,
                        not_printed)


def _panel() -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setProperty("role", "panel")
    box = QVBoxLayout(frame)
    return frame, box


class PickupEntry(FormScreen):
    """The 取票码 on the keypad, or one of the pending applications."""

    screen_id = ENTRY
    fields = (FieldSpec("pickup_code", Kind.CODE, max_length=16),)
    flow: InvoicePickupFlow

    def __init__(self, window: Any, flow: InvoicePickupFlow) -> None:
        self._pending: dict[str, QPushButton] = {}
        super().__init__(window, flow)
        self.hint = self.bind(self.text_label("label.hint", role="subtitle"), self._hint)
        self.layout_.insertWidget(1, self.hint)
        self.status = self.bind(self.text_label("label.status", role="subtitle"),
                                lambda: self.tr("Please wait…") if flow.busy else None,
                                hide_empty=True)
        self.error = self.bind(self.text_label("label.error", role="error"),
                               lambda: flow.error, hide_empty=True)
        self.layout_.insertWidget(2, self.status)
        self.layout_.insertWidget(3, self.error)
        self.pending_title = self.bind(self.text_label("label.pending", role="subtitle"),
                                       self._pending_title, hide_empty=True)
        self._fields_column.insertWidget(self._fields_column.count() - 1, self.pending_title)
        self._pending_box = QVBoxLayout()
        self._pending_box.setSpacing(window.units.px(Space.S))
        self._fields_column.insertLayout(self._fields_column.count() - 1, self._pending_box)
        self.refresh()

    def title_text(self) -> Said:
        return self.tr("Collect paper invoices")

    def field_text(self, name: str) -> Said:
        return self.tr("Pickup code (取票码)")

    def confirm_text(self) -> Said:
        return self.tr("Look up")

    def _hint(self) -> Said:
        return self.tr("Type the pickup code from your application, scan its QR code, "
                       "or choose one of your applications below.")

    def _pending_title(self) -> Said:
        orders = self.flow.orders
        if orders is None:
            return None
        if not orders:
            return self.tr("You have no application to collect at this terminal.")
        return self.tr("Your applications to collect here:")

    def submit(self, values: dict[str, str]) -> dict[str, str]:
        self.flow.look_up(values["pickup_code"].strip().upper())
        return {}

    def on_enter(self) -> None:
        flow = self.flow
        if flow.orders is None and not flow.busy:
            flow.load()
        super().on_enter()

    def refresh(self) -> None:
        if hasattr(self, "_pending_box"):
            self._sync_pending()
        super().refresh()

    def _sync_pending(self) -> None:
        orders = self.flow.orders or []
        keys = [o.application_no for o in orders]
        for key in list(self._pending):
            if key not in keys:
                gone = self._pending.pop(key)
                gone.setParent(None)
                gone.deleteLater()
        for order in orders:
            button = self._pending.get(order.application_no)
            if button is None:
                button = make_button("", f"item.{order.application_no}", role="secondary")
                button.clicked.connect(lambda _=False, o=order: self.flow.choose(o))
                self._pending[order.application_no] = button
                self._pending_box.addWidget(button)
            unit = "份" if self.lang() == "zh" else "pcs"
            text = f"{order.application_no} · {order.invoice_kind} · {order.quantity} {unit}"
            button.setText(text)
            button.setAccessibleName(text)

    def update_state(self) -> None:
        super().update_state()
        for button in self._pending.values():
            button.setEnabled(not self.flow.busy)


class PickupOrderScreen(FlowScreen):
    """The application, 验旧, the caps, and the refusal or `action.dispense`."""

    screen_id = ORDER
    flow: InvoicePickupFlow

    def __init__(self, window: Any, flow: InvoicePickupFlow) -> None:
        super().__init__(window, flow)
        u = window.units
        self.title = self.bind(self.title_label("label.title"),
                               lambda: self.tr("Your invoice application"))
        self.application = self.bind(self.text_label("label.application", role="subtitle"),
                                     self._application)
        panel, box = _panel()
        pad = u.px(Space.M)
        box.setContentsMargins(pad, pad, pad, pad)
        self.verify_title = self.bind(self.text_label("label.verify_title", role="subtitle"),
                                      lambda: self.tr("Used invoices (验旧)"))
        self.verify = self.bind(self.text_label("label.verify"), self._verify)
        self.verify.setTextFormat(Qt.TextFormat.PlainText)
        self.caps_title = self.bind(self.text_label("label.caps_title", role="subtitle"),
                                    lambda: self.tr("Your limits"))
        self.caps = self.bind(self.text_label("label.caps"), self._caps, hide_empty=True)
        self.caps.setTextFormat(Qt.TextFormat.PlainText)
        for w in (self.verify_title, self.verify, self.caps_title, self.caps):
            box.addWidget(w)
        self.offline = self.bind(self.text_label("label.offline", role="warning"),
                                 self._offline, hide_empty=True)
        self.refusal = self.bind(self.text_label("label.refusal", role="error"),
                                 self._refusal, hide_empty=True)
        self.refusal.setTextFormat(Qt.TextFormat.PlainText)
        self.error = self.bind(self.text_label("label.error", role="error"),
                               lambda: flow.error, hide_empty=True)
        self.dispense = self.bind(make_button("", "action.dispense", role="primary"),
                                  lambda: self.tr("Collect the invoices"))
        self.dispense.clicked.connect(flow.dispense)
        for widget in (self.title, self.application, panel, self.offline, self.refusal,
                       self.error):
            self.layout_.addWidget(widget)
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.dispense)
        self.refresh()

    def _application(self) -> Said:
        order = self.flow.order
        if order is None:
            return None
        zh = self.lang() == "zh"
        return (f"申请号 {order.application_no}\n{order.invoice_kind} · 本次领取 {order.quantity} 份"
                if zh else f"Application {order.application_no}\n{order.invoice_kind} · "
                f"{order.quantity} pieces to collect")

    def _verify(self) -> Said:
        order = self.flow.order
        if order is None:
            return None
        lang = self.lang()
        rows = [r.text(lang) for r in order.verify_rows]
        return "\n".join([*rows, order.verify_summary(lang)])

    def _caps(self) -> Said:
        order = self.flow.order
        return order.caps.text(self.lang()) if order is not None and order.caps else None

    def _offline(self) -> Said:
        order = self.flow.order
        if order is None or not order.offline:
            return None
        return self.tr("The tax service cannot be reached: checked against this terminal's "
                       "copy of %1; the pickup is recorded when the link is back.").replace(
                           "%1", order.as_of)

    def _refusal(self) -> Said:
        order = self.flow.order
        if order is None or order.refusal is None:
            return None
        return Both(order.refusal_text("zh") or "", order.refusal_text("en") or "")

    def update_state(self) -> None:
        order = self.flow.order
        self.dispense.setVisible(order is not None and order.refusal is None)
        self.dispense.setEnabled(not self.flow.busy)


class DispenserTray(Illustration):
    """Where the invoices come out, captioned "请取走发票 / Please take your invoices"."""

    def standard_captions(self) -> dict[str, str]:
        captions = super().standard_captions()
        captions["dispenser-tray"] = QCoreApplication.translate(_CTX, str(TAKE))
        return captions


class PickupDispenseScreen(FlowScreen):
    """Box by box: which box moves, "please take", then the 领用凭条."""

    screen_id = DISPENSE
    idle_enabled = False  # never cut short while invoices wait in the slot
    flow: InvoicePickupFlow

    def __init__(self, window: Any, flow: InvoicePickupFlow) -> None:
        super().__init__(window, flow)
        self.title = self.bind(self.title_label("label.title"), self._title)
        self.progress = self.bind(self.text_label("label.progress", role="subtitle"),
                                  self._progress)
        self.progress.setTextFormat(Qt.TextFormat.PlainText)
        set_style_property(self.progress, "textsize", "title")
        self.boxes_label = self.bind(self.text_label("label.boxes"), self._boxes,
                                     hide_empty=True)
        self.boxes_label.setTextFormat(Qt.TextFormat.PlainText)
        self.tray = DispenserTray("dispenser-tray", units=window.units)
        self.tray.setObjectName("illustration.dispenser-tray")
        self.receipt = self.bind(self.text_label("label.receipt", role="subtitle"),
                                 self._receipt, hide_empty=True)
        self.error = self.bind(self.text_label("label.error", role="error"),
                               lambda: flow.error, hide_empty=True)
        self.done = self.bind(make_button("", "action.done", role="primary"),
                              lambda: self.tr("Done"))
        self.done.clicked.connect(lambda: window.end_session("finish"))
        for w in (self.title, self.progress, self.boxes_label):
            self.layout_.addWidget(w)
        self.layout_.addWidget(self.tray, 1)
        for w in (self.receipt, self.error):
            self.layout_.addWidget(w)
        self.layout_.addStretch(0)  # takes the room while the tray is hidden
        self.layout_.addWidget(self.done)
        self.refresh()

    def _title(self) -> Said:
        phase = self.flow.phase
        if phase == "done":
            return self.tr("Invoices collected")
        if phase == "failed":
            return self.tr("Pickup stopped")
        return self.tr("Issuing your invoices")

    def _progress(self) -> Said:
        flow = self.flow
        n = max(flow.box_count, 1)
        if flow.phase == "dispensing":
            return self.tr("Box %1 of %2 is being issued…").replace(
                "%1", str(flow.box_index + 1)).replace("%2", str(n))
        if flow.phase == "take":
            return Join((Tr(_CTX, TAKE), Plain(self.tr("(box %1 of %2)").replace(
                "%1", str(flow.box_index + 1)).replace("%2", str(n)))), "\n")
        if flow.phase == "done" and flow.outcome is not None:
            return self.tr("%1 pieces collected.").replace("%1", str(flow.outcome.taken))
        return None

    def _boxes(self) -> Said:
        flow, lang = self.flow, self.lang()
        lines = []
        for i, b in enumerate(flow.boxes):
            if flow.phase == "take" and i == len(flow.boxes) - 1:
                lines.append("→ " + replace(b, taken=True).text(lang))  # in the slot now
            else:
                lines.append(("✓ " if b.taken else "✗ ") + b.text(lang))
        return "\n".join(lines) or None

    def _receipt(self) -> Said:
        state = self.flow.receipt
        if state is None:
            return None
        if state == "printing":
            return self.tr("Printing your pickup receipt (领用凭条)…")
        if state == "printed":
            return self.tr("Pickup receipt printed. Please take it from the printer slot.")
        return Msg(state)

    def update_state(self) -> None:
        flow = self.flow
        self.tray.setVisible(flow.phase == "take")
        # the stretch under the texts takes the tray's room while it is hidden
        self.layout_.setStretch(self.layout_.count() - 2, 0 if flow.phase == "take" else 1)
        self.done.setVisible(flow.phase in ("done", "failed"))
        if flow.phase in ("done", "failed") and not self.window_.idle.enabled \
                and self.window_.current_screen() is self:
            self.window_.idle.enabled = True  # the session may time out again
            self.window_.idle.reset()


FLOW = InvoicePickupFlow
SCREENS: tuple[type[QWidget], ...] = (PickupEntry, PickupOrderScreen, PickupDispenseScreen)

# `make screenshots`: the demo person's order by its pickup code, its verification and
# limits, the dispenser at work (`shot_busy`: the invoices wait at the outlet), and the
# receipt after the upload.
SHOTS = [("open", "invoice.pickup"), ("expect_screen", "identity.login"),
         ("id_card", {}), ("expect_screen", "identity.login.enterprise"),
         ("tap", "item.self"), ("expect_screen", "invoice.pickup"), ("shot", "invoice.pickup"),
         ("type", {"into": "field.pickup_code", "text": "FP2026A1"}),
         ("tap", "action.confirm"), ("expect_screen", "invoice.pickup.order"),
         ("shot", "invoice.pickup.order"), ("tap", "action.dispense"),
         ("expect_screen", "invoice.pickup.dispense"),
         ("shot_busy", "invoice.pickup.dispense-taking"), ("dispenser_take", {}),
         ("sync", {}), ("settle", None), ("shot", "invoice.pickup.dispense"),
         ("tap", "action.done"), ("expect_screen", "attract"), ("id_card", "remove"),
         ("tap", "action.start")]
