"""Screens of `identity.login`, the identity gate (ui/flow/gate.py): choose a way to
sign in, the ID card, the tax app's QR code, TIN + password, the enterprise to act for,
and "signed in" when the gate was opened from the home screen.

The flow keeps state only (codes, the QR, who was identified); the screens render it
on every refresh, so every text follows the language switch. The ID card reader is
watched while the choice or the ID card screen shows (a card placed there signs in
with no tap); the QR login polls while the QR screen shows. Both run on worker threads
of the Qt-free core (kiosk.services.identity) and reach the flow through queued
signals (ui.flow.live: Relay, Poll, WhileShown).
"""
from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtWidgets import QHBoxLayout

from kiosk import log
from kiosk.services.catalogue import Identity, IdentityMethod, ServiceSpec, UnknownService, spec
from kiosk.services.identity import (
    CardEvent,
    CardPhase,
    Identified,
    IdentityError,
    IdentityService,
    LoginQr,
    QrUpdate,
    offline_identity_allowed,
)
from kiosk.services.views import ListItemView, ResultView, Row
from ui.flow.base import FlowScreen, Said
from ui.flow.choice import ChoiceScreen
from ui.flow.fields import FieldSpec, Kind
from ui.flow.flow import ServiceFlow
from ui.flow.form import FormScreen
from ui.flow.gate import DONE_SCREEN, GATE_SCREEN, GATE_SERVICE
from ui.flow.list_detail import ListDetailScreen
from ui.flow.live import Countdown, Poll, Relay, WhileShown, clock_left
from ui.flow.text import Both, Msg, Plain, Text, Tr
from ui.messages import local_hhmm
from ui.widgets.buttons import make_button
from ui.widgets.illustration import Illustration
from ui.widgets.qr_image import QrImage
from ui.widgets.scroll_column import scrolling

if TYPE_CHECKING:
    from ui.main_window import MainWindow

_log = log.get("session")

CARD_SCREEN = "identity.login.id_card"
QR_SCREEN = "identity.login.qr"
PASSWORD_SCREEN = "identity.login.password"
ENTERPRISE_SCREEN = "identity.login.enterprise"
# Screens while which the ID card reader is watched.
CARD_SCREENS = frozenset({GATE_SCREEN, CARD_SCREEN})
METHOD_ACTIONS = {IdentityMethod.ID_CARD: "action.login.id_card",
                  IdentityMethod.QR: "action.login.qr",
                  IdentityMethod.PASSWORD: "action.login.password"}
METHOD_SCREENS = {IdentityMethod.ID_CARD: CARD_SCREEN, IdentityMethod.QR: QR_SCREEN,
                  IdentityMethod.PASSWORD: PASSWORD_SCREEN}
MAX_PASSWORD = 64
QR_SIZE_MM = 55.0

_CTX = "IdentityFlow"
OFFLINE_NOTE = QT_TRANSLATE_NOOP("IdentityFlow", "Needs the network: the tax service cannot be reached now.")


