"""The hall's time zone: every time or date a person reads (screen, paper) is in it.

The kiosk clock gives UTC; a terminal's operating system may be set to any zone (often
UTC), so nothing shown uses the machine's zone. The zone comes from `[ui] time_zone`
(default Asia/Shanghai) and is set once per process by whoever loads the config (the
core, the window, CLI commands that print).

zoneinfo is imported when a time is first converted, not at import: it loads sysconfig
to find the zone files (~2.5 ms), and the attract screen, painted before the core loads,
shows no time (cold start, #9). A configured zone is checked when the config is loaded
(kiosk.config); the default needs no check.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Asia/Shanghai"

_name = DEFAULT_ZONE
_zone: ZoneInfo | None = None  # _name's zone, once something has asked for it


def zone_named(name: str) -> ZoneInfo:
    """The IANA zone `name`; ValueError with the reason when there is none."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ValueError(f"unknown time zone {name!r} (an IANA name such as "
                         f"{DEFAULT_ZONE})") from exc


def configure(name: str) -> None:
    """Use zone `name` from now on. The default zone is looked up at its first use;
    another is looked up (ValueError if unknown) now."""
    global _name, _zone
    _zone = None if name == DEFAULT_ZONE else zone_named(name)
    _name = name


def zone() -> ZoneInfo:
    global _zone
    if _zone is None:
        _zone = zone_named(_name)
    return _zone


def to_hall(moment: datetime) -> datetime:
    """`moment` as an aware datetime in the hall's zone; a naive one is taken as UTC
    (what the kiosk's clock and databases hold)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone())


def now() -> datetime:
    return datetime.now(zone())


def today() -> date:
    return now().date()
