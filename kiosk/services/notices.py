"""Use case `notices` 我的消息 (Qt-free): notices pushed for the identified taxpayer's
industry and for everyone (sealed `taxpayer/notices`, online only), unread first,
newest first within each; the home screen shows the unread count on the tile.

What has been read is the central service's to keep (`taxpayer/notice-read`; each
notice comes back with `read`), so the unread count follows the taxpayer to the next
visit and to any kiosk. This terminal writes nothing about who read what: it keeps the
session's notices and reads in memory, shows a read at once, and forgets both when the
session ends.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .context import ServiceContext
from .taxpayer_lookup import LookupFailed, TaxpayerLookup, day
from .views import ListItemView, ResultView, Row, pick

if TYPE_CHECKING:
    from .identity import Identified

SERVICE_ID = "notices"

LABELS: dict[str, tuple[str, str]] = {
    "published_on": ("发布日期", "Published on"),
    "unread": ("未读", "Unread"),
    "read": ("已读", "Read"),
    "summary": ("%s · %s", "%s · %s"),
    "count": ("%d 条未读", "%d unread"),
}


@dataclass(frozen=True)
class Notice:
    id: str
    title: str
    body: str
    published_on: str


class NoticesService(TaxpayerLookup):
    service_id = SERVICE_ID

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._lock = threading.Lock()
        self._session: str | None = None  # whose notices are cached (memory only)
        self._notices: tuple[Notice, ...] = ()
        self._read: set[str] = set()
        if self._identity is not None:
            self._identity.listeners.append(self._identity_changed)

    def _identity_changed(self, who: Identified | None) -> None:
        """Another taxpayer, or nobody: forget the cache and what was read."""
        token = who.session if who is not None else None
        with self._lock:
            if token != self._session:
                self._session, self._notices, self._read = None, (), set()

    def fetch(self) -> tuple[Notice, ...]:
        """Blocking: the notices, unread first, newest first within each."""
        who = self.who()
        answer = self.call("taxpayer.notices", "taxpayer/notices")
        found = []
        read_before: set[str] = set()  # read at an earlier visit (the central's record)
        for item in self.listed(answer):
            title, body = item.get("title"), item.get("body")
            if item.get("id") is None or not isinstance(title, str) \
                    or not isinstance(body, str):
                raise LookupFailed("unreadable notices answer", "service.network")
            published = day(item.get("published_on"))
            found.append(Notice(str(item["id"]), title, body,
                                published.isoformat() if published else ""))
            if item.get("read") is True:
                read_before.add(str(item["id"]))
        with self._lock:
            if self._session != who.session:
                self._read = set()
            self._session, self._notices = who.session, tuple(found)
            self._read |= read_before
        return self.notices()

    def notices(self) -> tuple[Notice, ...]:
        """The cached notices of the current session, unread first (no I/O)."""
        with self._lock:
            read = set(self._read)
            cached = self._notices if self._current() else ()
        newest = sorted(cached, key=lambda n: (n.published_on, n.id), reverse=True)
        return tuple([n for n in newest if n.id not in read]
                     + [n for n in newest if n.id in read])

    def _current(self) -> bool:
        who = self._identity.current if self._identity is not None else None
        return who is not None and who.session is not None and who.session == self._session

    def is_read(self, notice_id: str) -> bool:
        with self._lock:
            return notice_id in self._read

    def mark_read(self, notice_id: str) -> Callable[[], None] | None:
        """Read in this session, on screen at once (no I/O). The first time, the
        blocking call that has the central service keep it read for the next visit,
        bound to this taxpayer's session now (run later, it never marks the notice
        for whoever signed in since); None when there is nothing new to tell.
        The call raises LookupFailed when it cannot; the session still shows it read."""
        who = self._identity.current if self._identity is not None else None
        with self._lock:
            if (who is None or who.session is None or who.session != self._session
                    or notice_id in self._read
                    or not any(n.id == notice_id for n in self._notices)):
                return None  # signed out meanwhile, read already, or not this list's
            self._read.add(notice_id)

        def remember() -> None:
            self.call("taxpayer.notice_read", "taxpayer/notice-read",
                      {"notice_id": int(notice_id)}, who=who)

        return remember

    def unread_count(self) -> int | None:
        """Unread notices of the identified taxpayer (no I/O); None before they were
        fetched in this session."""
        with self._lock:
            if not self._current():
                return None
            return sum(1 for n in self._notices if n.id not in self._read)

    # -- views -----------------------------------------------------------------------
    def items(self, lang: str) -> list[ListItemView]:
        out = []
        for notice in self.notices():
            state = pick(LABELS["read" if self.is_read(notice.id) else "unread"], lang)
            summary = pick(LABELS["summary"], lang) % (state, notice.published_on)
            detail = ResultView(notice.title, "neutral",
                                (Row("published_on", pick(LABELS["published_on"], lang),
                                     notice.published_on),), (notice.body,))
            out.append(ListItemView(notice.id, notice.title, summary, detail))
        return out

    @staticmethod
    def count_text(count: int, lang: str) -> str:
        return pick(LABELS["count"], lang) % count


def build(ctx: ServiceContext) -> NoticesService:
    """The catalogue's factory for `notices`."""
    return NoticesService.from_context(ctx)
