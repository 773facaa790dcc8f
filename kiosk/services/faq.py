"""Use case `consult.faq` 12366 智能咨询: the FAQ (reference kind `faq`) searched as
the taxpayer types, by words, pinyin initials and synonyms (个税 = 个人所得税),
ranked; every answer names its policy basis. "Not answered" leads to a callback
(`consult.callback`, another service). Offline policy `cache`. Qt-free.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .guidance import ReferenceCache, Snapshot, both, both_list, pick, text, texts
from .search import SearchEntry, SearchIndex, synonym_groups
from .views import ListItemView, ResultView, Row

if TYPE_CHECKING:
    from offline_queue.reference import ReferenceEntry

    from .context import ServiceContext

FAQ_KIND = "faq"
SYNONYM_KIND = "synonym"
CALLBACK_SERVICE = "consult.callback"


@dataclass(frozen=True)
class FaqData:
    bodies: dict[str, Mapping[str, Any]]
    index: SearchIndex
    popular: tuple[str, ...]  # shown before anything is typed


def faq_entries(entries: list[ReferenceEntry]) -> list[SearchEntry]:
    out = []
    for entry in entries:
        body = entry.body
        if not (text(body, "question_zh") or text(body, "question_en")):
            continue
        order = body.get("order")
        out.append(SearchEntry(
            entry.key, (text(body, "question_zh"), text(body, "question_en")),
            (text(body, "answer_zh"), text(body, "answer_en")), texts(body, "keywords"),
            order if isinstance(order, int) else 10_000, body))
    return out


def build_faq(entries: Mapping[str, list[ReferenceEntry]]) -> FaqData:
    items = sorted(faq_entries(entries.get(FAQ_KIND, [])), key=lambda e: (e.rank, e.key))
    index = SearchIndex(items, synonym_groups(e.body for e in entries.get(SYNONYM_KIND, [])))
    return FaqData({e.key: e.data for e in items}, index, tuple(e.key for e in items[:8]))


class FaqService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.cache: ReferenceCache[FaqData] = ReferenceCache(
            ctx.reference, (FAQ_KIND, SYNONYM_KIND), build_faq)

    def refresh(self) -> Snapshot[FaqData]:
        return self.cache.refresh()

    @property
    def data(self) -> FaqData | None:
        snapshot = self.cache.snapshot
        return None if snapshot is None else snapshot.value

    def search(self, query: str, lang: str, limit: int = 20) -> list[ListItemView]:
        """Ranked answers; the most asked ones while nothing is typed."""
        data = self.data
        if data is None:
            return []
        keys = (data.popular if not query.strip()
                else tuple(h.key for h in data.index.search(query, limit)))
        return [ListItemView(k, both(data.bodies[k], "question", lang), "") for k in keys]

    def answer(self, key: str, lang: str) -> ResultView | None:
        data = self.data
        body = None if data is None else data.bodies.get(key)
        if body is None:
            return None
        basis = both_list(body, "basis", lang)
        rows = (Row("answer", pick(lang, "答复", "Answer"), both(body, "answer", lang)),
                Row("basis", pick(lang, "政策依据", "Policy basis"),
                    ("；" if lang == "zh" else "; ").join(basis)
                    or pick(lang, "（未注明）", "(not stated)")))
        return ResultView(both(body, "question", lang), "neutral", rows)


def build(ctx: ServiceContext) -> FaqService:
    return FaqService(ctx)
