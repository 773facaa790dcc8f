"""Use case `identity.login`: who the taxpayer at the terminal is (Qt-free).

Three ways in (issue #10 §2), each a sealed kiosk call to the central service
(`CentralClient.sealed_call`: personal data crosses the wire only sealed to this kiosk's
data key, both ways):

- the resident ID card on the SAM reader. Only a card *placed* while the gate shows
  counts (`CardWatch`: a placement is the reader going from no card to a card); a card
  left on the reader from before is never used. The card's expiry and its number's
  GB 11643 check are judged here before anything is sent. Offline, a card identifies
  its holder by itself for services whose policy allows it (an offline identity: no
  central session);
- scan-to-login (`QrLogin`): a one-time QR from the central service, refreshed before
  its 120 s run out, polled on a worker thread until the tax app approves it;
- TIN (USCC or resident ID) + password; the central service counts wrong passwords
  and locks a taxpayer after 5.

Who is identified lives in the core's session (`SessionIdentity`, `core.identity`) until
the session ends: then it is cleared and the central session is ended off the GUI
thread. The session token is kept in memory only, never on disk, never logged.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import TYPE_CHECKING, Any

from drivers.errors import DeviceCondition, DeviceError

from .. import hall_time, log
from ..central_client import CentralRejected, CentralUnavailable
from ..domain.errors import DomainError, IdentifierError
from ..domain.identifiers import validate_resident_id, validate_uscc
from ..domain.masking import mask, mask_id_number, mask_name
from .catalogue import Identity, Policy, ServiceSpec
from .context import ServiceContext

if TYPE_CHECKING:
    from drivers.id_card.protocol import IdCardRecord

_log = log.get("session")

QR_PREFIX = "TAXLOGIN:"
QR_LIFETIME_S = 120.0
QR_REFRESH_MARGIN_S = 15.0  # a new QR this long before the old one runs out
QR_MAX_WAIT_S = 25.0  # the central service's long-poll limit
CARD_POLL_S = 0.3
MAX_PASSWORD = 64
# The central's error codes (detail "<code>: <text>") the screens have words for.
CENTRAL_CODES = frozenset({"taxpayer.unknown", "login.wrong_password", "login.locked",
                           "login.qr_expired", "login.qr_used", "session.expired"})


class IdentityError(DomainError):
    """A refused identification, with a message code (ui/messages.py) and what the
    sentence needs: `tries_left` after a wrong password, `until` (UTC) while locked,
    `valid_until` of an expired card."""

    code = "identity.failed"

    def __init__(self, message: str, code: str, *, tries_left: int | None = None,
                 until: datetime | None = None, valid_until: date | None = None) -> None:
        super().__init__(message, code)
        self.tries_left = tries_left
        self.until = until
        self.valid_until = valid_until


# -- who is identified ---------------------------------------------------------------

@dataclass(frozen=True)
class Taxpayer:
    """A taxpayer as the central service names it (or as an ID card does offline)."""

    tin: str
    name: str
    kind: str  # "person" | "enterprise"
    id_number: str | None = None

    def masked_name(self) -> str:
        """What a screen may show: 张*丰 for a person, an enterprise's name in full."""
        if self.kind == "enterprise":
            return mask("enterprise_name", self.name, "screen") or ""
        return mask_name(self.name)

    def masked_tin(self) -> str:
        """A person's TIN is their ID number (110***********1234); a USCC is public."""
        if self.kind == "enterprise":
            return mask("uscc", self.tin, "screen") or ""
        return mask_id_number(self.tin)

    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number) if self.id_number else ""

    def __repr__(self) -> str:
        return f"Taxpayer(kind={self.kind!r}, <personal data hidden>)"


