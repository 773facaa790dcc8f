"""The header, the busy animations and the layout helpers (issue #9, "How it looks")."""
from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication, QHBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from kiosk.config import ConfigError, parse_config
from ui import layout
from ui.theme import Theme
from ui.widgets import busy
from ui.widgets.buttons import make_button
from ui.widgets.header import Header, format_date, hall_label

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _config(tmp_path: Path, **ui: object):  # type: ignore[no-untyped-def]
    return parse_config({"data_dir": str(tmp_path), "kiosk_id": "kiosk-07",
                         "hall_id": "sz-nanshan-1", "ui": ui})


# -- config -----------------------------------------------------------------------------

def test_ui_settings_for_the_look(tmp_path: Path) -> None:
    c = _config(tmp_path, hall_name="南山区第一办税服务厅", hall_name_en="Nanshan Hall 1",
                orientation="landscape")
    assert (c.ui.hall_name, c.ui.hall_name_en, c.ui.orientation) == \
        ("南山区第一办税服务厅", "Nanshan Hall 1", "landscape")
    assert _config(tmp_path).ui.orientation == "portrait"
    for bad in ({"orientation": "upside-down"}, {"hall_name": "two\nlines"},
                {"hall_name_en": "x" * 61}, {"hall_name": 3}):
        with pytest.raises(ConfigError):
            _config(tmp_path, **bad)


# -- header -----------------------------------------------------------------------------

def test_hall_label_falls_back(tmp_path: Path) -> None:
    both = _config(tmp_path, hall_name="南山厅", hall_name_en="Nanshan Hall")
    assert hall_label(both, "zh") == "南山厅" and hall_label(both, "en") == "Nanshan Hall"
    zh_only = _config(tmp_path, hall_name="南山厅")
    assert hall_label(zh_only, "en") == "南山厅"
    assert hall_label(_config(tmp_path), "zh") == "sz-nanshan-1"


def test_date_in_both_languages() -> None:
    moment = datetime(2026, 3, 5, 9, 30, tzinfo=SHANGHAI)
    assert format_date(moment, "zh") == "2026年3月5日 星期四"
    assert format_date(moment, "en") == "Thu 5 Mar 2026"


def test_header_shows_hall_terminal_and_hall_time(qtbot: QtBot, themed: Theme,
                                                 tmp_path: Path, zh) -> None:  # type: ignore[no-untyped-def]
    config = _config(tmp_path, hall_name="南山区第一办税服务厅", hall_name_en="Nanshan Hall 1")
    language = {"now": "zh"}
    moment = datetime(2026, 3, 5, 14, 5, 30, tzinfo=SHANGHAI)
    header = Header(config, lambda: language["now"], now=lambda: moment)
    qtbot.addWidget(header)
    assert header.product.text() == "自助办税终端"
    assert "南山区第一办税服务厅" in header.hall.text() and "kiosk-07" in header.hall.text()
    assert header.clock.text() == "14:05"
    assert header.date.text() == "2026年3月5日 星期四"
    # The clock wakes at the next minute, not every second.
    assert 29_000 <= header._tick.remainingTime() <= 31_000
    language["now"] = "en"
    header.retranslate()
    assert "Nanshan Hall 1" in header.hall.text()
    assert header.date.text() == "Thu 5 Mar 2026"


def test_action_bar_mounts_under_the_band_with_icons(qtbot: QtBot, themed: Theme,
                                                    tmp_path: Path) -> None:
    header = Header(_config(tmp_path), lambda: "en")
    qtbot.addWidget(header)
    bar = QWidget()
    row = QHBoxLayout(bar)
    home = make_button("Home", "action.home")
    other = make_button("Other", "action.unknown")
    row.addWidget(home)
    row.addWidget(other)
    header.set_action_bar(bar)
    assert bar.parent() is header and bar.property("role") == "actionbar"
    assert not home.icon().isNull() and other.icon().isNull()
    header.show()
    qtbot.waitExposed(header)
    assert header.band.geometry().bottom() < bar.geometry().top()


# -- busy -------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["scanning", "printing"])
def test_busy_animates_only_while_visible(qtbot: QtBot, themed: Theme, kind: str) -> None:
    widget = busy.BusyIllustration(kind)  # type: ignore[arg-type]
    qtbot.addWidget(widget)
    assert not widget.animation.running
    widget.show()
    qtbot.waitExposed(widget)
    assert widget.animation.running
    first = widget.animation.phase()
    qtbot.waitUntil(lambda: widget.animation.phase() != first, timeout=2000)
    widget.hide()
    assert not widget.animation.running


def test_reduced_motion_stands_still(qtbot: QtBot, themed: Theme) -> None:
    busy.set_reduced_motion(True)
    try:
        widget = busy.BusyIllustration("scanning")
        qtbot.addWidget(widget)
        widget.show()
        qtbot.waitExposed(widget)
        assert not widget.animation.running and widget.animation.phase() == 0.5
        widget.animation.set_reduced(False)  # a widget may override the switch
        assert widget.animation.running
    finally:
        busy.set_reduced_motion(False)


@pytest.mark.parametrize("kind", ["scanning", "printing"])
def test_a_frame_costs_under_a_millisecond(qtbot: QtBot, themed: Theme, kind: str) -> None:
    view = busy.BusyAnimation(kind)  # type: ignore[arg-type]
    qtbot.addWidget(view)
    view.resize(600, 450)
    image = QImage(600, 450, QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(image)
    view.paint_scene(painter)  # the first frame renders the cached layers
    frames = 200
    start = time.perf_counter()
    for _ in range(frames):
        view.paint_scene(painter)
    per_frame_ms = (time.perf_counter() - start) * 1000 / frames
    painter.end()
    assert per_frame_ms < 1.0, f"{kind}: {per_frame_ms:.3f} ms per frame"


def test_busy_captions_follow_the_language(qtbot: QtBot, zh, flush_language_change) -> None:  # type: ignore[no-untyped-def]
    widget = busy.BusyIllustration("printing")
    qtbot.addWidget(widget)
    assert widget.caption.text().startswith("正在打印")
    zh.set_language("en")
    flush_language_change()
    assert widget.caption.text().startswith("Printing")


# -- layout -----------------------------------------------------------------------------

def test_window_sizes_and_orientation() -> None:
    assert layout.window_size("portrait") == QSize(1080, 1920)
    assert layout.window_size("landscape") == QSize(1920, 1080)
    assert layout.orientation_of(QSize(1920, 1080)) == "landscape"
    with pytest.raises(ValueError):
        layout.window_size("square")


def test_tile_columns_by_orientation(qapp: QApplication) -> None:
    from ui.units import Units

    u = Units(ppi=93)
    portrait, landscape = layout.screen_layout("portrait", u), layout.screen_layout("landscape", u)
    assert portrait.tile_columns(1080 - 2 * portrait.margin) == 3
    assert landscape.tile_columns(1920 - 2 * landscape.margin) == 5
    assert portrait.tile_columns(300) == 1
    assert portrait.gutter >= u.px(3)  # ux.md: >= 3 mm between targets
    assert layout.grid_positions(5, 3) == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1)]
