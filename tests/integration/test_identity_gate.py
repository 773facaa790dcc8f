"""The identity gate through the real window (offscreen) and the simulated hall: each
way to sign in, in Chinese and in English; a card left on the reader; the top bar's
masked name and sign-out; a service that needs identity opens the gate first and
continues where the taxpayer was."""
from __future__ import annotations

import sys
import types
from dataclasses import replace

import httpx
import pytest
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton

from drivers.simulators.id_card_sim import SAMPLE_RECORD
from kiosk.app import KioskCore
from kiosk.services import catalogue
from kiosk.services.catalogue import INVOICE_VERIFY, Group, Identity, IdentityMethod, Policy
from kiosk.simulation import SimulatedHall
from ui.flow import core_api
from ui.flow.base import FlowScreen
from ui.flow.flow import ServiceFlow
from ui.main_window import MainWindow

PERSON_ID = SAMPLE_RECORD["id_number"]
MASKED_NAME = "买****力"
LANGS = ("zh", "en")


def named(window: MainWindow, cls: type, name: str):  # type: ignore[no-untyped-def]
    return next(w for w in window.findChildren(cls, name) if w.isVisible())


def visible(window: MainWindow, cls: type, name: str) -> bool:
    return any(w.isVisible() for w in window.findChildren(cls, name))


def on(window: MainWindow, screen_id: str) -> bool:
    return window.current_screen().screen_id == screen_id


def signed_in_as_myself(qtbot, window: MainWindow, core: KioskCore) -> None:  # type: ignore[no-untyped-def]
    """The demo person acts for two enterprises: from the home screen they pick."""
    qtbot.waitUntil(lambda: on(window, "identity.login.enterprise"), timeout=10_000)
    named(window, QPushButton, "item.self").click()
    qtbot.waitUntil(lambda: on(window, "identity.login.done"), timeout=5000)
    who = core.identity.current
    assert who is not None and who.subject.tin == PERSON_ID and not who.offline
    qtbot.waitUntil(lambda: visible(window, QPushButton, "action.logout"))
    assert named(window, QLabel, "label.identity").text() == MASKED_NAME
    assert PERSON_ID not in "\n".join(w.text() for w in window.findChildren(QLabel))
    assert "110***********002X" in named(window, QLabel, "label.details").text()


def sign_out(qtbot, window: MainWindow, core: KioskCore) -> None:  # type: ignore[no-untyped-def]
    named(window, QPushButton, "action.logout").click()
    qtbot.waitUntil(lambda: on(window, "attract"))
    assert core.identity.current is None


def open_gate(qtbot, window: MainWindow, lang: str) -> None:  # type: ignore[no-untyped-def]
    window.start_session(lang)
    window.open_service("identity.login")
    assert on(window, "identity.login")


@pytest.mark.parametrize("lang", LANGS)
def test_id_card_placed_on_the_gate_signs_in_with_no_tap(
        qtbot, window: MainWindow, core: KioskCore, hall: SimulatedHall, lang: str) -> None:  # type: ignore[no-untyped-def]
    open_gate(qtbot, window, lang)
    watch = core.service("identity.login").watch
    qtbot.waitUntil(lambda: watch is not None and watch.armed and watch.empty_polls > 0)
    hall.id_card.insert_card()
    signed_in_as_myself(qtbot, window, core)
    hall.id_card.remove_card()  # taking the card away does not sign out
    qtbot.wait(500)
    assert core.identity.current is not None
    sign_out(qtbot, window, core)


def test_a_card_left_on_the_reader_must_be_placed_again(
        qtbot, window: MainWindow, core: KioskCore, hall: SimulatedHall) -> None:  # type: ignore[no-untyped-def]
    hall.id_card.insert_card()  # forgotten by someone before
    open_gate(qtbot, window, "en")
    qtbot.waitUntil(lambda: visible(window, QLabel, "label.card_note"))
    assert "take it away" in named(window, QLabel, "label.card_note").text()
    qtbot.wait(800)
    assert core.identity.current is None and on(window, "identity.login")
    watch = core.service("identity.login").watch
    seen = watch.empty_polls
    hall.id_card.remove_card()
    qtbot.waitUntil(lambda: watch.empty_polls > seen)
    hall.id_card.insert_card()
    signed_in_as_myself(qtbot, window, core)


def test_an_expired_card_is_refused_with_the_reason(
        qtbot, window: MainWindow, core: KioskCore, hall: SimulatedHall) -> None:  # type: ignore[no-untyped-def]
    open_gate(qtbot, window, "en")
    watch = core.service("identity.login").watch
    qtbot.waitUntil(lambda: watch.empty_polls > 0)
    hall.id_card.insert_card({"valid_from": "20000101", "valid_until": "20200101"})
    qtbot.waitUntil(lambda: on(window, "identity.login.id_card"))
    qtbot.waitUntil(lambda: visible(window, QLabel, "label.error"), timeout=5000)
    assert "expired on 2020-01-01" in named(window, QLabel, "label.error").text()
    assert core.identity.current is None


