"""The hall's time zone: every time or date a person reads (screen, paper) is in it.

The kiosk clock gives UTC; a terminal's operating system may be set to any zone (often
UTC), so nothing shown uses the machine's zone. The zone comes from `[ui] time_zone`
(default Asia/Shanghai) and is set once per process by whoever loads the config (the
core, the window, CLI commands that print).
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Asia/Shanghai"

_zone = ZoneInfo(DEFAULT_ZONE)


def zone_named(name: str) -> ZoneInfo:
    """The IANA zone `name`; ValueError with the reason when there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ValueError(f"unknown time zone {name!r} (an IANA name such as "
                         f"{DEFAULT_ZONE})") from exc


def configure(name: str) -> None:
    global _zone
    _zone = zone_named(name)


def zone() -> ZoneInfo:
    return _zone


def to_hall(moment: datetime) -> datetime:
    """`moment` as an aware datetime in the hall's zone; a naive one is taken as UTC
    (what the kiosk's clock and databases hold)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(_zone)


def now() -> datetime:
    return datetime.now(_zone)


def today() -> date:
    return now().date()
