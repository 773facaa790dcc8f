"""Use case `guide.catalogue` 办税导航: the catalogue of matters (reference kind
`guide`), searchable by words, pinyin initials and synonyms; each matter says whether
it can be done on this terminal (and which service opens it) or at which counter, the
materials with 必报 / 条件报送, the time limit and the legal basis; its materials
checklist prints. Offline policy `cache`. Qt-free.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import log
from ..hall_time import to_hall
from .catalogue import UnknownService, spec
from .guidance import ReferenceCache, Snapshot, both, both_list, guidance_page, pick, text, texts
from .search import SearchEntry, SearchIndex, synonym_groups
from .views import ListItemView, ResultView, Row

if TYPE_CHECKING:
    from offline_queue.reference import ReferenceEntry
    from printing.document import Document

    from .context import ServiceContext

_log = log.get("device.printer")

GUIDE_KIND = "guide"
SYNONYM_KIND = "synonym"
CHANNEL_NAMES: dict[str, tuple[str, str]] = {
    "hall": ("办税服务厅", "Tax hall"),
    "etax": ("电子税务局", "e-Tax website"),
    "kiosk": ("自助终端", "Self-service terminal"),
}


@dataclass(frozen=True)
class Material:
    name_zh: str
    name_en: str
    required: bool
    condition_zh: str
    condition_en: str

    def line(self, lang: str) -> tuple[str, str]:
        """(必报 / 条件报送, the material and its condition)."""
        name = pick(lang, self.name_zh, self.name_en) or self.name_zh
        if self.required:
            return pick(lang, "必报", "Required"), name
        condition = pick(lang, self.condition_zh, self.condition_en)
        return (pick(lang, "条件报送", "If applicable"),
                f"{name}（{condition}）" if lang == "zh" and condition
                else f"{name} ({condition})" if condition else name)


@dataclass(frozen=True)
class Matter:
    key: str
    order: int
    group: str
    body: Mapping[str, Any]
    materials: tuple[Material, ...]

    def title(self, lang: str) -> str:
        return both(self.body, "title", lang)

    def summary(self, lang: str) -> str:
        return both(self.body, "summary", lang)

    def group_title(self, lang: str) -> str:
        return both(self.body, "group", lang) or self.group

    @property
    def kiosk_service(self) -> str | None:
        return text(self.body, "kiosk_service") or None

    @classmethod
    def from_entry(cls, entry: ReferenceEntry) -> Matter | None:
        body = entry.body
        if not (text(body, "title_zh") or text(body, "title_en")):
            return None  # nothing to show: a malformed item is left out
        materials = []
        for raw in body.get("materials") or []:
            if isinstance(raw, dict) and (text(raw, "name_zh") or text(raw, "name_en")):
                materials.append(Material(text(raw, "name_zh"), text(raw, "name_en"),
                                          raw.get("required") is True, text(raw, "condition_zh"),
                                          text(raw, "condition_en")))
        order = body.get("order")
        return cls(entry.key, order if isinstance(order, int) else 10_000,
                   text(body, "group") or "other", body, tuple(materials))


@dataclass(frozen=True)
class GuideData:
    matters: dict[str, Matter]
    index: SearchIndex
    groups: tuple[tuple[str, tuple[str, ...]], ...]  # group -> matter keys, in order


def build_guide(entries: Mapping[str, list[ReferenceEntry]]) -> GuideData:
    matters = sorted((m for m in (Matter.from_entry(e) for e in entries.get(GUIDE_KIND, []))
                      if m is not None), key=lambda m: (m.order, m.key))
    index = SearchIndex(
        (SearchEntry(m.key, (text(m.body, "title_zh"), text(m.body, "title_en")),
                     (text(m.body, "summary_zh"), text(m.body, "summary_en"),
                      *(x.name_zh for x in m.materials)),
                     texts(m.body, "keywords"), m.order) for m in matters),
        synonym_groups(e.body for e in entries.get(SYNONYM_KIND, [])))
    groups: dict[str, list[str]] = {}
    for m in matters:
        groups.setdefault(m.group, []).append(m.key)
    return GuideData({m.key: m for m in matters}, index,
                     tuple((g, tuple(keys)) for g, keys in groups.items()))


class GuideCatalogue:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self.cache: ReferenceCache[GuideData] = ReferenceCache(
            ctx.reference, (GUIDE_KIND, SYNONYM_KIND), build_guide)

    # -- data (refresh: blocking, off the GUI thread) --------------------------------
    def refresh(self) -> Snapshot[GuideData]:
        return self.cache.refresh()

    @property
    def data(self) -> GuideData | None:
        snapshot = self.cache.snapshot
        return None if snapshot is None else snapshot.value

    # -- views (GUI thread: prepared data only) --------------------------------------
    def groups(self, lang: str) -> list[tuple[str, str]]:
        """(group key, its title) in catalogue order."""
        data = self.data
        if data is None:
            return []
        return [(g, data.matters[keys[0]].group_title(lang)) for g, keys in data.groups]

    def in_group(self, group: str, lang: str) -> list[ListItemView]:
        data = self.data
        if data is None:
            return []
        keys = next((k for g, k in data.groups if g == group), ())
        return [self._item(data.matters[k], lang) for k in keys]

    def search(self, query: str, lang: str, limit: int = 30) -> list[ListItemView]:
        data = self.data
        if data is None:
            return []
        return [self._item(data.matters[h.key], lang)
                for h in data.index.search(query, limit) if h.key in data.matters]

    @staticmethod
    def _item(m: Matter, lang: str) -> ListItemView:
        return ListItemView(m.key, m.title(lang), m.summary(lang))

    def matter(self, key: str) -> Matter | None:
        data = self.data
        return None if data is None else data.matters.get(key)

    def here(self, key: str) -> str | None:
        """The service of this terminal that does the matter, or None (then: a
        counter). A matter naming a service this terminal does not offer goes to the
        counter too."""
        matter = self.matter(key)
        service_id = matter.kiosk_service if matter is not None else None
        if service_id is None:
            return None
        try:
            spec(service_id)
        except UnknownService:
            return None
        return service_id

    def where(self, key: str, lang: str) -> tuple[bool, str]:
        """(can be done here, the sentence saying where): 可在本机办理 with the
        service's title, or 需到窗口 with the counter and the ticket to take."""
        matter = self.matter(key)
        if matter is None:
            return False, ""
        service_id = self.here(key)
        if service_id is not None:
            title = spec(service_id).title(lang)
            return True, pick(lang, f"可在本机办理：{title}", f"Can be done here: {title}")
        counter = both(matter.body, "counter", lang)
        return False, pick(lang, f"需到窗口：{counter}", f"At a counter: {counter}")

    def matter_view(self, key: str, lang: str) -> ResultView | None:
        matter = self.matter(key)
        if matter is None:
            return None
        channels = [pick(lang, *CHANNEL_NAMES[c]) for c in texts(matter.body, "channels")
                    if c in CHANNEL_NAMES]
        service_id = self.here(key)
        place = (pick(lang, f"本终端（{spec(service_id).title(lang)}）",
                      f"This terminal ({spec(service_id).title(lang)})")
                 if service_id is not None else both(matter.body, "counter", lang))
        rows = [Row("group", pick(lang, "事项分类", "Group"), matter.group_title(lang)),
                Row("where", pick(lang, "办理地点", "Where"), place)]
        if channels:
            rows.append(Row("channels", pick(lang, "办理渠道", "Channels"), "、".join(channels)
                            if lang == "zh" else ", ".join(channels)))
        rows.append(Row("time_limit", pick(lang, "办理时限", "Time limit"),
                        both(matter.body, "time_limit", lang)))
        for n, material in enumerate(matter.materials, 1):
            label, value = material.line(lang)
            rows.append(Row(f"material.{n}", f"{pick(lang, '报送资料', 'Materials')} {n}（{label}）"
                            if lang == "zh" else f"Material {n} ({label})", value))
        if not matter.materials:
            rows.append(Row("materials", pick(lang, "报送资料", "Materials"),
                            pick(lang, "无需报送资料", "Nothing to bring")))
        basis = both_list(matter.body, "basis", lang)
        if basis:
            rows.append(Row("basis", pick(lang, "法律依据", "Legal basis"),
                            "；".join(basis) if lang == "zh" else "; ".join(basis)))
        summary = matter.summary(lang)
        return ResultView(matter.title(lang), "good" if self.here(key) else "neutral",
                          tuple(rows), (summary,) if summary else ())

    # -- printing ----------------------------------------------------------------------
    def printer_problem(self) -> str | None:
        """Why the checklist cannot be printed now (the A4 printer's problem as a
        message code: paper_empty, offline, no_hardware ...), or None."""
        from .availability import device_problem

        return device_problem(self._ctx.device_status("a4_printer"))

    def print_checklist(self, key: str, lang: str) -> None:
        """The materials checklist on an A4 page (issue #13 §1: a sheet a person takes
        to the counter or home, not a till roll): the PDF goes to the A4 printer
        (drivers.a4_printer). Blocking; PrintFailed with the reason."""
        matter = self.matter(key)
        if matter is None:
            return
        view = self.matter_view(key, lang)
        assert view is not None
        materials = [material.line(lang) for material in matter.materials] or [
            ("", pick(lang, "无需报送资料", "Nothing to bring"))]
        other = [(r.label, r.value) for r in view.rows
                 if r.key in ("where", "channels", "time_limit", "basis")]
        # A short heading: it prints double size; the matter's title follows it.
        doc = guidance_page(
            lang=lang, title_zh="办税资料清单", title_en="Materials checklist",
            sections=[(matter.title(lang), []),
                      (pick(lang, "报送资料", "Materials to bring"),
                       [(f"[ ] {label}", value) for label, value in materials]),
                      (pick(lang, "办理信息", "How it is done"), other)],
            printed_at=to_hall(self._ctx.clock.now()),
            kiosk_id=self._ctx.kiosk_id)
        print_a4(self._ctx.driver("a4_printer"), doc, title="办税资料清单")


def print_a4(printer: Any, doc: Document, *, title: str) -> None:
    """`doc` as a PDF on the A4 printer; PrintFailed (no_hardware, paper_empty,
    offline ...) when it cannot print. The page holds no personal data."""
    from drivers.errors import DeviceError

    from .slips import PrintFailed

    if printer is None:
        raise PrintFailed("no_hardware", "no A4 printer is configured")
    try:
        printer.print_document(doc, title=title)
    except DeviceError as exc:
        code = exc.extended.value if exc.extended else exc.code.value
        _log.warning("A4 page not printed: %s", code)
        raise PrintFailed(code, exc.message) from exc
    except OSError as exc:
        _log.warning("A4 page not printed: %s", type(exc).__name__)
        raise PrintFailed("offline", str(exc)) from exc


def build(ctx: ServiceContext) -> GuideCatalogue:
    return GuideCatalogue(ctx)
