"""Use case `guide.departure_refund` 离境退税: the guide for foreign visitors,
English first (reference kind `article`, key `departure-refund`): who qualifies (a
stay of at most 183 days), the minimum spend (200 CNY the same day in the same
store, domain.md §7), the refund rates, the two ways to be paid (cash up to 20,000 or
transfer; instant refund in pilot stores), the steps at the store, Customs and the
refund agency; printable. Offline policy `cache`. Qt-free.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..hall_time import to_hall
from .guidance import ReferenceCache, Snapshot, both, both_list, guidance_page, text, texts

if TYPE_CHECKING:
    from offline_queue.reference import ReferenceEntry

    from .context import ServiceContext

ARTICLE_KIND = "article"
ARTICLE_KEY = "departure-refund"


@dataclass(frozen=True)
class Section:
    heading_en: str
    heading_zh: str
    lines_en: tuple[str, ...]
    lines_zh: tuple[str, ...]


@dataclass(frozen=True)
class RefundGuide:
    title_en: str
    title_zh: str
    sections: tuple[Section, ...]  # the facts, then the steps
    basis_en: tuple[str, ...]
    basis_zh: tuple[str, ...]


def _sections(raw: object, heading: str) -> list[Section]:
    out = []
    for part in raw if isinstance(raw, list) else []:
        if isinstance(part, dict):
            out.append(Section(text(part, f"{heading}_en"), text(part, f"{heading}_zh"),
                               texts(part, "lines_en"), texts(part, "lines_zh")))
    return out


def build_guide(entries: Mapping[str, list[ReferenceEntry]]) -> RefundGuide | None:
    body: Mapping[str, Any] | None = next(
        (e.body for e in entries.get(ARTICLE_KIND, []) if e.key == ARTICLE_KEY), None)
    if body is None:
        return None
    return RefundGuide(
        both(body, "title", "en"), both(body, "title", "zh"),
        tuple(_sections(body.get("sections"), "heading") + _sections(body.get("steps"), "place")),
        both_list(body, "basis", "en"), both_list(body, "basis", "zh"))


class DepartureRefundGuide:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self.cache: ReferenceCache[RefundGuide | None] = ReferenceCache(
            ctx.reference, (ARTICLE_KIND,), build_guide)

    def refresh(self) -> Snapshot[RefundGuide | None]:
        return self.cache.refresh()

    @property
    def guide(self) -> RefundGuide | None:
        snapshot = self.cache.snapshot
        return None if snapshot is None else snapshot.value

    def page_text(self) -> str:
        """The page as shown: English first, each paragraph followed by its Chinese
        (for the visitor and for the hall staff helping them), in every session
        language."""
        guide = self.guide
        if guide is None:
            return ""
        parts: list[str] = []
        for section in guide.sections:
            parts.append(f"■ {section.heading_en}  {section.heading_zh}".rstrip())
            parts += [f"• {line}" for line in section.lines_en]
            parts += [f"  {line}" for line in section.lines_zh]
            parts.append("")
        if guide.basis_en:
            parts.append("Basis: " + "; ".join(guide.basis_en))
            parts.append("依据：" + "；".join(guide.basis_zh))
        return "\n".join(parts).strip()

    def print_page(self) -> None:
        """The printable page, English first with the Chinese below (blocking)."""
        guide = self.guide
        if guide is None:
            return
        sections = []
        for section in guide.sections:
            rows = [("", line) for line in section.lines_en]
            rows += [("", line) for line in section.lines_zh]
            sections.append((f"{section.heading_en} / {section.heading_zh}", rows))
        doc = guidance_page(lang="en", title_zh=guide.title_zh, title_en=guide.title_en,
                            sections=sections, printed_at=to_hall(self._ctx.clock.now()),
                            kiosk_id=self._ctx.kiosk_id, source="; ".join(guide.basis_en))
        self._ctx.slips.print_document(doc)


def build(ctx: ServiceContext) -> DepartureRefundGuide:
    return DepartureRefundGuide(ctx)
