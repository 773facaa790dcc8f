"""The look-up screens of issue #10 §3 through the real window (offscreen) and the
simulated hall: the gate first (the person may act for themself or an enterprise),
each screen in Chinese and English, masking on screen, "no tax owed", the consent
screen refusing a consent with no bank chosen, the notice count on the home tile,
and a session the central no longer knows (clear message, sign in again)."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel, QPushButton

from central.demo_data import DEMO_ENTERPRISE_TIN, DEMO_PERSON_ID
from kiosk.app import KioskCore
from kiosk.simulation import SimulatedHall
from ui.main_window import MainWindow
from ui.ops import tracker

LANGS = ("zh", "en")


def named(window: MainWindow, cls: type, name: str):  # type: ignore[no-untyped-def]
    return next(w for w in window.findChildren(cls, name) if w.isVisible())


def on(window: MainWindow, screen_id: str) -> bool:
    return window.current_screen().screen_id == screen_id


def shown(window: MainWindow) -> str:
    return "\n".join(w.text() for w in window.findChildren(QLabel) if w.isVisible())


def open_signed_in(qtbot, window: MainWindow, hall: SimulatedHall, core: KioskCore,  # type: ignore[no-untyped-def]
                   service_id: str, lang: str, acting_for: str = "self") -> None:
    hall.id_card.remove_card()  # a card placed while the gate shows counts
    window.start_session(lang)
    window.open_service(service_id)
    assert on(window, "identity.login")
    watch = core.service("identity.login").watch
    qtbot.waitUntil(lambda: watch is not None and watch.armed)
    seen = watch.empty_polls
    qtbot.waitUntil(lambda: watch.empty_polls > seen)
    hall.id_card.insert_card()
    qtbot.waitUntil(lambda: on(window, "identity.login.enterprise"), timeout=10_000)
    named(window, QPushButton, f"item.{acting_for}").click()
    qtbot.waitUntil(lambda: on(window, service_id), timeout=5000)
    flow = window.flows[service_id]
    qtbot.waitUntil(lambda: flow.result is not None or flow.error is not None, timeout=10_000)


@pytest.mark.parametrize("lang", LANGS)
def test_registration_masked(qtbot, window: MainWindow, core: KioskCore,  # type: ignore[no-untyped-def]
                             hall: SimulatedHall, lang: str) -> None:
    open_signed_in(qtbot, window, hall, core, "taxpayer.info", lang)
    text = shown(window)
    assert ("登记状态：正常" if lang == "zh" else "Status: Normal") in text
    assert "110***********002X" in text and "买****力" in text
    assert DEMO_PERSON_ID not in text


@pytest.mark.parametrize("lang", LANGS)
def test_no_tax_owed_and_the_enterprise_s_arrears(qtbot, window: MainWindow,  # type: ignore[no-untyped-def]
                                                  core: KioskCore, hall: SimulatedHall,
                                                  lang: str) -> None:
    open_signed_in(qtbot, window, hall, core, "arrears.query", lang)
    assert named(window, QLabel, "label.headline").text() == (
        "无欠税" if lang == "zh" else "No tax owed")
    assert not any(b.isVisible() for b in window.findChildren(QPushButton, "action.pay"))
    named(window, QPushButton, "action.logout").click()
    qtbot.waitUntil(lambda: on(window, "attract"))
    open_signed_in(qtbot, window, hall, core, "arrears.query", lang, DEMO_ENTERPRISE_TIN)
    headline = named(window, QLabel, "label.headline").text()
    assert headline.startswith("应缴总额 ¥ 13," if lang == "zh" else "Total to pay ¥ 13,")
    assert "¥ 13,150.00" in named(window, QLabel, "label.summary").text()


def test_consent_needs_a_bank_chosen_explicitly(qtbot, window: MainWindow,  # type: ignore[no-untyped-def]
                                                core: KioskCore, hall: SimulatedHall) -> None:
    open_signed_in(qtbot, window, hall, core, "credit.rating", "en", DEMO_ENTERPRISE_TIN)
    named(window, QPushButton, "action.consent").click()
    qtbot.waitUntil(lambda: on(window, "credit.rating.consent"))
    pending = core.outbox.pending_count()
    named(window, QPushButton, "action.confirm").click()
    qtbot.waitUntil(lambda: "choose one of the banks" in shown(window))
    assert core.outbox.pending_count() == pending  # nothing stored
    named(window, QPushButton, "bank.ccb").click()
    named(window, QPushButton, "action.confirm").click()
    qtbot.waitUntil(lambda: on(window, "credit.rating.done"), timeout=5000)
    assert core.outbox.pending_count() == pending + 1
    assert "China Construction Bank" in shown(window)


def test_notice_count_on_the_home_tile(qtbot, window: MainWindow,  # type: ignore[no-untyped-def]
                                       core: KioskCore, hall: SimulatedHall) -> None:
    open_signed_in(qtbot, window, hall, core, "notices", "zh")
    assert named(window, QLabel, "label.headline").text() == "2 条未读"
    first = next(iter(window.flows["notices"].result))
    named(window, QPushButton, f"item.{first.id}").click()
    assert named(window, QLabel, "label.headline").text() == "1 条未读"
    window.show_screen("home")
    tile = named(window, QLabel, "label.title.notices")
    qtbot.waitUntil(lambda: tile.text() == "我的消息 (1)")
    # The next visit: the central service kept the read, the count is still 1.
    tracker.wait_idle()
    named(window, QPushButton, "action.logout").click()
    qtbot.waitUntil(lambda: on(window, "attract"))
    open_signed_in(qtbot, window, hall, core, "notices", "zh")
    assert named(window, QLabel, "label.headline").text() == "1 条未读"


def test_an_expired_session_says_so_and_signs_in_again(qtbot, window: MainWindow,  # type: ignore[no-untyped-def]
                                                       core: KioskCore,
                                                       hall: SimulatedHall) -> None:
    open_signed_in(qtbot, window, hall, core, "progress.query", "en")
    who = core.identity.current
    core.service("identity.login")._call("identity.logout", "identity/logout",
                                         {"session": who.session})
    named(window, QPushButton, "action.refresh").click()
    qtbot.waitUntil(lambda: "sign-in has expired" in shown(window), timeout=5000)
    assert core.identity.current is None
    again = named(window, QPushButton, "action.refresh")
    assert again.text() == "Sign in again"
    again.click()
    qtbot.waitUntil(lambda: on(window, "identity.login"))
