"""Screens of `credit.rating` 纳税信用等级: the rating by year with its slip; the
separate, explicit 银税互动 consent (a bank chosen, then "I agree"), its withdrawal,
and the receipt of either (queued records, printed with the short reference)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QHBoxLayout

from kiosk.services.credit_rating import BANKS, ConsentQueued, CreditStatus, bank_id_of, bank_name
from kiosk.services.views import ResultView
from ui.flow.base import Said
from ui.flow.confirm import ConfirmScreen
from ui.flow.fields import FieldSpec, Kind
from ui.flow.form import FormScreen
from ui.flow.lookup import LookupFlow, LookupListScreen
from ui.flow.notice import QueuedScreen
from ui.flow.text import Msg, Plain
from ui.widgets.buttons import make_button
from ui.widgets.wrap_button import WrapButton

DONE_SCREEN = "credit.rating.done"


class CreditFlow(LookupFlow):
    result: CreditStatus | None

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.pending: ConsentQueued | None = None  # submitted in this session

    def fetch(self) -> Callable[[], Any] | None:
        service = self.service
        return None if service is None else service.fetch

    def consented_bank(self) -> str | None:
        """The bank id the consent in force names (None: none, or not one of ours)."""
        status = self.result
        if status is None or status.consent is None:
            return None
        return bank_id_of(status.consent.bank)

    def submit_consent(self, bank_id: str, granted: bool) -> None:
        service = self.service
        if service is None:
            return
        self.set_error(None)

        def queued(item: ConsentQueued) -> None:
            self.pending = item
            lang = self.lang()
            self.accept_queued(item.record_uuid, DONE_SCREEN,
                               lambda: service.confirm_shown(item),
                               lambda: service.print_consent(item, lang))

        # A refusal (offline limit reached, ...) stays on the screen that asked.
        self.run(lambda: service.queue_consent(bank_id, granted), queued,
                 lambda exc: self.set_error(self.error_text(exc)))

    def open_step(self, screen_id: str) -> None:
        self.set_error(None)
        self.go(screen_id)


class CreditScreen(LookupListScreen):
    screen_id = "credit.rating"
    flow: CreditFlow

    def add_actions(self, row: QHBoxLayout) -> None:
        # Wrapping buttons: four English labels in one row are wider than the portrait panel.
        self.consent_button = self.bind(make_button("", "action.consent", role="secondary",
                                                    cls=WrapButton),
                                        lambda: self.tr("Share my rating with a bank"))
        self.consent_button.clicked.connect(
            lambda: self.flow.open_step("credit.rating.consent"))
        self.withdraw_button = self.bind(make_button("", "action.withdraw",
                                                     role="secondary", cls=WrapButton),
                                         lambda: self.tr("Withdraw my consent"))
        self.withdraw_button.clicked.connect(
            lambda: self.flow.open_step("credit.rating.withdraw"))
        row.addWidget(self.consent_button)
        row.addWidget(self.withdraw_button)

    def title_text(self) -> Said:
        return self.tr("Tax credit rating")

    def result_view(self) -> ResultView | None:
        status, service = self.flow.result, self.flow.service
        if status is None or service is None:
            return None
        return service.view(status, self.lang(), pending=self.flow.pending)

    def empty_text(self) -> Said:
        return None

    def print_text(self) -> Said:
        return self.tr("Print my rating")

    def print_job(self) -> Callable[[], object] | None:
        status, service, lang = self.flow.result, self.flow.service, self.lang()
        if status is None or service is None:
            return None
        return lambda: service.print_rating(status, lang)

    def update_state(self) -> None:
        super().update_state()
        if not hasattr(self, "withdraw_button"):
            return
        status, idle = self.flow.result, not self.flow.busy
        self.consent_button.setVisible(status is not None and status.may_consent())
        self.withdraw_button.setVisible(self.flow.consented_bank() is not None)
        self.consent_button.setEnabled(idle)
        self.withdraw_button.setEnabled(idle)


class ConsentForm(FormScreen):
    """The separate consent: which bank, what is sent, and an explicit "I agree"."""

    screen_id = "credit.rating.consent"
    fields = (FieldSpec("bank", Kind.CHOICE, choices=tuple(BANKS), columns=1),)
    flow: CreditFlow

    def __init__(self, window: Any, flow: CreditFlow) -> None:
        super().__init__(window, flow)
        self.consent_text = self.bind(self.text_label("label.consent_text"),
                                      self._consent_text)
        self.layout_.insertWidget(1, self.consent_text)
        self.error = self.bind(self.text_label("label.error", role="error"),
                               lambda: flow.error, hide_empty=True)
        self.layout_.insertWidget(2, self.error)
        self.keypad.hide()  # nothing to type: a bank is chosen by a tap
        self.refresh()

    def on_enter(self) -> None:
        # An explicit choice: no bank is chosen for the taxpayer beforehand.
        self.choices["bank"] = ""
        super().on_enter()

    def title_text(self) -> Said:
        return self.tr("Share my credit rating with a bank (银税互动)")

    def _consent_text(self) -> Said:
        return self.tr(
            "With your consent the tax office sends the chosen bank your tax credit "
            "rating and its evaluation year, so that the bank can review a loan "
            "application (银税互动). Nothing else is sent. This consent is separate from "
            "anything else you do here; you can withdraw it at any time on this "
            "terminal.")

    def prompt_text(self, name: str) -> Said:
        return self.tr("Bank")

    def choice_text(self, name: str, value: str) -> Said:
        bank, product = BANKS[value]
        lang = self.lang()
        return Plain(f"{bank[0] if lang == 'zh' else bank[1]} · "
                     f"{product[0] if lang == 'zh' else product[1]}")

    def confirm_text(self) -> Said:
        return self.tr("I agree: send my rating to this bank")

    def submit(self, values: dict[str, str]) -> dict[str, str]:
        if values.get("bank") not in BANKS:
            self.flow.set_error(Msg("consent.bank"))
            return {}
        self.flow.submit_consent(values["bank"], True)
        return {}


class WithdrawConfirm(ConfirmScreen):
    screen_id = "credit.rating.withdraw"
    flow: CreditFlow

    def __init__(self, window: Any, flow: CreditFlow) -> None:
        super().__init__(window, flow)
        self.confirmed.connect(self._withdraw)

    def _withdraw(self) -> None:
        bank = self.flow.consented_bank()
        if bank is not None:
            self.flow.submit_consent(bank, False)

    def body_text(self) -> Said:
        bank = self.flow.consented_bank()
        if self.flow.error is not None:
            return self.flow.error
        if bank is None:
            return None
        return self.tr("Stop sending your tax credit rating to %1?").replace(
            "%1", bank_name(bank, self.lang()))

    def confirm_text(self) -> Said:
        return self.tr("Withdraw my consent")


class ConsentDone(QueuedScreen):
    screen_id = DONE_SCREEN
    flow: CreditFlow

    def title_text(self) -> Said:
        pending, service = self.flow.pending, self.flow.service
        if pending is None or service is None:
            return None
        return Plain(service.consent_view(pending, self.lang()).title)

    def body_text(self) -> Said:
        pending, service = self.flow.pending, self.flow.service
        if pending is None or service is None:
            return None
        view = service.consent_view(pending, self.lang())
        rows = "\n".join(f"{r.label}: {r.value}" for r in view.rows if r.key != "reference")
        return Plain("\n".join([rows, *view.notes]))

    def again_text(self) -> Said:
        return self.tr("Back to my rating")


FLOW = CreditFlow
SCREENS = (CreditScreen, ConsentForm, WithdrawConfirm, ConsentDone)

# `make screenshots`: the demo enterprise's rating, a consent to a bank, its receipt (after
# the upload, so no upload banner), and the withdrawal's confirmation.
SHOTS = [("open", "credit.rating"), ("expect_screen", "identity.login"),
         ("id_card", {}), ("expect_screen", "identity.login.enterprise"),
         ("tap", "item.91110105MA01R8XK4P"), ("expect_screen", "credit.rating"),
         ("shot", "credit.rating"), ("tap", "action.consent"),
         ("expect_screen", "credit.rating.consent"), ("tap", "bank.bocom"),
         ("shot", "credit.rating.consent"), ("tap", "action.confirm"),
         ("expect_screen", "credit.rating.done"), ("sync", {}), ("settle", None),
         ("shot", "credit.rating.done"), ("tap", "action.again"),
         ("expect_screen", "credit.rating"), ("tap", "action.withdraw"),
         ("expect_screen", "credit.rating.withdraw"), ("shot", "credit.rating.withdraw"),
         ("tap", "action.logout"), ("id_card", "remove"), ("tap", "action.start")]
