"""Use case `info.announcements` 通知公告 / 政策法规: notices and policies (reference
kind `announcement`), newest first, searchable; 重大税收违法失信案件 (kind `case`)
looked up by name or TIN, showing the published fields only; the A-rated taxpayer
list (kind `a_level`) looked up the same way. Offline policy `cache`. Qt-free.

Cases and the A list are public registers about enterprises (domain.md §9: an
enterprise's name and TIN are shown in full). A case body may carry more than the
kiosk shows: only PUBLISHED_CASE_FIELDS reach the screen.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .guidance import ReferenceCache, Snapshot, both, normalize_query, pick, text
from .search import SearchEntry, SearchIndex
from .views import ListItemView, ResultView, Row

if TYPE_CHECKING:
    from offline_queue.reference import ReferenceEntry

    from .context import ServiceContext

ANNOUNCEMENT_KIND = "announcement"
CASE_KIND = "case"
A_LEVEL_KIND = "a_level"
CATEGORIES = ("notice", "policy")
# The fields a published case shows, in order: (body field, zh label, en label).
PUBLISHED_CASE_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("tin", "纳税人识别号", "TIN"),
    ("address", "注册地址", "Registered address"),
    ("nature", "案件性质", "Nature of the case"),
    ("facts", "主要违法事实", "Main facts"),
    ("penalty", "处理处罚情况", "Penalties"),
    ("office", "实施检查的单位", "Inspecting office"),
    ("published", "公布日期", "Published on"),
)
MIN_QUERY = 2  # registers answer a name or TIN, not a single character


@dataclass(frozen=True)
class Notice:
    key: str
    category: str
    date: str  # YYYY-MM-DD as published; sorts as text
    body: Mapping[str, Any]


@dataclass(frozen=True)
class InfoData:
    notices: tuple[Notice, ...]  # newest first
    index: SearchIndex
    cases: tuple[Mapping[str, Any], ...]
    a_level: tuple[Mapping[str, Any], ...]


def build_info(entries: Mapping[str, list[ReferenceEntry]]) -> InfoData:
    notices = []
    for entry in entries.get(ANNOUNCEMENT_KIND, []):
        body = entry.body
        category = text(body, "category")
        if category in CATEGORIES and (text(body, "title_zh") or text(body, "title_en")):
            notices.append(Notice(entry.key, category, text(body, "date"), body))
    notices.sort(key=lambda n: (n.date, n.key), reverse=True)
    index = SearchIndex(SearchEntry(n.key, (text(n.body, "title_zh"), text(n.body, "title_en")),
                                    (text(n.body, "body_zh"), text(n.body, "body_en")), (), i)
                        for i, n in enumerate(notices))
    cases = tuple(e.body for e in entries.get(CASE_KIND, [])
                  if text(e.body, "name") and text(e.body, "tin"))
    a_level = tuple(e.body for e in entries.get(A_LEVEL_KIND, [])
                    if text(e.body, "name") and text(e.body, "tin"))
    return InfoData(tuple(notices), index, cases, a_level)


def _register_match(body: Mapping[str, Any], query: str) -> bool:
    """A name containing the words typed, or the TIN typed (at least its start)."""
    q = normalize_query(query)
    name = normalize_query(text(body, "name"))
    return q in name or normalize_query(text(body, "tin")).startswith(q)


class Announcements:
    def __init__(self, ctx: ServiceContext) -> None:
        self.cache: ReferenceCache[InfoData] = ReferenceCache(
            ctx.reference, (ANNOUNCEMENT_KIND, CASE_KIND, A_LEVEL_KIND), build_info)

    def refresh(self) -> Snapshot[InfoData]:
        return self.cache.refresh()

    @property
    def data(self) -> InfoData | None:
        snapshot = self.cache.snapshot
        return None if snapshot is None else snapshot.value

    # -- notices and policies --------------------------------------------------------
    def notices(self, category: str, query: str, lang: str) -> list[ListItemView]:
        """A category's notices, newest first; with a query, the matches by rank."""
        data = self.data
        if data is None:
            return []
        chosen = [n for n in data.notices if n.category == category]
        if query.strip():
            keys = [h.key for h in data.index.search(query, 50)]
            by_key = {n.key: n for n in chosen}
            chosen = [by_key[k] for k in keys if k in by_key]
        return [ListItemView(n.key, both(n.body, "title", lang), n.date) for n in chosen]

    def notice(self, key: str, lang: str) -> ResultView | None:
        data = self.data
        found = None if data is None else next((n for n in data.notices if n.key == key), None)
        if found is None:
            return None
        rows = (Row("date", pick(lang, "发布日期", "Date"), found.date),
                Row("issuer", pick(lang, "发布单位", "Issued by"), both(found.body, "issuer", lang)))
        return ResultView(both(found.body, "title", lang), "neutral", rows,
                          (both(found.body, "body", lang),))

    # -- registers -------------------------------------------------------------------
    def cases(self, query: str, lang: str) -> list[ListItemView]:
        data = self.data
        if data is None or len(normalize_query(query)) < MIN_QUERY:
            return []
        return [ListItemView(text(b, "tin"), text(b, "name"), both(b, "nature", lang))
                for b in data.cases if _register_match(b, query)]

    def case(self, tin: str, lang: str) -> ResultView | None:
        data = self.data
        body = None if data is None else next(
            (b for b in data.cases if text(b, "tin") == tin), None)
        if body is None:
            return None
        rows = []
        for name, zh, en in PUBLISHED_CASE_FIELDS:
            value = text(body, name) or both(body, name, lang)
            if value:
                rows.append(Row(name, pick(lang, zh, en), value))
        return ResultView(text(body, "name"), "bad", tuple(rows))

    def a_level(self, query: str, lang: str) -> list[ListItemView]:
        data = self.data
        if data is None or len(normalize_query(query)) < MIN_QUERY:
            return []
        out = []
        for body in data.a_level:
            if _register_match(body, query):
                year = body.get("year")
                label = (f"{year}年度纳税信用A级" if lang == "zh" else f"A-rated for {year}") \
                    if isinstance(year, int) else pick(lang, "纳税信用A级", "A-rated")
                out.append(ListItemView(text(body, "tin"), text(body, "name"),
                                        f"{text(body, 'tin')}  {label}"))
        return out


def build(ctx: ServiceContext) -> Announcements:
    return Announcements(ctx)
