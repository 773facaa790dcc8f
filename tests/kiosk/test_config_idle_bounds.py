"""Idle limits and the countdown in the config: ux.md's floors (countdown >= 20 s, idle
limits >= 10 s) unless `[ui] test_timeouts` (the bench and tests) lowers them; a value
out of bounds is a clear ConfigError, not a crash when the window is built."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kiosk.config import ConfigError, parse_config


def _ui(tmp_path: Path, **ui: Any) -> Any:
    return parse_config({"data_dir": str(tmp_path), "ui": ui}).ui


def test_defaults_and_hall_values_pass(tmp_path: Path) -> None:
    ui = _ui(tmp_path)
    assert (ui.idle_reading_s, ui.idle_form_s, ui.countdown_s) == (90.0, 180.0, 30)
    assert ui.min_countdown_s == 20 and not ui.test_timeouts
    assert _ui(tmp_path, idle_reading_s=10, idle_form_s=10.5, countdown_s=20).countdown_s == 20


@pytest.mark.parametrize(("ui", "message"), [
    ({"countdown_s": 10}, "countdown_s must be a whole number of seconds >= 20"),
    ({"countdown_s": 25.5}, "countdown_s must be a whole number"),
    ({"countdown_s": True}, "countdown_s must be a whole number"),
    ({"idle_reading_s": 0.2}, "idle_reading_s must be a number of seconds >= 10"),
    ({"idle_form_s": "90"}, "idle_form_s must be a number of seconds >= 10"),
    ({"test_timeouts": "yes"}, "test_timeouts must be true or false"),
    ({"test_timeouts": True, "idle_reading_s": 0}, "idle_reading_s must be a number of seconds > 0"),
    ({"test_timeouts": True, "countdown_s": -1}, "countdown_s must be a whole number of seconds >= 0"),
])
def test_out_of_bounds_values_are_refused(tmp_path: Path, ui: dict[str, Any],
                                          message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config({"data_dir": str(tmp_path), "ui": ui})


def test_test_timeouts_allow_the_bench_values(tmp_path: Path) -> None:
    ui = _ui(tmp_path, test_timeouts=True, idle_reading_s=0.2, idle_form_s=5.0, countdown_s=0)
    assert (ui.idle_reading_s, ui.countdown_s, ui.min_countdown_s) == (0.2, 0, 0)