class IdentityFlow(ServiceFlow):
    """The gate's state: for which service (`target`, None from the home screen), the
    reader's phase, the QR shown, the last refusal, who waits to pick an enterprise."""

    def __init__(self, window: MainWindow, spec_: ServiceSpec) -> None:
        super().__init__(window, spec_)
        self.target: str | None = None
        self.card_phase: CardPhase | None = None
        self.card_generation = -1
        self.card_problem: Text | None = None
        self.checking_card = False
        self.qr: LoginQr | None = None
        self.qr_problem: Text | None = None
        self.qr_login = Poll(self, self._qr_update)  # the QR login's long poll
        self.password_problem: Text | None = None
        self.picking: Identified | None = None
        self.card_events = Relay(self, self._card_event)  # CardEvent, from the watch
        # The reader is watched while the choice or the card screen shows; the QR
        # login ends when its screen is left.
        WhileShown(window, CARD_SCREENS, self.arm_card, self.disarm_card, parent=self)
        WhileShown(window, {QR_SCREEN}, None, self.stop_qr, parent=self)

    # -- context -----------------------------------------------------------------------
    @property
    def identity(self) -> IdentityService | None:
        return self.service

    def target_spec(self) -> ServiceSpec | None:
        """The service the taxpayer is signing in for; None when none is, or when it is
        no longer in the catalogue (a repaint must never raise)."""
        if not self.target:
            return None
        try:
            return spec(self.target)
        except UnknownService:
            return None

    def gate_service(self) -> str:
        """Whose identification methods apply: the target's, or the gate's own (also
        when the target is no longer in the catalogue)."""
        target = self.target
        return target if target is not None and self.target_spec() is not None else GATE_SERVICE

    def methods(self) -> tuple[IdentityMethod, ...]:
        return spec(self.gate_service()).identity_methods

    def usable(self) -> tuple[IdentityMethod, ...]:
        core = self.core
        return () if core is None else core.identity_methods(self.gate_service())

    def unusable_reason(self, method: IdentityMethod) -> Text | None:
        if method in self.usable():
            return None
        if method is IdentityMethod.ID_CARD:
            return Msg("id_card.reader")
        return Tr(_CTX, OFFLINE_NOTE)

    # -- starting ----------------------------------------------------------------------
    def begin(self, target: str | None) -> str:
        """A gate for `target` (ui.flow.gate.redirect); the screen to show."""
        self.stop_qr()
        self.target = target
        self.error = None
        self.card_problem = self.qr_problem = self.password_problem = None
        self.checking_card = False
        self.picking = None
        core = self.core
        who = core.identity.current if core is not None else None
        wanted = self.target_spec()
        if who is not None and wanted is None:
            return DONE_SCREEN
        if who is not None and wanted is not None and wanted.identity is Identity.ENTERPRISE \
                and who.enterprises and not who.offline:
            self.picking = who  # signed in as a person: only the enterprise is missing
            if len(who.enterprises) == 1:
                self.pick_enterprise(who.enterprises[0].tin)
            return ENTERPRISE_SCREEN
        self.changed.emit()
        return GATE_SCREEN

    # -- the ID card -------------------------------------------------------------------
    def arm_card(self) -> None:
        service = self.identity
        if service is None or IdentityMethod.ID_CARD not in self.methods():
            return
        watch = service.card_watch(self.card_events.send)
        if watch is None:
            return
        if watch.armed and self.card_generation >= 0:
            return  # still watching for this gate (choice -> ID card screen)
        self.card_phase = None
        self.card_generation = watch.arm()

    def disarm_card(self) -> None:
        service = self.identity
        if service is not None and service.watch is not None and self.card_generation >= 0:
            service.watch.disarm()
        self.card_generation = -1

    def _card_event(self, event: CardEvent) -> None:
        if event.generation != self.card_generation:
            return  # from an earlier gate
        self.card_phase = event.phase
        if event.phase is CardPhase.PLACED and event.record is not None:
            self.card_problem = None
            self.go(CARD_SCREEN)
            self._identify_card(event)
        elif event.phase is CardPhase.UNREADABLE:
            self.card_problem = Msg(event.code or "id_card.unreadable")
            self.go(CARD_SCREEN)
        elif event.phase is CardPhase.READER:
            self.card_problem = Msg("id_card.reader")
        elif event.phase is CardPhase.READY and not self.checking_card:
            pass  # a card taken away: keep the last problem until another is placed
        self.changed.emit()

    def _identify_card(self, event: CardEvent) -> None:
        service = self.identity
        record = event.record
        if service is None or record is None:
            return
        allow = offline_identity_allowed(self.target_spec())
        self.checking_card = True

        def failed(exc: BaseException) -> None:
            self.checking_card = False
            self.card_problem = self.refusal(exc)
            self.changed.emit()

        def done(who: Identified) -> None:
            self.checking_card = False
            self.identified(who)

        if not self.run(lambda: service.identify_card(record, allow_offline=allow),
                        done, failed):
            self.checking_card = False

    # -- the QR code -------------------------------------------------------------------
    def start_qr(self) -> None:
        service = self.identity
        if service is None or self.qr_login.running:
            return
        self.qr = None
        self.qr_problem = None
        self.qr_login.start(service.qr_login)
        self.changed.emit()

    def restart_qr(self) -> None:
        self.stop_qr()
        self.start_qr()

    def stop_qr(self) -> None:
        self.qr_login.stop()

    def _qr_update(self, update: QrUpdate) -> None:
        if update.qr is not None:
            self.qr = update.qr
            self.qr_problem = None
        if update.code is not None:
            self.qr_problem = Msg(update.code)
        if update.identified is not None:
            self.qr_login.ended()
            self.identified(update.identified)
            return
        self.changed.emit()

    # -- the password ------------------------------------------------------------------
    def login_password(self, tin: str, password: str) -> None:
        service = self.identity
        if service is None:
            return
        self.password_problem = None
        self.changed.emit()

        def failed(exc: BaseException) -> None:
            self.password_problem = self.refusal(exc)
            self.changed.emit()

        self.run(lambda: service.login_password(tin, password), self.identified, failed)

    # -- refusals ----------------------------------------------------------------------
    def refusal(self, exc: BaseException) -> Text:
        """The words for a refused identification, with what they need: tries left,
        the hall time a lock ends, the day a card expired."""
        if isinstance(exc, IdentityError):
            if exc.code == "login.wrong_password" and exc.tries_left is not None:
                return Msg("login.wrong_password.left", (exc.tries_left,))
            if exc.code == "login.locked" and exc.until is not None:
                return Msg("login.locked.until", (local_hhmm(exc.until),))
            if exc.code == "id_card.expired" and exc.valid_until is not None:
                return Msg("id_card.expired", (exc.valid_until.isoformat(),))
        from kiosk.central_client import CentralUnavailable

        if isinstance(exc, CentralUnavailable):
            return Msg("identity.network")
        return self.error_text(exc)

    # -- identified --------------------------------------------------------------------
    def identified(self, who: Identified) -> None:
        """Someone is identified: pick the enterprise if the service needs one (or if
        the central lists several), then go on where the taxpayer was."""
        wanted = self.target_spec()
        needs_enterprise = wanted is not None and wanted.identity is Identity.ENTERPRISE
        if needs_enterprise and not who.acting_for_enterprise:
            if not who.enterprises:
                self._record(who)
                self.set_error(Msg("identity.no_enterprise"))
                self.go(GATE_SCREEN)
                return
            self.picking = who
            self.go(ENTERPRISE_SCREEN)
            if len(who.enterprises) == 1:
                self.pick_enterprise(who.enterprises[0].tin)
            self.changed.emit()
            return
        # From home (with several), or for a look-up of one's own affairs (with any):
        # act as oneself or for an enterprise.
        if (wanted is None and len(who.enterprises) > 1) or (
                wanted is not None and wanted.identity is Identity.ANY and who.enterprises
                and not who.acting_for_enterprise):
            self.picking = who
            self.go(ENTERPRISE_SCREEN)
            self.changed.emit()
            return
        self.finish(who)

    def pick_enterprise(self, tin: str | None) -> None:
        """`tin` None: act as oneself (from the home screen)."""
        who = self.picking
        service = self.identity
        if who is None or service is None:
            return
        if tin is None:
            self.finish(who)
            return

        def failed(exc: BaseException) -> None:
            self.set_error(self.refusal(exc))

        self.error = None
        self.run(lambda: service.act_for(who, tin), self.finish, failed)

    def _record(self, who: Identified) -> None:
        core = self.core
        if core is not None:
            core.identity.set(who)

    def finish(self, who: Identified) -> None:
        self._record(who)
        self.picking = None
        self.disarm_card()
        self.stop_qr()
        target, self.target = self.target, None
        self.changed.emit()
        if target is None:
            self.go(DONE_SCREEN)
        else:
            self.window_.open_service(target)

    def handle_scan(self, text: str) -> None:
        """Scans do not identify anyone: the QR screen shows a code for the tax app."""