@dataclass(frozen=True)
class Identified:
    """Who the session has identified. `subject` is whom the services act for (the
    person, or the enterprise picked); `login` the natural person who identified
    themself; `enterprises` those the central service lets them act for. `session` is
    the central session token (None for an offline identity), memory only."""

    subject: Taxpayer
    login: Taxpayer
    method: str  # an IdentityMethod value
    session: str | None = field(default=None, repr=False)
    expires_at: datetime | None = None
    enterprises: tuple[Taxpayer, ...] = ()
    offline: bool = False

    @property
    def acting_for_enterprise(self) -> bool:
        return self.subject.kind == "enterprise"

    def masked_name(self) -> str:
        """The top bar's words: the person (张*丰), and the enterprise acted for."""
        person = self.login.masked_name()
        if self.acting_for_enterprise:
            return f"{person} · {self.subject.masked_name()}"
        return person

    def __repr__(self) -> str:
        return (f"Identified(method={self.method!r}, kind={self.subject.kind!r}, "
                f"offline={self.offline}, <personal data hidden>)")


class SessionIdentity:
    """`core.identity`: who the current session has identified. Thread-safe; listeners
    are called (on the caller's thread) after every change."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._who: Identified | None = None
        self.listeners: list[Callable[[Identified | None], None]] = []

    @property
    def current(self) -> Identified | None:
        with self._lock:
            return self._who

    @property
    def identified(self) -> bool:
        return self.current is not None

    def session_token(self) -> str | None:
        who = self.current
        return None if who is None else who.session

    def set(self, who: Identified) -> None:
        with self._lock:
            self._who = who
        _log.info("taxpayer identified (%s, %s%s)", who.method, who.subject.kind,
                  ", offline" if who.offline else "")
        self._notify(who)

    def touch(self, expires_at: datetime) -> None:
        """A look-up extended the central session."""
        with self._lock:
            if self._who is not None:
                self._who = replace(self._who, expires_at=expires_at)

    def clear(self) -> Identified | None:
        """Forget who is identified; returns who was (to end the central session)."""
        with self._lock:
            who, self._who = self._who, None
        if who is not None:
            _log.info("identity cleared")
            self._notify(None)
        return who

    def _notify(self, who: Identified | None) -> None:
        for listener in list(self.listeners):
            try:
                listener(who)
            except Exception:  # noqa: BLE001 - a listener must not break the session
                _log.exception("identity listener failed")


def satisfies(who: Identified | None, spec: ServiceSpec) -> bool:
    """Whether `who` may use `spec` without passing the gate again: someone is
    identified, acting for an enterprise when the service needs one (a natural person
    otherwise), and with a central session when the service works online only."""
    if spec.identity is Identity.NONE:
        return True
    if who is None:
        return False
    if spec.identity is Identity.ENTERPRISE and not who.acting_for_enterprise:
        return False
    if spec.identity is Identity.PERSON and who.acting_for_enterprise:
        return False
    return not (who.offline and spec.policy is Policy.ONLINE_ONLY)


def offline_identity_allowed(spec: ServiceSpec | None) -> bool:
    """An ID card alone identifies its holder for services that work offline (and
    for signing in from the home screen); online-only services need the central's
    session."""
    return spec is None or spec.policy is not Policy.ONLINE_ONLY


# -- the ID card reader ----------------------------------------------------------------

class CardPhase(str, Enum):
    STALE = "stale"  # a card was on the reader when the gate opened: take it away
    READY = "ready"  # no card: waiting for one to be placed
    PLACED = "placed"  # a card was just placed and read (event carries the record)
    UNREADABLE = "unreadable"  # a card was placed but cannot be used (event code)
    READER = "reader"  # the reader itself does not answer (event code)


@dataclass(frozen=True)
class CardEvent:
    phase: CardPhase
    generation: int  # which arming; events of an earlier one are stale
    record: IdCardRecord | None = field(default=None, repr=False)
    code: str | None = None


_ABSENT = (DeviceCondition.NO_CARD, DeviceCondition.CARD_REMOVED)


class CardWatch:
    """Polls the ID card reader while armed (the gate shows) and reports placements.

    A placement is a transition from no card to a card between two polls: the first
    poll after arming only learns whether a card is already there (STALE: never used),
    so a card forgotten by an earlier taxpayer logs nobody in. Removing a card is
    reported as READY (another may be placed), never as a log-out. `read()` returns the
    card's record or raises DeviceError (NO_CARD when the reader is empty)."""

    def __init__(self, read: Callable[[], IdCardRecord], on_event: Callable[[CardEvent], None],
                 *, interval_s: float = CARD_POLL_S) -> None:
        self._read = read
        self.on_event = on_event
        self.interval_s = interval_s
        self._lock = threading.Condition()
        self._generation = 0
        self._armed = False
        self._thread: threading.Thread | None = None
        self.polls = 0  # every poll of any arming (tests, the scenario runner)
        self.empty_polls = 0  # polls that found the reader empty

    @property
    def armed(self) -> bool:
        return self._armed

    def arm(self) -> int:
        """Start watching afresh (a card on the reader now is stale); returns the
        generation its events carry."""
        with self._lock:
            self._generation += 1
            self._armed = True
            generation = self._generation
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="id-card-watch",
                                                daemon=True)
                self._thread.start()
            self._lock.notify_all()
        return generation

    def disarm(self) -> None:
        with self._lock:
            self._armed = False
            self._generation += 1
            self._lock.notify_all()

    def wait_polls(self, count: int, timeout_s: float) -> bool:
        """Wait until `count` more polls have found the reader empty (the scenario
        runner: the watch has seen a card taken away); False on timeout."""
        with self._lock:
            target = self.empty_polls + count
            return self._lock.wait_for(lambda: self.empty_polls >= target or not self._armed,
                                       timeout_s)

    def _run(self) -> None:
        generation = -1
        present: bool | None = None  # None: not polled yet in this arming
        while True:
            with self._lock:
                self._lock.wait_for(lambda: self._armed, timeout=None)
                if self._generation != generation:
                    generation, present = self._generation, None
            record, code, absent, reader_down = self._poll()
            with self._lock:
                self.polls += 1
                if absent:
                    self.empty_polls += 1
                self._lock.notify_all()
                current = self._armed and self._generation == generation
            if not current:
                continue
            event: CardEvent | None = None
            if reader_down:
                event = CardEvent(CardPhase.READER, generation, code=code)
                present = None  # once it answers again, a card there is stale
            elif present is None:
                event = CardEvent(CardPhase.READY if absent else CardPhase.STALE, generation)
                present = not absent
            elif absent and present:
                event, present = CardEvent(CardPhase.READY, generation), False
            elif not absent and not present:
                present = True
                event = (CardEvent(CardPhase.PLACED, generation, record=record)
                         if record is not None
                         else CardEvent(CardPhase.UNREADABLE, generation, code=code))
            if event is not None:
                try:
                    self.on_event(event)
                except Exception:  # noqa: BLE001 - the watch must go on
                    _log.exception("ID card event not delivered")
            with self._lock:
                # wait_for calls the predicate before it returns: this iteration's value.
                self._lock.wait_for(lambda: self._generation != generation,  # noqa: B023
                                    self.interval_s if not reader_down else 1.0)

    def _poll(self) -> tuple[IdCardRecord | None, str | None, bool, bool]:
        """(record, problem code, reader empty, reader down) of one read."""
        try:
            return self._read(), None, False, False
        except DeviceError as exc:
            if exc.condition in _ABSENT:
                return None, None, True, False
            if exc.condition is DeviceCondition.CARD_UNSUPPORTED:
                return None, "id_card.unsupported", False, False
            if exc.condition is DeviceCondition.CARD_UNREADABLE:
                return None, "id_card.unreadable", False, False
            return None, "id_card.reader", False, True
        except Exception:  # noqa: BLE001 - a broken driver is a reader problem
            _log.exception("ID card reader read failed")
            return None, "id_card.reader", False, True


