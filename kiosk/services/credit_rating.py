"""Use case `credit.rating` 纳税信用等级 (Qt-free): the identified taxpayer's credit
rating by year (sealed `taxpayer/credit`, online only) and the 银税互动 consent.

A taxpayer whose newest rating is A or B may consent, on a separate screen and
explicitly, to have the rating sent to one bank for a tax-credit loan (个人信息保护法
第23条: 单独同意); the consent and its withdrawal are queued records of kind
`credit.consent` (offline_queue.payloads.CreditConsentPayload), so they are kept
even if the link drops right after the tap, and the receipt prints with the record's
short reference. The central applies the newest record per taxpayer.
"""
from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from offline_queue.outbox import Outbox, OutboxError
from offline_queue.payloads import CREDIT_CONSENT_KIND, CreditConsentPayload

from .. import log
from ..hall_time import to_hall
from .context import ServiceContext, run_inline
from .exposure import check_room
from .taxpayer_lookup import LookupFailed, TaxpayerLookup, day, subject_rows
from .views import ResultView, Row, Tone, pick, short_reference

if TYPE_CHECKING:
    from ..config import LimitsConfig
    from .identity import Identified

_log = log.get("session")
SERVICE_ID = "credit.rating"
#: Ratings that may be shared with a bank (the central refuses others too).
CONSENT_LEVELS = ("A", "B")

#: Banks taking part in 银税互动 at this hall (services.md §3): id -> (bank, product).
BANKS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "icbc": (("中国工商银行", "ICBC"), ("税务贷", "Tax loan")),
    "ccb": (("中国建设银行", "China Construction Bank"), ("税易贷", "Tax easy loan")),
    "bocom": (("交通银行", "Bank of Communications"), ("税融通", "Tax financing")),
    "psbc": (("中国邮政储蓄银行", "Postal Savings Bank of China"), ("税贷通", "Tax loan")),
    "bob": (("北京银行", "Bank of Beijing"), ("银税贷", "Bank-tax loan")),
}

LEVELS: dict[str, tuple[str, str]] = {
    "A": ("A级：年度评价得分90分以上", "A: scored 90 or more in the year"),
    "B": ("B级：得分70分以上不满90分", "B: scored 70 to under 90"),
    "M": ("M级：新设立或无经营收入，得分70分以上",
          "M: newly set up or no business income, scored 70 or more"),
    "C": ("C级：得分40分以上不满70分", "C: scored 40 to under 70"),
    "D": ("D级：得分不满40分或直接判为D级", "D: scored under 40, or rated D directly"),
}
LABELS: dict[str, tuple[str, str]] = {
    "title": ("纳税信用评价结果", "Tax credit rating"),
    "consent_title": ("银税互动授权回执", "Bank-tax consent receipt"),
    "withdraw_title": ("银税互动撤回授权回执", "Bank-tax consent withdrawn"),
    "year": ("%s年度", "%s"),
    "level": ("信用级别", "Rating"),
    "evaluated_on": ("评价日期", "Evaluated on"),
    "latest": ("最新评价：%s级（%s年度）", "Latest rating: %s (%s)"),
    "none": ("暂无纳税信用评价结果", "No credit rating yet"),
    "none_note": ("企业每年4月公布上一年度的评价结果；个体工商户等可申请参加评价。",
                  "Ratings of the previous year are published each April; sole "
                  "traders may apply to be rated."),
    "consent": ("银税互动授权", "Bank-tax consent"),
    "consent_to": ("已授权向%s推送（%s）", "Shared with %s (since %s)"),
    "consent_none": ("未授权", "Not shared"),
    "bank": ("授权银行", "Bank"),
    "product": ("贷款产品", "Loan product"),
    "at": ("时间", "Time"),
    "reference": ("受理编号", "Reference"),
    "granted": ("授权已提交", "Consent submitted"),
    "withdrawn": ("撤回已提交", "Withdrawal submitted"),
    "granted_note": ("税务机关将向该银行推送您的纳税信用评价结果，用于贷款审核。"
                     "您可随时在本机撤回授权。",
                     "The tax office will send your credit rating to this bank for its "
                     "loan review. You can withdraw this consent here at any time."),
    "withdrawn_note": ("撤回后，税务机关不再向该银行推送您的纳税信用信息。",
                       "After the withdrawal the tax office no longer sends your credit "
                       "information to this bank."),
    "pending": ("本次提交的授权变更将在联网同步后生效。",
                "The change you submitted takes effect once the terminal has synced."),
}