# -- screens ------------------------------------------------------------------------------

class GateChoiceScreen(ChoiceScreen):
    """`identity.login`: the three ways to sign in; a card placed now signs in at once."""

    screen_id = GATE_SCREEN
    idle_kind = "form"
    intro_name = "label.body"
    choice_role = "primary"
    with_notes = True  # `label.unavailable.<method>`: why a way cannot be used now
    flow: IdentityFlow

    def __init__(self, window: MainWindow, flow: IdentityFlow) -> None:
        super().__init__(window, flow)
        self.card_note = self.bind(self.text_label("label.card_note", role="warning"),
                                   self.card_note_text, hide_empty=True)
        self.layout_.insertWidget(self.layout_.indexOf(self.error) + 1, self.card_note)
        self.refresh()

    def title_text(self) -> Said:
        wanted = self.flow.target_spec()
        if wanted is None:
            return self.tr("Sign in")
        return Tr("GateChoiceScreen", QT_TRANSLATE_NOOP("GateChoiceScreen",
                                                        "Sign in to use: %1"),
                  (Both(wanted.title_zh, wanted.title_en),))

    def intro_text(self) -> Said:
        return self.tr("Choose how to sign in. You can also put your ID card on the reader "
                       "now.") if IdentityMethod.ID_CARD in self.flow.usable() else \
            self.tr("Choose how to sign in.")

    def card_note_text(self) -> Said:
        if self.flow.card_phase is CardPhase.STALE:
            return Tr("IdentityCardScreen", STALE)
        return None

    def choices(self) -> tuple[tuple[Hashable, str], ...]:
        return tuple(METHOD_ACTIONS.items())

    def choice_text(self, key: Hashable) -> Said:
        if key is IdentityMethod.ID_CARD:
            return self.tr("ID card")
        if key is IdentityMethod.QR:
            return self.tr("Scan with the tax app")
        return self.tr("Tax ID and password")

    def choice_note(self, key: Hashable) -> Said:
        return self.flow.unusable_reason(IdentityMethod(key))

    def offered(self, key: Hashable) -> bool:
        return key in self.flow.methods()

    def usable(self, key: Hashable) -> bool:
        return key in self.flow.usable()

    def chose(self, key: Hashable) -> None:
        self.flow.go(METHOD_SCREENS[IdentityMethod(key)])


