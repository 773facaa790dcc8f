"""Use case `guide.calendar` 办税日历: this month's filing deadlines (reference kind
`calendar`, one item per month keyed `YYYY-MM`, dates as the central service
publishes them: already moved past public holidays), with the days left counted in
the hall's time zone. Offline policy `cache`. Qt-free.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from .guidance import ReferenceCache, Snapshot, text

if TYPE_CHECKING:
    from offline_queue.reference import ReferenceEntry

    from .context import ServiceContext

CALENDAR_KIND = "calendar"
SOON_DAYS = 3  # deadlines this close are highlighted


@dataclass(frozen=True)
class Deadline:
    due: date
    regular: date | None  # the date before it was moved past a holiday
    title_zh: str
    title_en: str
    note_zh: str
    note_en: str

    def title(self, lang: str) -> str:
        return (self.title_zh if lang == "zh" else self.title_en) or self.title_zh

    def note(self, lang: str) -> str:
        return self.note_zh if lang == "zh" else self.note_en


@dataclass(frozen=True)
class DeadlineView:
    deadline: Deadline
    days_left: int  # 0: today; negative: passed

    @property
    def state(self) -> str:
        """"passed", "today", "soon" (at most SOON_DAYS) or "later"."""
        if self.days_left < 0:
            return "passed"
        if self.days_left == 0:
            return "today"
        return "soon" if self.days_left <= SOON_DAYS else "later"


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def build_calendar(entries: Mapping[str, list[ReferenceEntry]]) -> dict[tuple[int, int], list[Deadline]]:
    months: dict[tuple[int, int], list[Deadline]] = {}
    for entry in entries.get(CALENDAR_KIND, []):
        for raw in entry.body.get("deadlines") or []:
            if not isinstance(raw, dict):
                continue
            due = _date(raw.get("date"))
            if due is None or not (text(raw, "title_zh") or text(raw, "title_en")):
                continue
            months.setdefault((due.year, due.month), []).append(Deadline(
                due, _date(raw.get("regular")), text(raw, "title_zh"), text(raw, "title_en"),
                text(raw, "note_zh"), text(raw, "note_en")))
    for items in months.values():
        items.sort(key=lambda d: (d.due, d.title_zh))
    return months


class FilingCalendar:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self.cache: ReferenceCache[dict[tuple[int, int], list[Deadline]]] = ReferenceCache(
            ctx.reference, (CALENDAR_KIND,), build_calendar)

    def refresh(self) -> Snapshot[dict[tuple[int, int], list[Deadline]]]:
        return self.cache.refresh()

    def today(self) -> date:
        """Today in the hall's time zone."""
        return self._ctx.clock.today()

    def month(self, year: int, month: int, today: date) -> list[DeadlineView]:
        snapshot = self.cache.snapshot
        if snapshot is None:
            return []
        return [DeadlineView(d, (d.due - today).days)
                for d in snapshot.value.get((year, month), [])]

    def next_deadline(self, today: date) -> DeadlineView | None:
        """The first deadline from today on, in any month (for "next: ...")."""
        snapshot = self.cache.snapshot
        if snapshot is None:
            return None
        upcoming = sorted((d for items in snapshot.value.values() for d in items
                           if d.due >= today), key=lambda d: d.due)
        return DeadlineView(upcoming[0], (upcoming[0].due - today).days) if upcoming else None


def build(ctx: ServiceContext) -> FilingCalendar:
    return FilingCalendar(ctx)
