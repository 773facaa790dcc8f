"""Use case `tax.social_insurance` 灵活就业社保费 (Qt-free): the province's contribution
levels for this year (reference data at the central service: kind, level, monthly
base, rate), the months already paid, and the payment of the months chosen
(kiosk.domain.social_insurance: base × rate a month)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..domain.social_insurance import KINDS, SocialInsuranceError, contribution, month_range
from ..payments.model import PaymentItem, PaymentRequest
from .context import ServiceContext
from .taxpayer_lookup import LookupFailed, TaxpayerLookup, decimal, money
from .views import pick

SERVICE_ID = "tax.social_insurance"


@dataclass(frozen=True)
class Level:
    kind: str
    level: str
    base: Decimal
    rate: Decimal

    def title(self, lang: str) -> str:
        return f"{pick(KINDS[self.kind], lang)} · {self.level}"

    def summary(self, lang: str) -> str:
        monthly = (self.base * self.rate).quantize(Decimal("0.01"))
        if lang == "zh":
            return f"缴费基数 {money(self.base)}，费率 {self.rate * 100:.0f}%，每月 {money(monthly)}"
        return f"Base {money(self.base)}, rate {self.rate * 100:.0f} %, {money(monthly)} a month"


@dataclass(frozen=True)
class Options:
    year: int
    levels: tuple[Level, ...]
    paid: frozenset[tuple[str, str]]  # (kind, YYYYMM)
    this_month: int


class SocialInsuranceService(TaxpayerLookup):
    service_id = SERVICE_ID

    def options(self) -> Options:
        today = self.today()
        answer = self.call("taxpayer.social_insurance", "taxpayer/social-insurance",
                           {"year": today.year})
        levels = []
        raw = answer.get("bases")
        for row in raw if isinstance(raw, list) else []:
            if isinstance(row, dict) and row.get("kind") in KINDS:
                levels.append(Level(kind=row["kind"], level=str(row.get("level") or ""),
                                    base=decimal(row.get("base")),
                                    rate=decimal(row.get("rate"))))
        if not levels:
            raise LookupFailed("no contribution levels", "social_insurance.no_bases")
        paid_raw = answer.get("paid")
        paid = frozenset((str(p.get("kind")), str(p.get("month"))) for p in (
            paid_raw if isinstance(paid_raw, list) else []) if isinstance(p, dict))
        return Options(year=today.year, levels=tuple(levels), paid=paid,
                       this_month=today.month)

    def request(self, options: Options, level: Level, first: int, last: int
                ) -> PaymentRequest:
        """The payment of months first..last at `level`; SocialInsuranceError for
        months out of order, in the future, or already paid."""
        if last > options.this_month:
            raise SocialInsuranceError("months after this one cannot be paid yet",
                                       "social_insurance.future")
        months = month_range(options.year, first, last)
        paid = frozenset(m for k, m in options.paid if k == level.kind)
        c = contribution(level.kind, level.base, level.rate, months, paid)
        zh, en = KINDS[level.kind]
        items = tuple(PaymentItem(kind="social_insurance", ref=level.kind, label_zh=zh,
                                  label_en=en, period=m, tax=c.monthly) for m in c.months)
        return PaymentRequest(service_id=SERVICE_ID, tin=self.who().subject.tin, items=items,
                              business={"kind": "social_insurance", "insurance": level.kind,
                                        "level": level.level, "base": str(level.base),
                                        "rate": str(level.rate), "months": list(c.months)})


def build(ctx: ServiceContext) -> SocialInsuranceService:
    return SocialInsuranceService.from_context(ctx)
