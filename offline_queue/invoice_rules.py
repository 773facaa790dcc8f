"""Invoice pickup rules shared by the central service and the kiosk's offline pickup
(services.md §1): the caps (本次最高可领), 验旧 of the holdings, the 验旧 number range
(TS5), overlap of number ranges, and the refusal reasons with their words in both
languages. Pure functions: no I/O, no clock.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Kinds a pickup order and the dispenser name (counted in 份, one piece per unit).
INVOICE_KINDS = ("增值税普通发票", "通用机打发票", "增值税专用发票", "定额发票")
METHOD_TERMINAL, METHOD_COURIER = "02", "03"

# Refusal codes and their words (services.md §1.4). `over_cap` is completed with the
# caps by the screen; the others stand alone.
REFUSALS: dict[str, tuple[str, str]] = {
    "pickup.no_eligibility": ("暂无领用发票资格，请至窗口办理",
                              "You are not eligible to collect invoices; please go to a counter"),
    "pickup.no_approval": ("请先办理票种核定", "Please apply for an invoice-type approval first"),
    "pickup.pending_application": ("您有未办结的领用申请",
                                   "You have another invoice application still open"),
    "pickup.over_cap": ("超出可领数量，可申请超限量特批",
                        "Over your limit: you may apply for a special approval (超限量特批)"),
    "pickup.not_verified": ("请先完成验旧：已用发票尚未全部上传",
                            "Verify your used invoices first: not all of them were uploaded"),
    "pickup.arrears": ("存在未缴税款，请先缴清", "You have unpaid tax; please pay it first"),
    "pickup.not_stocked": ("本机没有该种发票，请至窗口领取",
                           "This terminal does not hold this invoice kind; please go to a counter"),
    "pickup.unknown_code": ("取票码不正确或已使用", "Unknown or used pickup code"),
    "pickup.wrong_hall": ("该申请不在本大厅领取", "This application is not for this hall"),
    "pickup.done": ("该申请已领取", "This application was already collected"),
}


def refusal_text(code: str, lang: str) -> str:
    zh, en = REFUSALS.get(code, ("无法领取", "Cannot collect"))
    return zh if lang == "zh" else en


def max_now(per_pickup_max: int, holding_max: int, balance: int, month_left: int) -> int:
    """本次最高可领 = min(每次最高, 持票最高 − 结存, 本月剩余), never below 0 (TS4)."""
    return max(0, min(per_pickup_max, holding_max - balance, month_left))


def cap_reason(per_pickup_max: int, holding_max: int, balance: int, month_left: int
               ) -> str | None:
    """Which cap makes 本次最高可领 0 ('holding', 'month'), or None when it is above 0."""
    if max_now(per_pickup_max, holding_max, balance, month_left) > 0:
        return None
    if holding_max - balance <= 0:
        return "holding"
    if month_left <= 0:
        return "month"
    return "per_pickup"


@dataclass(frozen=True)
class Holding:
    """Invoices a taxpayer holds: a range picked up, of which `used` were issued and
    `uploaded` reported through the tax-control upload."""

    invoice_kind: str
    code: str
    first: int
    last: int
    used: int
    uploaded: int

    @property
    def count(self) -> int:
        return self.last - self.first + 1

    @property
    def unused(self) -> int:
        return max(0, self.count - self.used)

    @property
    def verified(self) -> bool:
        """验旧 passes when the upload covers every used piece."""
        return self.uploaded >= self.used


def balance(holdings: Iterable[Holding]) -> int:
    """结存: the unused pieces of all holdings."""
    return sum(h.unused for h in holdings)


def verified(holdings: Sequence[Holding]) -> bool:
    return all(h.verified for h in holdings)


class RangeError(ValueError):
    """A 验旧 range the rules refuse; the message is the official wording."""


def verify_range(first: str, last: str, pieces: int) -> tuple[str, str]:
    """The 验旧 range of `pieces` starting at the lowest unverified number `first` of a
    stock first..last (8-digit numbers): (起始号, 终止号). TS5: 00012001–00012100, 25 ->
    00012025; 0 or 101 -> "份数必须大于0且不能大于100！"."""
    total = int(last) - int(first) + 1
    if not 0 < pieces <= total:
        raise RangeError(f"份数必须大于0且不能大于{total}！")
    return first, f"{int(first) + pieces - 1:0{len(first)}d}"


def handwritten_ceiling(pieces: int) -> str:
    """Hand-written invoices: 开具金额 ≤ 份数 × 999.99 (TS5: 25 -> 24999.75)."""
    cents = pieces * 99999
    return f"{cents // 100}.{cents % 100:02d}"


def overlaps(a_first: int, a_last: int, b_first: int, b_last: int) -> bool:
    return a_first <= b_last and b_first <= a_last


def within(first: int, last: int, outer_first: int, outer_last: int) -> bool:
    return outer_first <= first and last <= outer_last


def split_jobs(quantity: int, per_job: int) -> list[int]:
    """A quantity as device jobs of at most `per_job` sheets each."""
    if quantity <= 0 or per_job <= 0:
        return []
    return [per_job] * (quantity // per_job) + ([quantity % per_job] if quantity % per_job else [])
