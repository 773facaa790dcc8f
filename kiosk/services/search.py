"""Search over reference entries (guide matters, FAQ, announcements): by words, by
pinyin initials ("wszm" finds 完税证明) and by synonyms (个税 = 个人所得税), ranked.
Qt-free.

The index is built once per change of the reference data, off the GUI thread
(`SearchIndex(entries)` costs about 0.3 ms an entry: pypinyin readings); a query then
only compares prepared lower-case strings, so it answers on the GUI thread while the
taxpayer types (bench `faq_search_p95_ms`: 5,000 entries, target under 30 ms).

Ranking, per query term (every term must match somewhere):
- title exact 100, title prefix 70, title contains 50;
- a keyword exactly 60, a keyword contains 35;
- pinyin initials of a whole keyword 58; of the title: prefix 55, contains 40; part
  of a keyword's 30;
  full pinyin of the title (letters only, no tones) contains 25;
- body contains 10;
- when no entry holds the term whole: most of its character pairs (bigrams) in the
  title (up to 20) or the body (up to 6) - a partial match.
A term is also tried in each synonym's spelling (a synonym's hit scores 90 % of the
original's). Ties keep the entries' own order (their `rank`, then key).
"""
from __future__ import annotations

import heapq
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import product
from typing import Any

# Groups of words that mean the same to a taxpayer; every member finds the others.
DEFAULT_SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("个税", "个人所得税", "iit", "individual income tax"),
    ("完税证明", "纳税证明", "完税凭证", "税收完税证明", "tax payment certificate"),
    ("纳税记录", "个人所得税纳税记录", "tax record"),
    ("汇算", "汇算清缴", "年度汇算", "annual reconciliation"),
    ("增值税", "vat", "value added tax"),
    ("专票", "增值税专用发票", "special invoice"),
    ("普票", "增值税普通发票", "ordinary invoice"),
    ("数电票", "全电发票", "数电发票", "全面数字化的电子发票", "fully digital invoice"),
    ("发票", "fapiao", "invoice"),
    ("社保", "社保费", "社会保险费", "social insurance"),
    ("医保", "医疗保险", "城乡居民医保", "medical insurance"),
    ("车船税", "车船使用税", "vehicle tax", "vehicle and vessel tax"),
    ("车购税", "车辆购置税", "vehicle purchase tax"),
    ("离境退税", "退税商店", "departure refund", "tax refund for visitors"),
    ("电子税务局", "电子税局", "网上税务局", "etax"),
    ("小规模", "小规模纳税人", "small-scale taxpayer"),
    ("一般纳税人", "一般户", "general taxpayer"),
    ("企业所得税", "企税", "corporate income tax", "cit"),
    ("印花税", "stamp duty", "stamp tax"),
    ("房产税", "房屋税", "property tax"),
    ("专项附加扣除", "专项附加", "附加扣除", "special additional deductions"),
    ("年终奖", "全年一次性奖金", "year-end bonus", "bonus"),
    ("劳务报酬", "劳务费", "labour remuneration"),
    ("税务登记", "办照", "登记", "registration"),
    ("注销", "清税", "deregistration"),
    ("信用", "纳税信用", "信用等级", "credit rating"),
    ("失信", "重大税收违法", "黑名单", "blacklist"),
    ("代开", "代开发票", "issued on behalf"),
    ("退税", "退抵税", "refund"),
    ("12366", "热线", "纳税缴费服务热线", "hotline"),
)

_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_CJK = re.compile(r"[\u3400-\u9fff]")
_LETTERS = re.compile(r"[a-z]+")
MAX_VARIANTS = 16  # polyphone readings kept per text


