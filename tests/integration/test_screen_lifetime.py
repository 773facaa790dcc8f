"""A session's screens between its end and their deletion, in the real main window.

Regression for a GUI-thread crash (rc 139): end_session unparents the session's screens
and deletes them later; a language switch in that gap reached them as top-level
widgets, arrears.query re-rendered a statement for a taxpayer who was gone, and the
exception escaping changeEvent left PySide's error state set until the GUI thread
crashed. tests/scenarios/pay_card_zh_then_en.yaml and pay_card_en_then_zh.yaml run the
same through whole card payments."""
from __future__ import annotations

import logging

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QAbstractButton, QLabel

from ui.flow.payment import session_of
from ui.main_window import MainWindow
from ui.screens.base import Screen


def texts(screen: Screen) -> list[str]:
    return [w.text() for w in (*screen.findChildren(QLabel),
                               *screen.findChildren(QAbstractButton))]


def deliver_language_change() -> None:
    QCoreApplication.sendPostedEvents(None, QEvent.Type.LanguageChange)


def test_an_ended_sessions_screens_stay_as_they_were_until_deleted(
        window: MainWindow) -> None:
    window.start_session()
    window.flows.get("tax.pay")  # tax.pay's screens and the shared payment.* ones
    old = dict(window.screens)
    assert {"home", "tax.pay", "payment.card", "payment.result"} <= set(old)
    before = {sid: texts(screen) for sid, screen in old.items()}

    window.end_session("finish")
    # The next taxpayer switches to English before the loop deleted them.
    window.set_language("en")
    deliver_language_change()
    session_of(window).changed.emit()  # the window's payment session outlives them
    for sid, screen in old.items():
        assert shiboken6.isValid(screen), sid  # still waiting for deferred deletion
        assert texts(screen) == before[sid], f"{sid} re-rendered after its session"
        assert screen.retired, sid
    # The new session's screens are in English.
    assert texts(window.screen("home")) != before["home"]


NAME, ID_NUMBER = "张三", "110105194912310029"


class _Faulty(Screen):
    """A screen with a bug: its texts cannot be rendered."""

    screen_id = "test.faulty"

    def retranslate(self) -> None:
        raise LookupError(f"{NAME} {ID_NUMBER}")


def test_a_screen_that_fails_to_retranslate_is_logged_and_the_switch_goes_on(
        window: MainWindow, caplog: pytest.LogCaptureFixture) -> None:
    window.start_session()
    window.add_screen(_Faulty(window))
    with caplog.at_level(logging.ERROR, logger="kiosk.ui"):
        window.set_language("en")
        deliver_language_change()  # raised out of Qt before the fix
    failed = [r for r in caplog.records if "retranslate failed" in r.getMessage()]
    assert len(failed) == 1 and "LookupError" in failed[0].getMessage()
    # By type and frames only: never the message (it may hold personal data).
    assert ID_NUMBER not in caplog.text and NAME not in caplog.text
    assert window.home_button.text() == "Home"
    window.end_session("finish")
