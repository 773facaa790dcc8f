"""Screens of `voucher.reprint` 缴款凭证补打: the paid vouchers (`item.<voucher_no>`: 税票号,
所属期, 金额, times printed) and `action.print`, which counts the print at the central
service and prints the voucher on the receipt printer marked 补打 with that count."""
from __future__ import annotations

from typing import Any

from kiosk.services.certificate_print import PaidVoucher
from kiosk.services.views import ListItemView
from ui.flow.base import Said
from ui.flow.flow import ServiceFlow
from ui.flow.scroll_list import ScrollListScreen
from ui.flow.text import Msg
from ui.widgets.buttons import make_button

ENTRY = "voucher.reprint"


class VoucherReprintFlow(ServiceFlow):
    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.vouchers: list[PaidVoucher] | None = None
        self.print_state: str | None = None  # None, "printing", "printed" or a code
        self.printed_no: str | None = None  # the voucher the status is about

    def load(self) -> None:
        service = self.service
        if service is None:
            return

        def loaded(vouchers: list[PaidVoucher]) -> None:
            self.vouchers = vouchers
            self.changed.emit()

        def failed(exc: BaseException) -> None:
            self.set_error(self.error_text(exc))

        self.set_error(None)
        self.run(service.vouchers, loaded, failed)

    def voucher(self, key: str | None) -> PaidVoucher | None:
        return next((v for v in self.vouchers or () if v.voucher_no == key), None)

    def reprint(self, key: str | None) -> None:
        service, voucher, lang = self.service, self.voucher(key), self.lang()
        if service is None or voucher is None or self.print_state == "printing":
            return
        self.set_error(None)
        self.print_state, self.printed_no = "printing", voucher.voucher_no
        self.changed.emit()

        def done(counted: PaidVoucher) -> None:
            self.print_state = "printed"
            self._update(counted)

        def failed(exc: BaseException) -> None:
            code = getattr(exc, "code", None)
            self.print_state = code if isinstance(code, str) and code else "failure"
            if code in ("service.network", "session.expired", "session.needed",
                        "voucher.unknown", "central.rejected"):
                self.print_state = None  # not counted, not printed: say why instead
                self.set_error(self.error_text(exc))
            else:  # counted but not printed: the list shows the new count
                self.load_quietly()
            self.changed.emit()

        self.run(lambda: service.reprint(voucher, lang), done, failed)

    def _update(self, counted: PaidVoucher) -> None:
        if self.vouchers is not None:
            self.vouchers = [counted if v.voucher_no == counted.voucher_no else v
                             for v in self.vouchers]
        self.changed.emit()

    def load_quietly(self) -> None:
        """Fetch the counts again in the background (after a failed print)."""
        service = self.service
        if service is None:
            return

        def loaded(vouchers: list[PaidVoucher]) -> None:
            self.vouchers = vouchers
            self.changed.emit()

        self.background(service.vouchers, loaded, lambda _exc: None)


class VoucherList(ScrollListScreen):
    screen_id = ENTRY
    flow: VoucherReprintFlow

    def __init__(self, window: Any, flow: VoucherReprintFlow) -> None:
        super().__init__(window, flow)
        self.print_status = self.bind(self.text_label("label.print_status", role="subtitle"),
                                      self._print_status, hide_empty=True)
        self.layout_.insertWidget(self.layout_.count() - 1, self.print_status)
        self.print_button = self.add_action(self.bind(
            make_button("", "action.print", role="primary"),
            lambda: self.tr("Reprint this voucher")))
        self.print_button.clicked.connect(lambda: flow.reprint(self.selected))
        # A bound method: disconnected when this screen goes with its session.
        window.device_status_changed.connect(self._devices_changed)
        self.refresh()

    def _devices_changed(self, _status: object = None) -> None:
        self.refresh()

    def title_text(self) -> Said:
        return self.tr("Reprint a payment voucher")

    def intro_text(self) -> Said:
        return self.tr("Choose a paid voucher. A reprint is marked as such and shows how "
                       "often the voucher has been printed.")

    def empty_text(self) -> Said:
        return self.tr("No paid tax is on record for you.")

    def loaded(self) -> bool:
        return self.flow.vouchers is not None

    def items(self) -> list[ListItemView]:
        flow, service = self.flow, self.flow.service
        if flow.vouchers is None or service is None:
            return []
        return service.items(flow.vouchers, self.lang())

    def chosen(self, key: str) -> None:
        if self.flow.print_state != "printing":
            self.flow.print_state = None
        self.flow.set_error(None)

    def _print_status(self) -> Said:
        flow = self.flow
        problem = flow.printer_problem()
        if problem is not None and flow.print_state != "printing":
            return Msg(problem)
        state = flow.print_state
        if state is None:
            return None
        if state == "printing":
            return self.tr("Printing…")
        if state == "printed":
            voucher = flow.voucher(flow.printed_no)
            count = voucher.printed if voucher is not None else 0
            return self.tr("Reprinted (print no. %1). Please take the slip.").replace(
                "%1", str(count))
        return Msg(state)

    def on_enter(self) -> None:
        flow = self.flow
        if flow.print_state != "printing":
            flow.print_state = None
        super().on_enter()
        if not flow.busy:
            flow.load()

    def update_state(self) -> None:
        if not hasattr(self, "print_button"):
            return
        flow = self.flow
        self.print_button.setEnabled(not flow.busy and self.selected is not None
                                     and flow.printer_problem() is None)


FLOW = VoucherReprintFlow
SCREENS = (VoucherList,)

# `make screenshots`: the demo person's vouchers, the latest chosen (`tap_first`: the demo
# voucher numbers follow today's date).
SHOTS = [("open", "voucher.reprint"), ("expect_screen", "identity.login"),
         ("id_card", {}), ("expect_screen", "identity.login.enterprise"),
         ("tap", "item.self"), ("expect_screen", "voucher.reprint"), ("tap_first", "item."),
         ("shot", "voucher.reprint"),
         ("tap", "action.logout"), ("id_card", "remove"), ("tap", "action.start")]
