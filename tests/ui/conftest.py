"""Shared fixtures for the pytest-qt UI tests (offscreen, no fixed sleeps)."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QCoreApplication, QEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from ui.i18n import Translations  # noqa: E402
from ui.idle import ManualClock  # noqa: E402
from ui.ops import tracker  # noqa: E402
from ui.theme import NORMAL, Theme  # noqa: E402
from ui.units import Units  # noqa: E402


@pytest.fixture
def units() -> Units:
    """The reference panel: 23.8" 1080p, about 93 PPI."""
    return Units(ppi=93.0)


@pytest.fixture
def manual_clock() -> ManualClock:
    return ManualClock()


def flush_language_change() -> None:
    """LanguageChange is posted to every widget; deliver it now."""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.LanguageChange)


@pytest.fixture(name="flush_language_change")
def _flush_language_change_fixture() -> Callable[[], None]:
    return flush_language_change


@pytest.fixture
def translations(qapp: QApplication) -> Iterator[Translations]:
    """A Translations object; English again (translator removed) after the test."""
    t = Translations(qapp)
    yield t
    t.uninstall()
    flush_language_change()


@pytest.fixture
def zh(translations: Translations) -> Translations:
    translations.set_language("zh")
    flush_language_change()
    return translations


@pytest.fixture
def themed(qapp: QApplication, units: Units) -> Iterator[Theme]:
    """The normal theme for one test; the app's previous look is restored after."""
    old_sheet, old_font, old_palette = qapp.styleSheet(), qapp.font(), qapp.palette()
    theme = Theme(NORMAL, units)
    theme.apply(qapp)
    yield theme
    qapp.setStyleSheet(old_sheet)
    qapp.setFont(old_font)
    qapp.setPalette(old_palette)


@pytest.fixture(autouse=True)
def _drain_background_ops() -> Iterator[None]:
    """Let background ops finish inside the test that started them, so no callback
    lands in a later test."""
    yield
    tracker.wait_idle(timeout_s=5.0)


@pytest.fixture
def kit_window(qapp: QApplication, qtbot: Any, tmp_path: Path) -> Iterator[Any]:
    """The real main window without a core, in Chinese, at a portrait panel's size:
    where the flow kit's screens are tried."""
    from kiosk.config import parse_config
    from ui.main_window import MainWindow

    config = parse_config({"data_dir": str(tmp_path / "kiosk"), "kiosk_id": "kit"})
    translations = Translations(qapp, default_language="zh")
    translations.reset()
    flush_language_change()
    w = MainWindow(config, translations, kiosk_mode=False)
    qtbot.addWidget(w)
    w.resize(1080, 1600)
    w.show()
    qtbot.waitExposed(w)
    yield w
    tracker.wait_idle(timeout_s=5.0)
    translations.uninstall()
    flush_language_change()