def normalize(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII), lower case, one space."""
    text = _CONTROL.sub("", unicodedata.normalize("NFKC", text))
    return _SPACE.sub(" ", text.lower()).strip()


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


@lru_cache(maxsize=4096)  # keywords repeat across entries
def pinyin_forms(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(initials variants, full-pinyin variants) of a text: 完税证明 -> (("wszm",),
    ("wanshuizhengming",)). pypinyin reads words in context (银行 -> yin hang), and
    a character with several readings outside a known word gives every reading, up
    to MAX_VARIANTS spellings; letters and digits stay as they are, the rest drops."""
    from pypinyin import Style, pinyin  # imported at index time, not at start-up

    # Characters without a reading come back marked, so they stay literal.
    def marked(chars: str) -> Any:  # pypinyin accepts a list here; its stub says str
        return ["#" + c for c in chars]

    chunks = pinyin(normalize(text), style=Style.NORMAL, heteronym=True, errors=marked)
    initials: list[list[str]] = []
    full: list[list[str]] = []
    for readings in chunks:
        if readings[0].startswith("#"):
            literal = readings[0][1:]
            if literal.isalnum():
                initials.append([literal])
                full.append([literal])
            continue
        clean = [r for r in (re.sub(r"[^a-z]", "", r.lower()) for r in readings) if r]
        if not clean:
            continue
        # Variants differ only where the first letter does; full pinyin keeps the
        # context reading (the first) to stay small.
        initials.append(list(dict.fromkeys(r[0] for r in clean)))
        full.append([clean[0]])
    variants: list[str] = []
    for combo in product(*initials):
        variants.append("".join(combo))
        if len(variants) >= MAX_VARIANTS:
            break
    return tuple(variants), ("".join(f[0] for f in full),)


@dataclass(frozen=True)
class SearchEntry:
    """One searchable entry: `titles` (zh and en), `body` texts, `keywords`;
    `rank` orders ties (lower first)."""

    key: str
    titles: tuple[str, ...]
    body: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    rank: int = 0
    data: Any = field(default=None, compare=False)


@dataclass(frozen=True)
class Hit:
    key: str
    score: float
    entry: SearchEntry


# Field values are stored as BEGIN value END for each value, so one str.find over a
# column answers "contains" (term), "starts with" (BEGIN term) and "equals" (BEGIN
# term END) for every entry at once. normalize() removes control characters, so no
# typed text contains the markers.
BEGIN, END, SEP = "\x01", "\x02", "\x00"
COLUMNS = ("title", "keyword", "initials", "keyword_initials", "full", "body")


_ALNUM_RUN = re.compile(r"[a-z0-9]+")


def _keys(text: str) -> set[str]:
    """The postings keys of a text: each character that is not ASCII, and each pair
    of adjacent letters or digits (a lone one stands for itself)."""
    keys = {c for c in text if not c.isascii()}
    for run in _ALNUM_RUN.findall(text):
        if len(run) == 1:
            keys.add(run)
        else:
            keys.update(run[i:i + 2] for i in range(len(run) - 1))
    return keys


def _marked(values: Iterable[str]) -> str:
    return "".join(f"{BEGIN}{v}{END}" for v in values if v)


