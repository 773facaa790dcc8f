"""`faq_search_p95_ms`: one search over 5,000 FAQ entries, as the taxpayer types
(kiosk.services.search on the GUI thread; target under 30 ms at the 95th
percentile). The entries are the demo FAQ (central/demo/faq.json) repeated with
numbered variants until there are 5,000; the index is built once beforehand (off the
GUI thread in the kiosk), and `faq_index_build_s` says how long that takes.

The queries mix Chinese words, synonyms (个税), pinyin initials (wszm), English and a
term found nowhere, typed prefix by prefix as a person types.
"""
from __future__ import annotations

import json
import time
from importlib import resources
from typing import Any

from kiosk.services.search import SearchEntry, SearchIndex

ENTRIES = 5000
QUERIES = ["个税", "个税汇算", "完税证明", "wszm", "nzj", "离境退税", "vehicle tax", "滞纳金",
           "专项附加扣除 子女", "发票丢失", "xyz不存在", "小规模 免税"]


def _demo_faq() -> list[dict[str, Any]]:
    text = resources.files("central").joinpath("demo/faq.json").read_text("utf-8")
    return [i["body"] for i in json.loads(text) if i["kind"] == "faq"]


def synthetic_entries(count: int = ENTRIES) -> list[SearchEntry]:
    """`count` entries from the demo FAQ, numbered copies after the first round."""
    bodies = _demo_faq()
    out = []
    for n in range(count):
        body = bodies[n % len(bodies)]
        round_ = n // len(bodies)
        suffix = f"（{round_}）" if round_ else ""
        out.append(SearchEntry(f"F{n:05d}", (body["question_zh"] + suffix, body["question_en"]),
                               (body["answer_zh"], body["answer_en"]), tuple(body["keywords"]), n))
    return out


def _typed(query: str) -> list[str]:
    """What the field holds after each keystroke (a pinyin word at once: an IME)."""
    if query.isascii():
        return [query[:i] for i in range(1, len(query) + 1)]
    return [query[:i] for i in range(1, len(query) + 1) if not query[:i].endswith(" ")]


def measure() -> dict[str, Any]:
    entries = synthetic_entries()
    start = time.perf_counter()
    index = SearchIndex(entries)
    build_s = time.perf_counter() - start
    times = []
    for _ in range(3):
        for query in QUERIES:
            for text in _typed(query):
                t0 = time.perf_counter()
                index.search(text)
                times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {"faq_search_p95_ms": round(times[int(len(times) * 0.95)], 2),
            "faq_index_build_s": round(build_s, 2)}


if __name__ == "__main__":
    print(measure())
