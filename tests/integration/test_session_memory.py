"""A long day (#9 §5): a session builds only the services it opens, and its reset leaves
nothing behind (every service's screens used to be rebuilt at each idle reset, and three
services' copies of the shared payment screens were never freed: ~90 widgets a
session). The RSS figures themselves are bench/rss.py's."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication


def _session(window, qtbot, *services: str) -> int:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(window.findChild(object, "action.start"), Qt.MouseButton.LeftButton)
    for service in services:
        window.open_service(service)
    window.end_session("idle")
    qtbot.wait(20)  # deferred deletions and the reclaim pass run
    return len(QApplication.allWidgets())


def test_a_session_builds_only_what_it_opens(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(window.findChild(object, "action.start"), Qt.MouseButton.LeftButton)
    assert "calc.bonus" in window.flows  # on this terminal, not built yet
    assert not any(sid.startswith("calc.bonus") for sid in window.screens)
    window.open_service("calc.bonus")
    assert "calc.bonus" in dict(window.flows) and window.current_screen().screen_id \
        .startswith("calc.bonus")
    window.end_session("idle")
    assert set(window.screens) <= {"attract", "home"} and not dict(window.flows)


def test_session_resets_leave_no_widgets_behind(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    paying = [s for s in ("tax.pay", "tax.vehicle", "tax.iit_annual",
                          "tax.social_insurance") if s in window.flows]
    assert len(paying) >= 2, "the payment screens are shared by several services"
    window.build_all_screens()  # every service, shared payment screens once
    assert sum(1 for sid in window.screens if sid.startswith("payment.")) == 3
    first = _session(window, qtbot, "invoice.verify", *paying)
    for _ in range(3):
        assert _session(window, qtbot, "invoice.verify", *paying) == first
