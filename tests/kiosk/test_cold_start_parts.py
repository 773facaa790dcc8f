"""The cold start's shortcuts (#9 §5) behave as what they replace.

The config and theme records take repr, == and hash from kiosk.frozen instead of
generated code, and the hall's time zone is looked up when a time is first shown. tests/integration/test_cold_start_imports
checks that they keep their modules out of the boot path; these check the behaviour.
"""
from __future__ import annotations

import dataclasses
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kiosk import hall_time
from kiosk.config import ConfigError, KioskConfig, UiConfig, parse_config
from kiosk.frozen import Frozen

ROOT = Path(__file__).resolve().parents[2]

@dataclass(frozen=True)
class Generated:
    name: str
    size: int = 3
    tags: tuple[str, ...] = ()
    note: str = field(default="", compare=False)
    secret: str = field(default="", repr=False)


@dataclass(frozen=True, repr=False, eq=False)
class Inherited(Frozen):
    name: str
    size: int = 3
    tags: tuple[str, ...] = ()
    note: str = field(default="", compare=False)
    secret: str = field(default="", repr=False)


def test_frozen_records_behave_as_generated_dataclasses() -> None:
    values: dict[str, Any] = {"name": "ui", "size": 5, "tags": ("a",), "note": "n",
                              "secret": "s"}
    g, i = Generated(**values), Inherited(**values)
    assert repr(i) == repr(g).replace("Generated", "Inherited")
    assert "secret" not in repr(i)
    assert i == Inherited(**values) and hash(i) == hash(Inherited(**values))
    # compare=False fields count for neither == nor hash, as generated.
    assert i == dataclasses.replace(i, note="other")
    assert hash(i) == hash(dataclasses.replace(i, note="other"))
    assert i != dataclasses.replace(i, size=6)
    assert i != g  # another class, even with the same fields
    assert (i == g) is (g == i) is False
    with pytest.raises(dataclasses.FrozenInstanceError):
        i.size = 7  # type: ignore[misc]
    assert dataclasses.asdict(i) == dataclasses.asdict(g)
    assert {i: 1}[Inherited(**values)] == 1


def test_config_records_compare_and_replace_as_before(tmp_path: Path) -> None:
    config = parse_config({"data_dir": str(tmp_path)})
    assert config == parse_config({"data_dir": str(tmp_path)})
    assert config != dataclasses.replace(config, mode="production")
    assert dataclasses.replace(config.ui, language="en") == UiConfig(language="en")
    assert repr(config).startswith(f"KioskConfig(data_dir={tmp_path!r}")
    assert isinstance(config, KioskConfig)
    assert hash(config.ui) == hash(UiConfig())


def test_a_configured_time_zone_is_checked_at_load(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\[ui\] time_zone: unknown time zone"):
        parse_config({"data_dir": str(tmp_path), "ui": {"time_zone": "Mars/Olympus"}})
    with pytest.raises(ConfigError, match=r"\[ui\] time_zone"):
        parse_config({"data_dir": str(tmp_path), "ui": {"time_zone": 8}})
    config = parse_config({"data_dir": str(tmp_path), "ui": {"time_zone": "Europe/Berlin"}})
    assert config.ui.time_zone == "Europe/Berlin"


def test_the_hall_zone_is_looked_up_when_first_used() -> None:
    try:
        with pytest.raises(ValueError, match="unknown time zone"):
            hall_time.configure("Mars/Olympus")
        hall_time.configure("Europe/Berlin")
        assert hall_time.zone().key == "Europe/Berlin"
        hall_time.configure(hall_time.DEFAULT_ZONE)
        winter = datetime(2026, 1, 15, 4, 0, tzinfo=UTC)
        assert hall_time.to_hall(winter).hour == 12  # Asia/Shanghai, UTC+8
        assert hall_time.to_hall(winter.replace(tzinfo=None)).hour == 12  # naive = UTC
        assert hall_time.zone().key == hall_time.DEFAULT_ZONE
    finally:
        hall_time.configure(hall_time.DEFAULT_ZONE)


def test_loading_a_default_config_loads_neither_zoneinfo_nor_the_hours(
        tmp_path: Path) -> None:
    """In a fresh interpreter: the default zone and "always open" cost nothing at boot;
    a zone or hours that are set are loaded (and checked)."""
    probe = ("import sys; from kiosk.config import parse_config; "
             "parse_config({'data_dir': sys.argv[1], 'ui': eval(sys.argv[2])}); "
             "print(sorted(m for m in ('zoneinfo', 'sysconfig', 'kiosk.services.hours', "
             "'offline_queue.ids') if m in sys.modules))")

    def loaded(ui: str) -> str:
        return subprocess.run([sys.executable, "-c", probe, str(tmp_path), ui], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout.strip()

    assert loaded("{}") == "[]"
    assert loaded("{'time_zone': 'Europe/Berlin', 'hours': '08:30-17:30'}") == \
        "['kiosk.services.hours', 'sysconfig', 'zoneinfo']"