class SearchIndex:
    """Entries prepared once; `search(query)` ranks them. Safe to read from any thread
    (nothing changes after construction)."""

    def __init__(self, entries: Iterable[SearchEntry],
                 synonyms: Sequence[Sequence[str]] = DEFAULT_SYNONYMS) -> None:
        self._groups: list[tuple[str, ...]] = [tuple(normalize(w) for w in g if w.strip())
                                              for g in synonyms]
        self._vocabulary: set[str] = {w for g in self._groups for w in g if has_cjk(w)}
        self._entries: list[SearchEntry] = []
        values: dict[str, list[str]] = {c: [] for c in COLUMNS}
        for entry in entries:
            self._entries.append(entry)
            for column, value in self._prepare(entry).items():
                values[column].append(value)
            self._vocabulary.update(k for k in (normalize(k) for k in entry.keywords)
                                    if has_cjk(k) and 2 <= len(k) <= 8)
        self._longest = max((len(w) for w in self._vocabulary), default=1)
        self._values = values
        # Which entries hold a character (a Chinese one, or a pair of letters or
        # digits): a term is compared only with the entries holding all of its
        # characters, not with every entry.
        self._postings: dict[str, set[int]] = {}
        for index in range(len(self._entries)):
            text = SEP.join(values[c][index] for c in COLUMNS)
            for key in _keys(text):
                self._postings.setdefault(key, set()).add(index)
        self._all = frozenset(range(len(self._entries)))

    def __len__(self) -> int:
        return len(self._entries)

    @staticmethod
    def _prepare(entry: SearchEntry) -> dict[str, str]:
        titles = [normalize(t) for t in entry.titles if t]
        keywords = [normalize(k) for k in entry.keywords if k]
        initials: list[str] = []
        full: list[str] = []
        keyword_initials: list[str] = []
        for title in titles:
            if has_cjk(title):
                i, f = pinyin_forms(title)
                initials += i
                full += f
        for keyword in keywords:
            if has_cjk(keyword):
                keyword_initials += pinyin_forms(keyword)[0]
        return {"title": _marked(titles), "keyword": _marked(keywords),
                "initials": _marked(initials), "keyword_initials": _marked(keyword_initials),
                "full": _marked(full), "body": _marked(normalize(b) for b in entry.body)}

    def _candidates(self, term: str) -> frozenset[int] | set[int]:
        """The entries holding every character key of `term` (a superset of those
        holding the term)."""
        keys = sorted(_keys(term), key=lambda k: len(self._postings.get(k, ())))
        if not keys:
            return self._all
        found = self._postings.get(keys[0], set())
        for key in keys[1:]:
            if not found:
                break
            found = found & self._postings.get(key, set())
        return found

    def _occurs(self, column: str, needle: str, among: Iterable[int]) -> set[int]:
        """Those of `among` whose `column` contains `needle`."""
        values = self._values[column]
        return {i for i in among if needle in values[i]}

    # -- query ---------------------------------------------------------------------
    def _segments(self, term: str) -> list[str]:
        """A Chinese term split at known words (synonyms, keywords), longest first:
        个税汇算 -> 个税, 汇算; unknown runs stay together. Other terms stay whole."""
        if not has_cjk(term) or term in self._vocabulary:
            return [term]
        out: list[str] = []
        run = ""
        i = 0
        while i < len(term):
            for size in range(min(self._longest, len(term) - i), 1, -1):
                if term[i:i + size] in self._vocabulary:
                    if run:
                        out.append(run)
                        run = ""
                    out.append(term[i:i + size])
                    i += size
                    break
            else:
                run += term[i]
                i += 1
        if run:
            out.append(run)
        return out if len(out) > 1 else [term]

    def _spellings(self, term: str) -> list[tuple[str, float]]:
        """The term and its synonyms' spellings, with their weight: in each group,
        the longest member the term contains is replaced by every other member
        (a spelling that only adds to the term finds nothing new and is left out)."""
        out = [(term, 1.0)]
        seen = {term}
        for group in self._groups:
            inside = [m for m in group if m and m in term]
            if not inside:
                continue
            member = max(inside, key=len)
            for other in group:
                variant = term.replace(member, other)
                if variant not in seen and term not in variant:
                    seen.add(variant)
                    out.append((variant, 0.9))
        return out

    def terms(self, query: str) -> list[list[tuple[str, float]]]:
        """The query's terms (each with its spellings); every term must match."""
        text = normalize(query)
        if not text:
            return []
        # A query that is a whole synonym ("individual income tax") stays one term.
        if any(text in g for g in self._groups):
            return [self._spellings(text)]
        words: list[str] = []
        for word in text.split(" "):
            # Split a Chinese word only when no entry holds it whole (增值税申报 stays
            # one term and can match a title exactly; 个税汇算 becomes 个税 + 汇算).
            words += [word] if self._holds(word) else self._segments(word)
        return [self._spellings(w) for w in words if w]

    def _holds(self, word: str) -> bool:
        among = self._candidates(word)
        return any(self._occurs(c, word, among) for c in ("title", "keyword", "body"))

    def _levels(self, term: str) -> list[tuple[float, set[int]]]:
        """(score, entries) for each way the term can match, as listed at the top."""
        among = self._candidates(term)
        if not among:
            return []
        occurs = self._occurs
        title = occurs("title", term, among)
        keyword = occurs("keyword", term, among)
        levels = [
            (100.0, occurs("title", BEGIN + term + END, title)),
            (70.0, occurs("title", BEGIN + term, title)),
            (50.0, title),
            (60.0, occurs("keyword", BEGIN + term + END, keyword)),
            (35.0, keyword),
            (10.0, occurs("body", term, among)),
        ]
        if term.isascii() and term.isalnum() and len(term) >= 2:
            initials = occurs("initials", term, among)
            keyword_initials = occurs("keyword_initials", term, among)
            levels += [
                (58.0, occurs("keyword_initials", BEGIN + term + END, keyword_initials)),
                (55.0, occurs("initials", BEGIN + term, initials)),
                (40.0, initials),
                (30.0, keyword_initials),
            ]
            if len(term) >= 3:
                levels.append((25.0, occurs("full", term, among)))
        return levels

    def _partial(self, term: str) -> dict[int, float]:
        """Entries holding most of the term's character pairs (bigrams), with a score
        below any whole match: a partial match. Only for Chinese terms of 3+ chars."""
        if len(term) < 3 or not has_cjk(term):
            return {}
        pairs = {term[i:i + 2] for i in range(len(term) - 1)}
        scores: dict[int, float] = {}
        for column, weight in (("title", 20.0), ("body", 6.0)):
            counts: dict[int, int] = {}
            for pair in pairs:
                for index in self._occurs(column, pair, self._candidates(pair)):
                    counts[index] = counts.get(index, 0) + 1
            for index, count in counts.items():
                share = count / len(pairs)
                if share >= 0.5 and weight * share > scores.get(index, 0.0):
                    scores[index] = weight * share
        return scores

    def _term_scores(self, spellings: list[tuple[str, float]]) -> dict[int, float]:
        """Entry index -> the term's best score over its spellings and ways to match."""
        best: dict[int, float] = {}
        for spelling, weight in spellings:
            for score, found in self._levels(spelling):
                value = score * weight
                for index in found:
                    if value > best.get(index, 0.0):
                        best[index] = value
        if not best:  # nothing holds the term whole: entries holding most of it
            best = self._partial(spellings[0][0])
        return best

    def search(self, query: str, limit: int = 30) -> list[Hit]:
        terms = self.terms(query)
        if not terms:
            return []
        totals: dict[int, float] | None = None
        for spellings in terms:
            scores = self._term_scores(spellings)
            totals = scores if totals is None else {  # every term must match
                i: t + scores[i] for i, t in totals.items() if i in scores}
            if not totals:
                return []
        assert totals is not None
        ranked = heapq.nsmallest(limit, totals.items(), key=lambda it: (
            -it[1], self._entries[it[0]].rank, self._entries[it[0]].key))
        return [Hit(self._entries[i].key, score, self._entries[i]) for i, score in ranked[:limit]]

def synonym_groups(bodies: Iterable[Mapping[str, Any]]) -> list[tuple[str, ...]]:
    """The default groups plus those of reference items of kind `synonym`
    (body `{"words": ["个税", "个人所得税"]}`); malformed bodies are skipped."""
    groups: list[tuple[str, ...]] = list(DEFAULT_SYNONYMS)
    for body in bodies:
        words = body.get("words")
        if isinstance(words, list) and len(words) >= 2 \
                and all(isinstance(w, str) and w.strip() for w in words):
            groups.append(tuple(words))
    return groups
