"""Service hours (`[ui] hours`): when taxpayer services may start, in the hall's zone.

The setting is either one string for every day, `"08:30-17:30"`, with several
intervals separated by commas (`"08:30-12:00,13:30-17:30"` for a lunch break), or a
table by weekday, `{mon = "08:30-17:30", sat = "09:00-12:00"}`: a day the table does
not name, or names with `""`, is closed. Not set: always open. An interval runs from
its start (included) to its end (excluded); `24:00` ends at midnight; an interval does
not run past midnight (write two). Qt-free and pure.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # datetime.weekday() order
_INTERVAL = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")

Interval = tuple[int, int]  # minutes since midnight: [start, end)


@dataclass(frozen=True)
class ServiceHours:
    """Open intervals per weekday (Monday first)."""

    days: tuple[tuple[Interval, ...], ...]

    def is_open(self, moment: datetime) -> bool:
        """Whether `moment` (an aware datetime in the hall's zone) is within hours."""
        minute = moment.hour * 60 + moment.minute
        return any(start <= minute < end for start, end in self.days[moment.weekday()])


def _minutes(hours: str, minutes: str, text: str, what: str) -> int:
    h, m = int(hours), int(minutes)
    if m > 59 or h > 24 or (h == 24 and m != 0):
        raise ValueError(f"{what}: {text!r}: a time is HH:MM from 00:00 to 24:00")
    return h * 60 + m


def _day(text: Any, what: str) -> tuple[Interval, ...]:
    if not isinstance(text, str):
        raise ValueError(f"{what} must be a string such as \"08:30-17:30\"")
    intervals: list[Interval] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        match = _INTERVAL.match(part)
        if match is None:
            raise ValueError(f"{what}: {part!r} is not an interval like 08:30-17:30")
        start = _minutes(match[1], match[2], part, what)
        end = _minutes(match[3], match[4], part, what)
        if start >= end:
            raise ValueError(f"{what}: {part!r} ends before it starts (an interval does "
                             "not run past midnight: write two)")
        intervals.append((start, end))
    return tuple(sorted(intervals))


def parse_hours(value: Any) -> ServiceHours | None:
    """The `[ui] hours` setting; None (always open) when not set. ValueError with the
    reason for a bad value."""
    if value is None:
        return None
    if isinstance(value, str):
        day = _day(value, "[ui] hours")
        if not day:
            raise ValueError("[ui] hours is empty: leave it out for always open")
        return ServiceHours(tuple(day for _ in WEEKDAYS))
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(WEEKDAYS))
        if unknown:
            raise ValueError(f"[ui] hours: unknown day(s) {', '.join(unknown)} "
                             f"(days are {', '.join(WEEKDAYS)})")
        return ServiceHours(tuple(_day(value.get(d, ""), f"[ui] hours.{d}")
                                  for d in WEEKDAYS))
    raise ValueError("[ui] hours must be a string such as \"08:30-17:30\" or a table "
                     "by weekday (mon ... sun)")