STALE = QT_TRANSLATE_NOOP("IdentityCardScreen", "A card is already on the reader. Please take "
                          "it away, then put your ID card on the reader again.")


class IdentityCardScreen(FlowScreen):
    """`identity.login.id_card`: where to put the card, and how reading it goes."""

    screen_id = CARD_SCREEN
    idle_kind = "form"
    flow: IdentityFlow

    def __init__(self, window: MainWindow, flow: IdentityFlow) -> None:
        super().__init__(window, flow)
        self.title = self.bind(self.title_label("label.title"), lambda: self.tr(
            "Sign in with your ID card"))
        self.picture = Illustration("id-card", units=window.units)
        self.status = self.bind(self.text_label("label.card_status", role="subtitle"),
                                self.status_text)
        self.problem = self.bind(self.text_label("label.error", role="error"),
                                 lambda: flow.card_problem, hide_empty=True)
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.picture, 1)
        self.layout_.addWidget(self.status)
        self.layout_.addWidget(self.problem)
        self.refresh()

    def status_text(self) -> Said:
        flow = self.flow
        if flow.checking_card or flow.busy:
            return self.tr("Reading your ID card…")
        if flow.card_phase is CardPhase.STALE:
            return Tr("IdentityCardScreen", STALE)
        if flow.card_phase is CardPhase.READER:
            return None
        return self.tr("Waiting for your ID card…")


class IdentityQrScreen(FlowScreen):
    """`identity.login.qr`: the one-time code for the tax app, how long it stays
    valid, and a new code on request."""

    screen_id = QR_SCREEN
    idle_kind = "form"
    accepts_scans = False
    flow: IdentityFlow

    def __init__(self, window: MainWindow, flow: IdentityFlow) -> None:
        super().__init__(window, flow)
        self.title = self.bind(self.title_label("label.title"), lambda: self.tr(
            "Sign in with the tax app"))
        self.body = self.bind(self.text_label("label.body"), lambda: self.tr(
            "Open the tax app on your phone, choose Scan, point it at this code and "
            "confirm in the app."))
        self.image = QrImage(window.units.px(QR_SIZE_MM))
        self.countdown = self.bind(self.text_label("label.countdown", role="subtitle"),
                                   self.countdown_text)
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.problem = self.bind(self.text_label("label.error", role="error"),
                                 lambda: flow.qr_problem, hide_empty=True)
        self.refresh_button = self.bind(make_button("", "action.refresh", role="secondary"),
                                        lambda: self.tr("New code"))
        self.refresh_button.clicked.connect(flow.restart_qr)
        for w in (self.title, self.body):
            self.layout_.addWidget(w)
        self.layout_.addWidget(self.image, 0, Qt.AlignmentFlag.AlignHCenter)
        self.layout_.addWidget(self.countdown)
        self.layout_.addWidget(self.problem)
        self.layout_.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.refresh_button)
        self.layout_.addLayout(row)
        self.ticker = Countdown(self, self.countdown, self.countdown_text, stop_hidden=True)
        self.refresh()

    def countdown_text(self) -> Said:
        qr = self.flow.qr
        if qr is None:
            return self.tr("Getting a code…") if self.flow.qr_problem is None else None
        return Tr("IdentityQrScreen", QT_TRANSLATE_NOOP("IdentityQrScreen",
                                                        "Valid for %1 more"),
                  (Plain(clock_left(qr.deadline)),))

    def update_state(self) -> None:
        qr = self.flow.qr
        self.image.show_text(qr.qr_text if qr is not None else None)

    def on_enter(self) -> None:
        self.flow.start_qr()
        self.ticker.start()
        super().on_enter()


