"""Shared parts of the guidance services (issue #13, offline policy `cache`): reference
data read from the kiosk's inbox and prepared once per change, the date it was
synced, body fields read defensively, and the printed page. Qt-free.

A `ReferenceCache` holds what a service prepared from some kinds of reference data
(its search index, its lists). `refresh()` is blocking (SQLite, pinyin): the screens
run it off the GUI thread when they are shown; it rebuilds only when the inbox's
cursor moved. Reading `snapshot` is one attribute read, safe from the GUI thread.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from printing.document import Cut, Document, Feed, Heading, KeyValue, Rule, Text

from ..hall_time import to_hall

if TYPE_CHECKING:
    from offline_queue.reference import ReferenceEntry, ReferenceInbox

T = TypeVar("T")


@dataclass(frozen=True)
class Snapshot(Generic[T]):
    """What was prepared, from the inbox at `cursor`, synced at `synced_at` (UTC;
    None: never downloaded)."""

    value: T
    cursor: int
    synced_at: datetime | None


class ReferenceCache(Generic[T]):
    def __init__(self, inbox: ReferenceInbox, kinds: Sequence[str],
                 build: Callable[[Mapping[str, list[ReferenceEntry]]], T]) -> None:
        self._inbox = inbox
        self._kinds = tuple(kinds)
        self._build = build
        self._lock = threading.Lock()
        self.snapshot: Snapshot[T] | None = None

    def refresh(self) -> Snapshot[T]:
        """Prepare the data again if the inbox changed since the last time (blocking)."""
        with self._lock:
            cursor = self._inbox.cursor()
            old = self.snapshot
            if old is not None and old.cursor == cursor:
                return old
            entries = {kind: self._inbox.items(kind) for kind in self._kinds}
            fresh = Snapshot(self._build(entries), cursor, self._inbox.synced_at())
            self.snapshot = fresh
            return fresh


def text(body: Mapping[str, Any], name: str) -> str:
    """A text field of a reference body ("" when missing or not a string)."""
    value = body.get(name)
    return value.strip() if isinstance(value, str) else ""


def texts(body: Mapping[str, Any], name: str) -> tuple[str, ...]:
    """A list-of-texts field (entries that are not strings are left out)."""
    value = body.get(name)
    if not isinstance(value, list):
        return ()
    return tuple(v.strip() for v in value if isinstance(v, str) and v.strip())


def both(body: Mapping[str, Any], name: str, lang: str) -> str:
    """`<name>_zh` or `<name>_en` for `lang`, the other language when that one is empty."""
    first, second = ("zh", "en") if lang == "zh" else ("en", "zh")
    return text(body, f"{name}_{first}") or text(body, f"{name}_{second}")


def both_list(body: Mapping[str, Any], name: str, lang: str) -> tuple[str, ...]:
    first, second = ("zh", "en") if lang == "zh" else ("en", "zh")
    return texts(body, f"{name}_{first}") or texts(body, f"{name}_{second}")


def normalize_query(query: str) -> str:
    """A typed look-up as compared with names and TINs: NFKC, lower case, no spaces."""
    from .search import normalize

    return normalize(query).replace(" ", "")


def pick(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def synced_label(snapshot: Snapshot[Any] | None) -> datetime | None:
    """When the shown data was synced, in the hall's time zone (None: never)."""
    if snapshot is None or snapshot.synced_at is None:
        return None
    return to_hall(snapshot.synced_at)


# --- printing -----------------------------------------------------------------------

PageRows = Sequence[tuple[str, str]]


def guidance_page(*, lang: str, title_zh: str, title_en: str,
                  sections: Sequence[tuple[str, PageRows]], printed_at: datetime,
                  kiosk_id: str, source: str = "") -> Document:
    """A printed guidance page: the Chinese title (hall staff read it too), the
    English one below it on an English page, then each section's heading and rows; a
    row with an empty label prints as a paragraph. `printed_at` is hall time."""
    blocks: list[Any] = [Heading(title_zh)]
    if lang == "en":
        blocks.append(Text(title_en, bold=True, align="center"))
    for heading, rows in sections:
        blocks.append(Rule())
        if heading:
            blocks.append(Text(heading, bold=True))
        for label, value in rows:
            blocks.append(KeyValue(label, value) if label else Text(value))
    blocks.append(Rule())
    if source:
        blocks.append(Text(source))
    blocks += [
        KeyValue(pick(lang, "打印时间", "Printed at"), printed_at.strftime("%Y-%m-%d %H:%M")),
        KeyValue(pick(lang, "终端编号", "Terminal"), kiosk_id),
        Text(pick(lang, "以上内容仅供参考，以税务机关规定为准。",
                  "For guidance only: the tax authorities' rules prevail."), align="center"),
        Feed(1),
        Cut(),
    ]
    return Document(blocks, title=title_zh)