# -- the QR login ----------------------------------------------------------------------

@dataclass(frozen=True)
class LoginQr:
    token: str = field(repr=False)
    qr_text: str = field(repr=False)
    expires_at: datetime
    deadline: float  # monotonic time it runs out on this kiosk's clock


@dataclass(frozen=True)
class QrUpdate:
    """What the QR screen shows next: a new `qr`, the taxpayer `identified`, or a
    problem `code` (the loop goes on after `identity.network`)."""

    qr: LoginQr | None = None
    identified: Identified | None = None
    code: str | None = None


class QrLogin:
    """One QR login on a worker thread: get a QR, long-poll it, replace it before it
    runs out (or when the central service says expired/used), until approved or
    stopped. `on_update` is called on the worker thread."""

    def __init__(self, service: IdentityService, on_update: Callable[[QrUpdate], None], *,
                 monotonic: Callable[[], float] = time.monotonic,
                 margin_s: float = QR_REFRESH_MARGIN_S,
                 max_wait_s: float = QR_MAX_WAIT_S, retry_s: float = 2.0) -> None:
        self.service = service
        self.on_update = on_update
        self.monotonic = monotonic
        self.margin_s = margin_s
        self.max_wait_s = max_wait_s
        self.retry_s = retry_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.qr: LoginQr | None = None
        self.issued = 0  # QRs fetched (tests)

    def start(self) -> QrLogin:
        self._thread = threading.Thread(target=self._run, name="qr-login", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def join(self, timeout_s: float) -> None:
        if self._thread is not None:
            self._thread.join(timeout_s)

    def _emit(self, update: QrUpdate) -> None:
        if not self._stop.is_set():
            try:
                self.on_update(update)
            except Exception:  # noqa: BLE001 - e.g. the screen went with its session
                _log.info("QR login update not delivered")

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if self.qr is None or self.qr.deadline - self.monotonic() <= self.margin_s:
                    self.qr = self.service.new_qr(self.monotonic)
                    self.issued += 1
                    self._emit(QrUpdate(qr=self.qr))
                left = self.qr.deadline - self.monotonic() - self.margin_s
                wait = max(0.0, min(self.max_wait_s, self.service.poll_limit_s(), left))
                status, who = self.service.poll_qr(self.qr.token, wait)
            except CentralUnavailable:
                self._emit(QrUpdate(code="identity.network"))
                self._stop.wait(self.retry_s)
                continue
            except IdentityError as exc:
                self._emit(QrUpdate(code=exc.code))
                return
            if self._stop.is_set():
                return
            if status == "approved" and who is not None:
                self._stop.set()
                try:
                    self.on_update(QrUpdate(identified=who))
                except Exception:  # noqa: BLE001
                    _log.info("QR login result not delivered")
                return
            if status in ("expired", "used"):
                self.qr = None  # this one cannot log in any more: show a new one
            elif wait <= 0.0:
                self._stop.wait(0.2)  # a refresh is due; do not spin on a fast answer


# -- the service -----------------------------------------------------------------------

class IdentityService:
    """The blocking calls of identification (run off the GUI thread by the flow) and
    the session's identity holder."""

    def __init__(self, ctx: ServiceContext, session: SessionIdentity) -> None:
        self.ctx = ctx
        self.session = session
        self._net: ThreadPoolExecutor | None = None
        self._card_watch: CardWatch | None = None

    # -- plumbing ------------------------------------------------------------------
    def _call(self, purpose: str, path: str, payload: dict[str, Any],
              timeout_s: float | None = None) -> dict[str, Any]:
        """One sealed call; CentralUnavailable marks the link down, a refusal with a
        known code becomes an IdentityError."""
        ctx = self.ctx
        central: Any = ctx.central

        def call() -> dict[str, Any]:
            if timeout_s is not None:
                try:
                    return central.sealed_call(ctx.keys, purpose, path, payload,
                                               timeout_s=timeout_s)
                except TypeError:  # a client without per-call timeouts
                    pass
            return central.sealed_call(ctx.keys, purpose, path, payload)

        try:
            answer = ctx.as_enrolled(call)
        except CentralUnavailable:
            ctx.connectivity.mark_down()
            raise
        except CentralRejected as exc:
            ctx.connectivity.mark_ok()
            code = exc.reason.split(":", 1)[0].strip()
            if code in CENTRAL_CODES:
                raise IdentityError(exc.reason, code) from None
            raise IdentityError(f"refused ({exc.status})", "central.rejected") from None
        ctx.connectivity.mark_ok()
        if not isinstance(answer, dict):
            raise CentralUnavailable("unreadable answer")
        return answer

    def online(self) -> bool:
        return self.ctx.connectivity.should_try()

    def today(self) -> date:
        """The hall's date (an ID card's last valid day is a date in China)."""
        return hall_time.to_hall(self.ctx.clock.now()).date()

    # -- ID card -------------------------------------------------------------------
    def card_watch(self, on_event: Callable[[CardEvent], None]) -> CardWatch | None:
        """The reader's watch, its events going to `on_event` (the current gate);
        None when no ID card reader is configured."""
        reader = self.ctx.driver("id_card_reader")
        if reader is None:
            return None
        if self._card_watch is None:
            self._card_watch = CardWatch(lambda: reader.read_card(), on_event)
        else:
            self._card_watch.on_event = on_event
        return self._card_watch

    @property
    def watch(self) -> CardWatch | None:
        return self._card_watch

    def check_card(self, record: IdCardRecord) -> str:
        """The card's number after the kiosk's own checks: expiry (hall's date) and
        GB 11643; IdentityError otherwise."""
        if record.expired(self.today()):
            raise IdentityError("the ID card has expired", "id_card.expired",
                                valid_until=record.valid_until)
        try:
            return validate_resident_id(record.id_number, self.today())
        except IdentifierError:
            raise IdentityError("the card's number fails GB 11643", "id_card.invalid") from None

    def identify_card(self, record: IdCardRecord, *, allow_offline: bool) -> Identified:
        """Identify the card's holder: online with the central service (a session), or
        offline from the card alone where `allow_offline` (the service's policy)."""
        number = self.check_card(record)
        person = Taxpayer(tin=number, name=record.name, kind="person", id_number=number)
        valid_until = record.valid_until.isoformat() if record.valid_until else "长期"
        if self.online():
            try:
                answer = self._call("identity.id_card", "identity/id-card",
                                    {"id_number": number, "name": record.name,
                                     "valid_until": valid_until})
                return parse_identity(answer.get("identity"), "id_card")
            except CentralUnavailable:
                if not allow_offline:
                    raise IdentityError("the tax service cannot be reached",
                                        "identity.network") from None
        elif not allow_offline:
            raise IdentityError("the tax service cannot be reached", "identity.network")
        return Identified(subject=person, login=person, method="id_card", offline=True)

    # -- QR ------------------------------------------------------------------------
    def new_qr(self, monotonic: Callable[[], float] = time.monotonic) -> LoginQr:
        answer = self._call("identity.qr", "identity/qr", {})
        token, text = answer.get("token"), answer.get("qr_text")
        if not isinstance(token, str) or not isinstance(text, str) \
                or not text.startswith(QR_PREFIX):
            raise CentralUnavailable("unreadable QR login answer")
        expires_at = _parse_time(answer.get("expires_at"))
        now = self.ctx.clock.now()
        ttl = QR_LIFETIME_S if expires_at is None else (expires_at - now).total_seconds()
        ttl = max(0.0, min(QR_LIFETIME_S, ttl))
        return LoginQr(token, text, expires_at or now + timedelta(seconds=ttl),
                       monotonic() + ttl)

    def poll_limit_s(self) -> float:
        """How long one long-poll may wait: under the HTTP client's read timeout."""
        timeout = float(getattr(self.ctx.config.central, "timeout_s", 3.0))
        return max(0.0, min(QR_MAX_WAIT_S, timeout - 1.0))

    def poll_qr(self, token: str, wait_s: float) -> tuple[str, Identified | None]:
        wait = max(0, min(int(QR_MAX_WAIT_S), int(wait_s)))
        answer = self._call("identity.qr_poll", "identity/qr/poll",
                            {"token": token, "wait_s": wait}, timeout_s=wait + 5.0)
        status = answer.get("status")
        if status == "approved":
            return status, parse_identity(answer.get("identity"), "qr")
        if status in ("pending", "expired", "used"):
            return str(status), None
        raise CentralUnavailable("unreadable QR poll answer")

    def qr_login(self, on_update: Callable[[QrUpdate], None]) -> QrLogin:
        return QrLogin(self, on_update).start()

    # -- password ------------------------------------------------------------------
    @staticmethod
    def normalise_tin(text: str) -> str:
        """A USCC or a resident ID number, upper case; IdentityError `tin.invalid`."""
        value = text.strip().upper()
        for check in (validate_uscc, validate_resident_id):
            try:
                return check(value)
            except IdentifierError:
                continue
        raise IdentityError("neither a credit code nor an ID number", "tin.invalid")

    def login_password(self, tin: str, password: str) -> Identified:
        tin = self.normalise_tin(tin)
        if not password:
            raise IdentityError("no password", "required")
        if len(password) > MAX_PASSWORD:
            raise IdentityError("password too long", "password.too_long")
        if not self.online():
            raise IdentityError("the tax service cannot be reached", "identity.network")
        try:
            answer = self._call("identity.password", "identity/password",
                                {"tin": tin, "password": password})
        except CentralUnavailable:
            raise IdentityError("the tax service cannot be reached",
                                "identity.network") from None
        result = answer.get("result")
        if result == "ok":
            return parse_identity(answer.get("identity"), "password")
        if result == "wrong":
            left = answer.get("tries_left")
            raise IdentityError("wrong password", "login.wrong_password",
                                tries_left=left if isinstance(left, int) else None)
        if result == "locked":
            raise IdentityError("locked", "login.locked",
                                until=_parse_time(answer.get("until")))
        raise CentralUnavailable("unreadable password login answer")

    # -- enterprise ----------------------------------------------------------------
    def act_for(self, who: Identified, tin: str) -> Identified:
        """A new identity acting for enterprise `tin` (one of `who.enterprises`)."""
        if who.session is None or tin not in {e.tin for e in who.enterprises}:
            raise IdentityError("not an enterprise of this login", "identity.no_enterprise")
        try:
            answer = self._call("identity.enterprise", "identity/enterprise",
                                {"session": who.session, "tin": tin})
        except CentralUnavailable:
            raise IdentityError("the tax service cannot be reached",
                                "identity.network") from None
        acting = parse_identity(answer.get("identity"), who.method)
        # The person who identified stays who logged in.
        return replace(acting, login=who.login)

    # -- ending ----------------------------------------------------------------------
    def end(self) -> Future[None] | None:
        """Forget who is identified and end their central session off the caller's
        thread (the session reset calls this on the GUI thread)."""
        if self._card_watch is not None:
            self._card_watch.disarm()
        who = self.session.clear()
        if who is None or who.session is None:
            return None
        token = who.session
        if self._net is None:
            self._net = ThreadPoolExecutor(max_workers=1, thread_name_prefix="identity-net")

        def logout() -> None:
            try:
                self._call("identity.logout", "identity/logout", {"session": token})
            except Exception as exc:  # noqa: BLE001 - it expires by itself in 15 minutes
                _log.info("central session not ended now (%s); it expires by itself",
                          type(exc).__name__)

        return self._net.submit(logout)

    def close(self) -> None:
        if self._card_watch is not None:
            self._card_watch.disarm()
        if self._net is not None:
            self._net.shutdown(wait=True)
            self._net = None


def parse_identity(data: Any, method: str) -> Identified:
    """The central's `identity` object; CentralUnavailable when it is not one."""
    try:
        person = data["person"]
        subject = Taxpayer(tin=str(person["tin"]), name=str(person["name"]),
                           kind="enterprise" if person.get("kind") == "enterprise"
                           else "person", id_number=person.get("id_number") or None)
        enterprises = tuple(Taxpayer(tin=str(e["tin"]), name=str(e["name"]),
                                     kind="enterprise")
                            for e in data.get("enterprises") or ())
        session = data["session"]
        if not isinstance(session, str) or not session:
            raise ValueError("no session")
    except (KeyError, TypeError, ValueError, AttributeError):
        raise CentralUnavailable("unreadable identity in the answer") from None
    return Identified(subject=subject, login=subject, method=method, session=session,
                      expires_at=_parse_time(data.get("expires_at")),
                      enterprises=enterprises)


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def build(ctx: ServiceContext) -> IdentityService:
    session = ctx.identity if ctx.identity is not None else SessionIdentity()
    return IdentityService(ctx, session)