class IdentityPasswordScreen(FormScreen):
    """`identity.login.password`: TIN (USCC or resident ID) and password."""

    screen_id = PASSWORD_SCREEN
    fields = (FieldSpec("tin", Kind.CODE, 18), FieldSpec("password", Kind.PASSWORD))
    flow: IdentityFlow

    def __init__(self, window: MainWindow, flow: IdentityFlow) -> None:
        super().__init__(window, flow)
        self.problem = self.bind(self.text_label("label.error", role="error"),
                                 lambda: flow.password_problem, hide_empty=True)
        self.layout_.insertWidget(1, self.problem)
        self.refresh()

    def title_text(self) -> Said:
        return self.tr("Sign in with your tax ID and password")

    def field_text(self, name: str) -> Said:
        if name == "tin":
            return self.tr("Tax ID (credit code or ID number)")
        return self.tr("Password")

    def confirm_text(self) -> Said:
        return self.tr("Sign in")

    def check(self, name: str, value: str) -> str | None:
        problem = super().check(name, value)
        if problem is not None:
            return problem
        if name == "tin" and value:
            try:
                IdentityService.normalise_tin(value)
            except IdentityError as exc:
                return exc.code
        if name == "password" and len(value) > MAX_PASSWORD:
            return "password.too_long"
        return None

    def submit(self, values: dict[str, str]) -> dict[str, str]:
        self.flow.login_password(values["tin"], values["password"])
        self.inputs["password"].clear()  # never kept on screen after an attempt
        return {}

    def on_enter(self) -> None:
        self.inputs["password"].clear()
        super().on_enter()


class IdentityEnterpriseScreen(ListDetailScreen):
    """`identity.login.enterprise`: the enterprise to act for (`item.<tin>`), or
    oneself (`item.self`) when signing in from the home screen."""

    screen_id = ENTERPRISE_SCREEN
    idle_kind = "form"
    flow: IdentityFlow

    def __init__(self, window: MainWindow, flow: IdentityFlow) -> None:
        super().__init__(window, flow)
        self.problem = self.bind(self.text_label("label.error", role="error"),
                                 lambda: flow.error, hide_empty=True)
        self.layout_.insertWidget(1, self.problem)
        self.refresh()

    def title_text(self) -> Said:
        return self.tr("Which enterprise are you acting for?")

    def items(self) -> list[ListItemView]:
        who = self.flow.picking
        if who is None:
            return []
        out = [ListItemView(e.tin, e.masked_name(), e.masked_tin()) for e in who.enterprises]
        target = self.flow.target_spec()
        if target is None or target.identity is Identity.ANY:
            myself = self.tr("Myself")
            out.insert(0, ListItemView("self", myself, who.login.masked_name()))
        return out

    def chosen(self, key: str) -> None:
        self.flow.pick_enterprise(None if key == "self" else key)


class IdentityDoneScreen(FlowScreen):
    """`identity.login.done`: who is signed in (masked), when signing in from home."""

    screen_id = DONE_SCREEN
    flow: IdentityFlow

    def __init__(self, window: MainWindow, flow: IdentityFlow) -> None:
        super().__init__(window, flow)
        self.title = self.bind(self.title_label("label.title"),
                               lambda: self.tr("You are signed in"))
        self.details = self.bind(self.text_label("label.details"), self.details_text)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.note = self.bind(self.text_label("label.offline_note", role="warning"),
                              self.note_text, hide_empty=True)
        self.services = self.bind(make_button("", "action.services", role="primary"),
                                  lambda: self.tr("Choose a service"))
        self.services.clicked.connect(lambda: window.show_screen("home"))
        # Long detail rows scroll instead of growing the screen past the panel.
        rows = scrolling(self.details, "area.details", units=window.units)
        for w in (self.title, rows, self.note):
            self.layout_.addWidget(w)
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.services)
        self.refresh()

    def _who(self) -> Identified | None:
        core = self.flow.core
        return core.identity.current if core is not None else None

    def details_text(self) -> str:
        who = self._who()
        if who is None:
            return ""
        zh = self.lang() == "zh"
        rows = [Row("name", "姓名" if zh else "Name", who.login.masked_name())]
        if who.login.id_number:
            rows.append(Row("id_number", "身份证号" if zh else "ID number",
                            who.login.masked_id_number()))
        else:
            rows.append(Row("tin", "纳税人识别号" if zh else "Tax ID", who.login.masked_tin()))
        if who.acting_for_enterprise:
            rows.append(Row("enterprise", "办理单位" if zh else "Acting for",
                            f"{who.subject.masked_name()} ({who.subject.masked_tin()})"))
        return ResultView("", "neutral", tuple(rows)).text()

    def note_text(self) -> Said:
        who = self._who()
        if who is not None and who.offline:
            return self.tr("Identified from your ID card alone: the tax service cannot be "
                           "reached now, so services that need it are not available.")
        return None


FLOW = IdentityFlow
SCREENS = (GateChoiceScreen, IdentityCardScreen, IdentityQrScreen, IdentityPasswordScreen,
           IdentityEnterpriseScreen, IdentityDoneScreen)
