"""Identification (`identity.login`, issue #10 §2), Qt-free: the fresh-card rule on a
real reader driver against the pty reader simulator, expired and malformed cards,
offline identity from the card alone, the QR login's refresh and one-time use, and the
password lockout, against the simulated hall's real central service on loopback."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from drivers.id_card.protocol import IdCardRecord
from drivers.id_card.reader import IdCardReader
from drivers.simulators.id_card_sim import SAMPLE_RECORD, SimulatedIdCardReader
from kiosk.app import KioskCore
from kiosk.config import parse_config
from kiosk.services.catalogue import INVOICE_VERIFY, Identity, Policy, spec
from kiosk.services.identity import (
    CardEvent,
    CardPhase,
    CardWatch,
    Identified,
    IdentityError,
    IdentityService,
    QrLogin,
    QrUpdate,
    Taxpayer,
    satisfies,
)
from kiosk.simulation import SimulatedHall

PERSON_ID = SAMPLE_RECORD["id_number"]
PASSWORD = "demo1234"


# -- the fresh-card rule (real driver, simulated reader over a pty) ---------------------

@pytest.fixture
def reader() -> Iterator[tuple[SimulatedIdCardReader, IdCardReader]]:
    sim = SimulatedIdCardReader()
    drv = IdCardReader(sim.connection, timeout_s=1.0)
    yield sim, drv
    drv.close()
    sim.close()


class Events:
    def __init__(self) -> None:
        self.items: list[CardEvent] = []
        self.cond = threading.Condition()

    def __call__(self, event: CardEvent) -> None:
        with self.cond:
            self.items.append(event)
            self.cond.notify_all()

    def wait(self, phase: CardPhase, timeout: float = 5.0) -> CardEvent:
        with self.cond:
            assert self.cond.wait_for(lambda: any(e.phase is phase for e in self.items),
                                      timeout), f"no {phase} in {self.items}"
            return next(e for e in self.items if e.phase is phase)


def test_a_card_already_on_the_reader_is_never_used(reader) -> None:  # type: ignore[no-untyped-def]
    sim, drv = reader
    sim.insert_card()  # left by an earlier taxpayer
    events = Events()
    watch = CardWatch(drv.read_card, events, interval_s=0.05)
    watch.arm()
    events.wait(CardPhase.STALE)
    polls = watch.polls
    while watch.polls < polls + 5:
        time.sleep(0.05)
    assert not any(e.phase is CardPhase.PLACED for e in events.items)
    sim.remove_card()  # taken away: removing it logs nobody out, the gate waits
    events.wait(CardPhase.READY)
    sim.insert_card()  # placed again: now it counts
    placed = events.wait(CardPhase.PLACED)
    assert placed.record is not None and placed.record.id_number == PERSON_ID
    assert "买" not in repr(placed)  # no personal data in a repr
    watch.disarm()


def test_rearming_makes_a_card_left_from_before_stale_again(reader) -> None:  # type: ignore[no-untyped-def]
    sim, drv = reader
    events = Events()
    watch = CardWatch(drv.read_card, events, interval_s=0.05)
    first = watch.arm()
    events.wait(CardPhase.READY)
    sim.insert_card()
    events.wait(CardPhase.PLACED)
    watch.disarm()  # the session ends, the card stays on the reader
    events.items.clear()
    second = watch.arm()  # the next taxpayer's gate
    stale = events.wait(CardPhase.STALE)
    assert stale.generation == second != first
    time.sleep(0.3)
    assert not any(e.phase is CardPhase.PLACED for e in events.items)
    watch.disarm()


# -- the core against the simulated hall ------------------------------------------------

@pytest.fixture
def hall(tmp_path: Path) -> Iterator[SimulatedHall]:
    h = SimulatedHall(tmp_path / "hall").start()
    yield h
    h.stop()


@pytest.fixture
def core(hall: SimulatedHall, tmp_path: Path) -> Iterator[KioskCore]:
    base = parse_config({"data_dir": str(tmp_path / "kiosk"), "kiosk_id": "id-kiosk"})
    base = replace(base, central=replace(base.central, offline_grace_s=0.0))
    c = KioskCore(hall.kiosk_config(base)).start(background_sync=False)
    yield c
    c.stop()


@pytest.fixture
def service(core: KioskCore) -> IdentityService:
    s = core.service("identity.login")
    assert isinstance(s, IdentityService)
    return s


def card(**fields: object) -> IdCardRecord:
    values: dict[str, object] = {
        "name": SAMPLE_RECORD["name"], "gender": "男", "nation_code": "01", "nation": "汉",
        "birth": date(1949, 12, 31), "address": SAMPLE_RECORD["address"],
        "id_number": PERSON_ID, "authority": SAMPLE_RECORD["authority"],
        "valid_from": date(2015, 1, 1), "valid_until": None}
    values.update(fields)
    return IdCardRecord(**values)  # type: ignore[arg-type]


def test_an_expired_card_is_refused_with_its_last_day(service: IdentityService) -> None:
    last_day = service.today() - timedelta(days=1)
    with pytest.raises(IdentityError) as info:
        service.identify_card(card(valid_until=last_day), allow_offline=True)
    assert info.value.code == "id_card.expired" and info.value.valid_until == last_day
    assert not service.session.identified
    # Valid through its last day (China's date).
    service.check_card(card(valid_until=service.today()))


def test_a_number_failing_gb11643_is_refused(service: IdentityService) -> None:
    with pytest.raises(IdentityError) as info:
        service.identify_card(card(id_number=PERSON_ID[:-1] + "1"), allow_offline=True)
    assert info.value.code == "id_card.invalid"


def test_the_card_identifies_online_with_a_central_session(service: IdentityService) -> None:
    who = service.identify_card(card(), allow_offline=False)
    assert not who.offline and who.session and who.subject.tin == PERSON_ID
    assert who.subject.masked_name() == "买****力"
    assert who.login.masked_tin() == "110***********002X"
    assert who.session not in repr(who)


def test_offline_the_card_alone_identifies_where_the_policy_allows(
        hall: SimulatedHall, core: KioskCore, service: IdentityService) -> None:
    assert hall.network is not None
    hall.network.set_online(False)
    core.connectivity.mark_down()
    who = service.identify_card(card(), allow_offline=True)
    assert who.offline and who.session is None and who.subject.tin == PERSON_ID
    with pytest.raises(IdentityError) as info:
        service.identify_card(card(), allow_offline=False)
    assert info.value.code == "identity.network"
    with pytest.raises(IdentityError) as info:  # passwords need the central service
        service.login_password(PERSON_ID, PASSWORD)
    assert info.value.code == "identity.network"
    # An online-only service needs the gate again for a central session.
    online_only = replace(INVOICE_VERIFY, identity=Identity.PERSON, policy=Policy.ONLINE_ONLY)
    assert not satisfies(who, online_only)
    assert satisfies(who, replace(online_only, policy=Policy.QUEUE))


def test_the_password_lockout_counts_down_then_locks(service: IdentityService) -> None:
    left = []
    for _ in range(5):
        with pytest.raises(IdentityError) as info:
            service.login_password(PERSON_ID, "wrong-password")
        assert info.value.code in ("login.wrong_password", "login.locked")
        left.append(info.value.tries_left)
    assert left[:4] == [4, 3, 2, 1]
    with pytest.raises(IdentityError) as info:  # even the right one, while locked
        service.login_password(PERSON_ID, PASSWORD)
    assert info.value.code == "login.locked" and info.value.until is not None
    assert info.value.until > service.ctx.clock.now()


def test_bad_tins_and_long_passwords_are_refused_before_sending(
        service: IdentityService) -> None:
    for tin, code in (("12345", "tin.invalid"), (PERSON_ID, "password.too_long")):
        with pytest.raises(IdentityError) as info:
            service.login_password(tin, "x" * 200)
        assert info.value.code == code
    assert service.login_password(PERSON_ID.lower(), PASSWORD).subject.tin == PERSON_ID


def _approve(hall: SimulatedHall, token: str) -> httpx.Response:
    return httpx.post(f"{hall.central_url}/v1/login/qr/{token}/approve",
                      json={"tin": PERSON_ID}, timeout=5)


def test_the_login_qr_is_replaced_before_it_runs_out(service: IdentityService) -> None:
    updates: list[QrUpdate] = []
    # A refresh margin of 119.5 s: each 120 s code is replaced half a second after.
    login = QrLogin(service, updates.append, margin_s=119.5, max_wait_s=0.2).start()
    deadline = time.monotonic() + 8
    while login.issued < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    login.stop()
    login.join(5)
    tokens = [u.qr.token for u in updates if u.qr is not None]
    assert len(set(tokens)) >= 3
    assert all(u.qr.qr_text.startswith("TAXLOGIN:") for u in updates if u.qr is not None)


def test_an_approved_qr_logs_in_once_then_is_used(hall: SimulatedHall,
                                                  service: IdentityService) -> None:
    got: list[QrUpdate] = []
    done = threading.Event()

    def update(u: QrUpdate) -> None:
        got.append(u)
        if u.identified is not None:
            done.set()

    login = service.qr_login(update)
    deadline = time.monotonic() + 5
    while login.qr is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert login.qr is not None
    token = login.qr.token
    assert _approve(hall, token).status_code in (200, 204)
    assert done.wait(8)
    who = next(u.identified for u in got if u.identified is not None)
    assert isinstance(who, Identified) and who.method == "qr" and who.session
    # One time only: the kiosk polling again is told "used"; approving again is refused.
    assert service.poll_qr(token, 0) == ("used", None)
    assert _approve(hall, token).status_code == 409


def test_session_end_forgets_the_identity_and_ends_the_central_session(
        core: KioskCore, service: IdentityService) -> None:
    who = service.identify_card(card(), allow_offline=False)
    core.identity.set(who)
    assert core.identity.session_token() == who.session
    future = service.end()
    assert core.identity.current is None
    assert future is not None
    future.result(timeout=10)
    # The ended session no longer acts for anyone.
    with pytest.raises(IdentityError) as info:
        service.act_for(replace(who, enterprises=(Taxpayer("x", "x", "enterprise"),)), "x")
    assert info.value.code == "session.expired"