@pytest.mark.parametrize("lang", LANGS)
def test_scan_to_login_with_the_tax_app(qtbot, window: MainWindow, core: KioskCore,  # type: ignore[no-untyped-def]
                                        hall: SimulatedHall, lang: str) -> None:
    open_gate(qtbot, window, lang)
    named(window, QPushButton, "action.login.qr").click()
    flow = window.flows["identity.login"]
    qtbot.waitUntil(lambda: flow.qr is not None, timeout=5000)
    image = named(window, QLabel, "image.qr")
    assert not image.pixmap().isNull()
    countdown = named(window, QLabel, "label.countdown").text()
    assert ("1:5" in countdown or "2:00" in countdown), countdown
    r = httpx.post(f"{hall.central_url}/v1/login/qr/{flow.qr.token}/approve",
                   json={"tin": PERSON_ID}, timeout=5)
    assert r.status_code in (200, 204)
    signed_in_as_myself(qtbot, window, core)
    sign_out(qtbot, window, core)


@pytest.mark.parametrize("lang", LANGS)
def test_password_wrong_then_right(qtbot, window: MainWindow, core: KioskCore, lang: str) -> None:  # type: ignore[no-untyped-def]
    open_gate(qtbot, window, lang)
    named(window, QPushButton, "action.login.password").click()
    assert on(window, "identity.login.password")
    tin = named(window, QLineEdit, "field.tin")
    password = named(window, QLineEdit, "field.password")
    assert password.echoMode() is QLineEdit.EchoMode.Password
    screen = window.current_screen()
    tin.setFocus()
    for ch in PERSON_ID.lower():  # the keypad: digits, and X from the letter rows
        screen.keypad.press(ch)
    assert tin.text() == PERSON_ID  # letters of a code are typed in upper case
    password.setFocus()
    screen._target("password")
    for ch in "wrong1":
        screen.keypad.press(ch)
    named(window, QPushButton, "action.confirm").click()
    qtbot.waitUntil(lambda: visible(window, QLabel, "label.error"), timeout=5000)
    assert "4" in named(window, QLabel, "label.error").text()
    assert password.text() == ""  # never kept after an attempt
    password.setText("demo1234")
    named(window, QPushButton, "action.confirm").click()
    signed_in_as_myself(qtbot, window, core)


def test_offline_qr_and_password_say_they_need_the_network(
        qtbot, window: MainWindow, core: KioskCore, hall: SimulatedHall) -> None:  # type: ignore[no-untyped-def]
    hall.network.set_online(False)
    core.connectivity.mark_down()
    open_gate(qtbot, window, "en")
    for method in ("qr", "password"):
        assert not named(window, QPushButton, f"action.login.{method}").isEnabled()
        assert "network" in named(window, QLabel, f"label.unavailable.{method}").text()
    assert named(window, QPushButton, "action.login.id_card").isEnabled()
    watch = core.service("identity.login").watch
    qtbot.waitUntil(lambda: watch.empty_polls > 0)
    hall.id_card.insert_card()
    qtbot.waitUntil(lambda: on(window, "identity.login.done"), timeout=10_000)
    who = core.identity.current
    assert who is not None and who.offline and who.session is None
    assert named(window, QLabel, "label.offline_note").text()


# -- the gate in front of a service that needs identity ---------------------------------

NEEDS_ID = replace(INVOICE_VERIFY, id="test.needs_id", entry_screen="test.needs_id",
                   title_zh="测试业务", title_en="Test service",
                   group=Group.LOOKUP, policy=Policy.QUEUE, scans=(), record_kinds=(),
                   factory=None, identity=Identity.PERSON,
                   identity_methods=(IdentityMethod.ID_CARD, IdentityMethod.PASSWORD))


class NeedsIdFlow(ServiceFlow):
    pass


class NeedsIdScreen(FlowScreen):
    screen_id = "test.needs_id"


@pytest.fixture
def gated(core: KioskCore, monkeypatch: pytest.MonkeyPatch) -> None:
    """A service that needs identity, in the catalogue before the window is built."""
    extended = (*catalogue.CATALOGUE, NEEDS_ID)
    monkeypatch.setattr(catalogue, "CATALOGUE", extended)
    monkeypatch.setattr(core_api, "CATALOGUE", extended)
    monkeypatch.setattr(catalogue.spec, "__defaults__", (extended,))
    monkeypatch.setattr(core, "catalogue", extended)
    module = types.ModuleType("ui.screens.test_needs_id")
    module.FLOW = NeedsIdFlow  # type: ignore[attr-defined]
    module.SCREENS = (NeedsIdScreen,)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ui.screens.test_needs_id", module)


def test_a_service_that_needs_identity_opens_the_gate_then_continues(
        gated: None, qtbot, window: MainWindow, core: KioskCore, hall: SimulatedHall) -> None:  # type: ignore[no-untyped-def]
    window.start_session("en")
    window.open_service("test.needs_id")
    assert on(window, "identity.login")
    assert "Test" in named(window, QLabel, "label.title").text()  # what it signs in for
    assert not visible(window, QPushButton, "action.login.qr")  # not one of its methods
    watch = core.service("identity.login").watch
    qtbot.waitUntil(lambda: watch.empty_polls > 0)
    hall.id_card.insert_card()
    qtbot.waitUntil(lambda: on(window, "test.needs_id"), timeout=10_000)  # no pick: a person service
    window.show_screen("home")
    window.open_service("test.needs_id")  # identified: straight in
    assert on(window, "test.needs_id")
    window.end_session("finish")
    assert core.identity.current is None
    window.start_session("en")
    window.open_service("test.needs_id")  # a new session: the gate again
    assert on(window, "identity.login")
