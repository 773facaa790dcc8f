"""The out-of-service notice's look (issue #14 §2) over the real main window: the
header band's colours, the alternative large in a callout beside the reason on a
landscape panel and under it on a portrait one, icons that follow the high-contrast
theme, and the hall's nearest counter ([ui] nearest_counter) offered to staff."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from kiosk.config import ConfigError, parse_config
from ui.screens.out_of_service import ALTERNATIVES, OutOfServiceStaffScreen, alternatives
from ui.theme import HIGH_CONTRAST, NORMAL, Theme

NOTICE = {"reason_zh": "打印纸已用完", "reason_en": "This terminal is out of paper",
          "alternative_zh": "请到 3 号窗口", "alternative_en": "Please go to counter 3"}


def _ink(label) -> set[str]:  # type: ignore[no-untyped-def]
    """The opaque colours of a label's pixmap (an icon)."""
    image = label.pixmap().toImage()
    return {QColor(image.pixel(x, y)).name().upper()
            for x in range(image.width()) for y in range(image.height())
            if QColor.fromRgba(image.pixel(x, y)).alpha() == 255}


def test_notice_turns_with_the_panel_and_puts_the_alternative_first(  # type: ignore[no-untyped-def]
        window, core, qtbot) -> None:
    core.out_of_service.set_local(NOTICE)
    notice = window.out_of_service.notice
    qtbot.waitUntil(notice.isVisible, timeout=5000)
    callout = notice.callout
    reason = notice.labels["reason_zh"]
    alternative = notice.labels["alternative_zh"]
    assert callout.property("role") == "callout"
    assert alternative.text() == "请到 3 号窗口"
    # The alternative is the largest text on the notice after the title.
    assert alternative.fontInfo().pixelSize() > reason.fontInfo().pixelSize()
    assert notice.labels["title_zh"].parentWidget().property("role") == "header"

    window.resize(1080, 1920)
    qtbot.waitUntil(lambda: notice.height() == window.height(), timeout=3000)
    qtbot.waitUntil(lambda: callout.geometry().top() > reason.mapTo(notice, reason.rect()
                                                                      .bottomLeft()).y(),
                    timeout=3000)
    assert notice.content.orientation == "portrait"
    window.resize(1920, 1080)
    qtbot.waitUntil(lambda: notice.content.orientation == "landscape", timeout=3000)
    qtbot.waitUntil(lambda: callout.geometry().left()
                    > reason.mapTo(notice, reason.rect().topRight()).x(), timeout=3000)
    assert notice.geometry() == window.rect()
    for w in (callout, reason, alternative):
        assert notice.rect().contains(w.mapTo(notice, w.rect().bottomRight()))


def test_notice_icons_follow_the_theme(window, core, qtbot, qapp: QApplication) -> None:  # type: ignore[no-untyped-def]
    core.out_of_service.set_local(NOTICE)
    notice = window.out_of_service.notice
    qtbot.waitUntil(notice.isVisible, timeout=5000)
    assert NORMAL.on_header.upper() in _ink(notice.band_icon)
    assert NORMAL.on_primary.upper() in _ink(notice.callout_icon)
    sheet, palette = qapp.styleSheet(), qapp.palette()
    try:
        Theme(HIGH_CONTRAST, window.units).apply(qapp)
        core.out_of_service.clear_local()
        qtbot.waitUntil(lambda: not notice.isVisible(), timeout=5000)
        core.out_of_service.set_local(NOTICE)  # shown again: drawn in the theme of now
        qtbot.waitUntil(notice.isVisible, timeout=5000)
        assert _ink(notice.callout_icon) <= {HIGH_CONTRAST.on_primary.upper()}
        assert NORMAL.on_primary.upper() not in _ink(notice.callout_icon)
    finally:
        Theme(NORMAL, window.units).apply(qapp)
        qapp.setStyleSheet(sheet)
        qapp.setPalette(palette)


def test_staff_are_offered_the_nearest_counter(window) -> None:  # type: ignore[no-untyped-def]
    assert window.config.ui.nearest_counter == "3"  # the simulated hall's
    screen = OutOfServiceStaffScreen(window)
    first = screen.alternative_choices[0]
    assert first == ("nearest_counter", "请到 3 号窗口", "Please go to counter 3")
    assert alternatives("") == ALTERNATIVES


@pytest.mark.parametrize("bad", ["3 号", "x" * 13, "3\n", 3])
def test_nearest_counter_is_checked(bad: object, tmp_path: Path) -> None:
    base = {"data_dir": str(tmp_path), "kiosk_id": "k1"}
    with pytest.raises(ConfigError, match="nearest_counter"):
        parse_config({**base, "ui": {"nearest_counter": bad}})
    assert parse_config({**base, "ui": {"nearest_counter": "A12"}}).ui.nearest_counter == "A12"
    assert parse_config(base).ui.nearest_counter == ""