@dataclass(frozen=True)
class Rating:
    year: int
    level: str
    evaluated_on: str


@dataclass(frozen=True)
class Consent:
    bank: str  # the bank's name as stored (Chinese)
    granted_at: str


@dataclass(frozen=True)
class CreditStatus:
    ratings: tuple[Rating, ...]  # newest year first
    consent: Consent | None

    @property
    def latest(self) -> Rating | None:
        return self.ratings[0] if self.ratings else None

    def may_consent(self) -> bool:
        latest = self.latest
        return latest is not None and latest.level in CONSENT_LEVELS


@dataclass(frozen=True)
class ConsentQueued:
    """A consent (or withdrawal) committed to the outbox."""

    record_uuid: str
    bank_id: str
    granted: bool
    at: datetime


def bank_name(bank_id: str, lang: str) -> str:
    return pick(BANKS[bank_id][0], lang)


def bank_id_of(name: str) -> str | None:
    """The bank id whose Chinese or English name this is (a stored consent)."""
    return next((key for key, (names, _p) in BANKS.items() if name in names), None)


class CreditRatingService(TaxpayerLookup):
    service_id = SERVICE_ID

    def __init__(self, *, outbox: Outbox, on_queued: Callable[[], None] | None = None,
                 limits: LimitsConfig | None = None,
                 run_io: Callable[[Callable[[], Any]], Future[Any]] = run_inline,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._outbox = outbox
        self._on_queued = on_queued
        self._limits = limits
        self._run_io = run_io

    def fetch(self) -> CreditStatus:
        """Blocking: the ratings, newest year first, and the consent in force."""
        data = self.call("taxpayer.credit", "taxpayer/credit")
        ratings = []
        raw = data.get("ratings")
        for item in raw if isinstance(raw, list) else []:
            if not isinstance(item, dict) or item.get("level") not in LEVELS:
                continue
            try:
                year = int(item["year"])
            except (KeyError, TypeError, ValueError):
                continue
            evaluated = day(item.get("evaluated_on"))
            ratings.append(Rating(year, str(item["level"]),
                                  evaluated.isoformat() if evaluated else ""))
        ratings.sort(key=lambda r: r.year, reverse=True)
        consent = data.get("consent")
        given = None
        if isinstance(consent, dict) and isinstance(consent.get("bank"), str):
            at = consent.get("granted_at")
            given = Consent(consent["bank"], at if isinstance(at, str) else "")
        return CreditStatus(tuple(ratings), given)

    # -- consent ---------------------------------------------------------------------
    def queue_consent(self, bank_id: str, granted: bool) -> ConsentQueued:
        """Blocking (an fsync): queue consent to (or its withdrawal from) `bank_id`.
        LookupFailed `consent.bank` for a bank not offered here; QueueLimitExceeded
        beyond an offline exposure limit."""
        if bank_id not in BANKS:
            raise LookupFailed("not a bank of 银税互动 here", "consent.bank")
        who: Identified = self.who()
        at = self._now()
        payload = CreditConsentPayload(tin=who.subject.tin, bank=BANKS[bank_id][0][0],
                                       granted=granted, at=at)
        if self._limits is not None:
            check_room(self._outbox, self._limits)
        record = self._outbox.enqueue(CREDIT_CONSENT_KIND, payload.model_dump(mode="json"),
                                      confirm_later=True)
        _log.info("credit consent %s queued as seq %s",
                  "grant" if granted else "withdrawal", record.seq)
        if self._on_queued is not None:
            self._on_queued()
        return ConsentQueued(record.uuid, bank_id, granted, at)

    def confirm_shown(self, queued: ConsentQueued) -> Future[None]:
        """The taxpayer saw the receipt on screen (written on the I/O worker)."""
        reference = queued.record_uuid

        def write() -> None:
            try:
                self._outbox.mark_confirmed(reference)
            except OutboxError as exc:
                _log.warning("consent shown, but not recorded as shown: %s", exc)
                raise

        return self._run_io(write)

    # -- views -----------------------------------------------------------------------
    def view(self, status: CreditStatus, lang: str, surface: str = "screen",
             pending: ConsentQueued | None = None) -> ResultView:
        """The ratings by year and the consent in force, for the screen or the slip."""
        def label(key: str) -> str:
            return pick(LABELS[key], lang)

        who = self.who()
        rows = subject_rows(who, lang, "paper" if surface == "paper" else "screen")
        latest = status.latest
        if latest is None:
            return ResultView(label("none"), "neutral", tuple(rows), (label("none_note"),))
        for rating in status.ratings:
            year = label("year") % rating.year
            value = pick(LEVELS[rating.level], lang)
            if rating.evaluated_on:
                value += (f"（评价日期 {rating.evaluated_on}）" if lang == "zh"
                          else f" (evaluated {rating.evaluated_on})")
            rows.append(Row(f"year.{rating.year}", year, value))
        if surface != "paper":
            rows.append(Row("consent", label("consent"), self.consent_text(status, lang)))
        notes = (label("pending"),) if pending is not None else ()
        tone: Tone = "good" if latest.level in CONSENT_LEVELS else \
            "warning" if latest.level in ("C", "D") else "neutral"
        return ResultView(label("latest") % (latest.level, latest.year), tone, tuple(rows),
                          notes)

    def consent_text(self, status: CreditStatus, lang: str) -> str:
        consent = status.consent
        if consent is None:
            return pick(LABELS["consent_none"], lang)
        bank_id = bank_id_of(consent.bank)
        name = bank_name(bank_id, lang) if bank_id else consent.bank
        since = consent.granted_at[:10]
        return pick(LABELS["consent_to"], lang) % (name, since)

    def consent_view(self, queued: ConsentQueued, lang: str,
                     surface: str = "screen") -> ResultView:
        """The receipt of a queued consent or withdrawal."""
        def label(key: str) -> str:
            return pick(LABELS[key], lang)

        who = self.who()
        rows = subject_rows(who, lang, "paper" if surface == "paper" else "screen")
        rows += [Row("bank", label("bank"), bank_name(queued.bank_id, lang)),
                 Row("product", label("product"), pick(BANKS[queued.bank_id][1], lang)),
                 Row("at", label("at"), to_hall(queued.at).strftime("%Y-%m-%d %H:%M")),
                 Row("reference", label("reference"), short_reference(queued.record_uuid))]
        if queued.granted:
            return ResultView(label("granted"), "good", tuple(rows), (label("granted_note"),))
        return ResultView(label("withdrawn"), "good", tuple(rows), (label("withdrawn_note"),))

    def print_rating(self, status: CreditStatus, lang: str) -> None:
        """The 纳税信用评价结果 slip, masked for paper (PrintFailed when it cannot)."""
        view = self.view(status, lang, "paper")
        who = self.who()
        tin = subject_rows(who, lang, "paper")[1]
        self._slips.print_receipt(
            lang=lang, title=LABELS["title"], number_label=tin.label, number=tin.value,
            headline=view.title, rows=[(r.label, r.value) for r in view.rows
                                       if r.key != "tin"],
            notes=list(view.notes))

    def print_consent(self, queued: ConsentQueued, lang: str) -> None:
        """The consent (withdrawal) receipt with the short reference."""
        view = self.consent_view(queued, lang, "paper")
        title = LABELS["consent_title"] if queued.granted else LABELS["withdraw_title"]
        self._slips.print_receipt(
            lang=lang, title=title, number_label=pick(LABELS["reference"], lang),
            number=short_reference(queued.record_uuid), headline=view.title,
            rows=[(r.label, r.value) for r in view.rows if r.key != "reference"],
            notes=list(view.notes))


def build(ctx: ServiceContext) -> CreditRatingService:
    """The catalogue's factory for `credit.rating`."""
    return CreditRatingService(
        outbox=ctx.outbox, on_queued=ctx.on_queued, limits=ctx.limits, run_io=ctx.run_io,
        central=ctx.central, keys=ctx.keys, connectivity=ctx.connectivity,
        identity=ctx.identity, slips=ctx.slips, now=ctx.clock.now,
        as_enrolled=ctx.as_enrolled)
