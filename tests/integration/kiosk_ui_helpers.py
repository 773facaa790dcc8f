"""Helpers shared by the integration tests (a unique module name: conftest is not).
tests/security and tests/ui put this folder on sys.path to use them too."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kiosk.app import KioskCore
from ui.i18n import Translations
from ui.idle import ManualClock
from ui.main_window import MainWindow
from ui.ops import tracker


@contextmanager
def shown_window(qapp: Any, qtbot: Any, core: KioskCore, language: str = "zh",
                 idle_clock: ManualClock | None = None) -> Iterator[MainWindow]:
    """The real main window on a started core, portrait 1080x1600, shown and exposed
    offscreen in `language`; afterwards background ops finish and the idle filter and
    translator are removed, so nothing reaches the next test."""
    translations = Translations(qapp, default_language=language)
    translations.reset()
    window = MainWindow(core.config, translations, core=core,
                        idle_clock=idle_clock or ManualClock(), kiosk_mode=False)
    qtbot.addWidget(window)
    window.resize(1080, 1600)
    window.show()
    qtbot.waitExposed(window)
    try:
        yield window
    finally:
        tracker.wait_idle(timeout_s=10.0)
        window.shutdown()  # before the core fixture stops the core
        window.idle.uninstall()
        translations.uninstall()


def visible_text(window: MainWindow) -> str:
    from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit

    return "\n".join(w.text() for cls in (QLabel, QAbstractButton, QLineEdit)
                     for w in window.findChildren(cls) if w.isVisible() and w.text())
