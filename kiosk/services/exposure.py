"""Offline exposure: how much the kiosk has taken on without the central service.

Three measures against the `[limits]` of the config: pending records, pending amount
(the `amount_fen` of each pending payload) and the age of the oldest pending record.
At 80 % of a limit the banner and `kiosk queue status` warn; at the limit, `queue`
services stop queueing and behave as online-only, so a terminal cut off for days
cannot pile up unbounded risk.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from offline_queue.outbox import Outbox

from ..config import LimitsConfig
from ..domain.errors import DomainError

WARN_FRACTION = 0.8
AMOUNT_KEY = "amount_fen"
#: Record kinds left out of the exposure: money already taken (issue #11); its payload
#: names the amount `paid_fen`, so the amount measure leaves it out too.
NOT_EXPOSURE_KINDS = ("tax.payment",)


class QueueLimitExceeded(DomainError):
    """Queueing is refused: an offline exposure limit is reached. The UI shows the
    translated `queue.limit` message; nothing was recorded."""

    code = "queue.limit"


@dataclass(frozen=True)
class Measure:
    name: str  # pending_records | pending_amount_fen | oldest_age_h
    value: float | None  # None: not measured (no limit set, costly to compute)
    limit: float | None  # None: unlimited

    @property
    def warning(self) -> bool:
        return (self.limit is not None and self.value is not None
                and self.value >= WARN_FRACTION * self.limit)

    @property
    def exceeded(self) -> bool:
        return self.limit is not None and self.value is not None and self.value >= self.limit

    def to_json_dict(self) -> dict[str, Any]:
        return {"value": self.value, "limit": self.limit, "warning": self.warning,
                "exceeded": self.exceeded}


@dataclass(frozen=True)
class Exposure:
    measures: tuple[Measure, ...]

    @property
    def warning(self) -> bool:
        return any(m.warning for m in self.measures)

    @property
    def exceeded(self) -> bool:
        return any(m.exceeded for m in self.measures)

    def measure(self, name: str) -> Measure:
        return next(m for m in self.measures if m.name == name)

    def to_json_dict(self) -> dict[str, Any]:
        """The `limits` object of `kiosk queue status --json`."""
        out: dict[str, Any] = {m.name: m.to_json_dict() for m in self.measures}
        out["warning"] = self.warning
        out["exceeded"] = self.exceeded
        return out


def _limit(value: float) -> float | None:
    return value if value > 0 else None


def measure_exposure(outbox: Outbox, limits: LimitsConfig, *,
                     always_sum_amount: bool = False) -> Exposure:
    """Read the three measures. The amount needs every pending payload decrypted, so
    it is summed only when a limit is set (or `always_sum_amount`, for operators)."""
    # Payments already taken (`tax.payment`) are no risk the limits cap: a card
    # approval waiting for the link is money taken, never refused nor voided for it.
    pending, oldest_age_s = outbox.pending_excluding(NOT_EXPOSURE_KINDS)
    amount_limit = _limit(limits.max_pending_amount_fen)
    amount: int | None = None
    if amount_limit is not None or always_sum_amount:
        amount = outbox.pending_amount_fen(AMOUNT_KEY)
    age_h = oldest_age_s / 3600.0 if oldest_age_s is not None else 0.0
    return Exposure((
        Measure("pending_records", pending, _limit(limits.max_pending_records)),
        Measure("pending_amount_fen", amount, amount_limit),
        Measure("oldest_age_h", round(age_h, 3), _limit(limits.max_oldest_age_h)),
    ))


def check_room(outbox: Outbox, limits: LimitsConfig, amount_fen: int = 0) -> Exposure:
    """Raise QueueLimitExceeded unless one more record (carrying `amount_fen`) fits
    within every limit; returns the exposure before it."""
    exposure = measure_exposure(outbox, limits)
    records = exposure.measure("pending_records")
    amount = exposure.measure("pending_amount_fen")
    age = exposure.measure("oldest_age_h")
    if records.limit is not None and records.value is not None \
            and records.value + 1 > records.limit:
        raise QueueLimitExceeded(f"offline limit reached: {records.value:g} records pending "
                                 f"(limit {records.limit:g})")
    if amount.limit is not None and amount.value is not None \
            and amount.value + max(amount_fen, 0) > amount.limit:
        raise QueueLimitExceeded(f"offline limit reached: {amount.value:g} fen pending "
                                 f"(limit {amount.limit:g})")
    if age.exceeded:
        raise QueueLimitExceeded(f"offline limit reached: oldest pending record is "
                                 f"{age.value:g} h old (limit {age.limit:g} h)")
    return exposure
