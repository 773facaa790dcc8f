"""滞纳金 vectors: 0.05 %/day from the day after the due date, rounded once to the fen."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.domain.late_fee import LateFeeInputError, late_days, late_fee


@pytest.mark.parametrize(("tax", "due", "paid", "days", "fee"), [
    ("1000.00", date(2026, 6, 15), date(2026, 6, 15), 0, "0.00"),   # on the due date
    ("1000.00", date(2026, 6, 15), date(2026, 6, 1), 0, "0.00"),    # early
    ("1000.00", date(2026, 6, 15), date(2026, 6, 16), 1, "0.50"),   # the day after
    ("1000.00", date(2026, 6, 15), date(2026, 7, 15), 30, "15.00"),
    ("333.33", date(2026, 1, 15), date(2026, 1, 18), 3, "0.50"),    # 0.499995 -> 0.50
    ("333.33", date(2026, 1, 15), date(2026, 1, 17), 2, "0.33"),    # 0.33333 -> 0.33
    ("12345.67", date(2025, 12, 31), date(2026, 12, 31), 365, "2253.08"),
])
def test_vectors(tax: str, due: date, paid: date, days: int, fee: str) -> None:
    result = late_fee(Decimal(tax), due, paid)
    assert result.days == days
    assert result.fee == Decimal(fee)
    assert result.total == Decimal(tax) + Decimal(fee)


@pytest.mark.parametrize("bad", [1000.0, -1, Decimal("-0.01"), Decimal("NaN"), True, "100"])
def test_bad_amount_is_refused(bad: object) -> None:
    with pytest.raises(LateFeeInputError):
        late_fee(bad, date(2026, 1, 1), date(2026, 2, 1))  # type: ignore[arg-type]


@given(st.decimals(min_value=0, max_value=10**9, places=2),
       st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)),
       st.integers(min_value=0, max_value=3650))
def test_fee_grows_with_days_and_never_exceeds_rate(tax: Decimal, due: date, extra: int) -> None:
    from datetime import timedelta
    paid = due + timedelta(days=extra)
    result = late_fee(tax, due, paid)
    assert late_days(due, paid) == extra
    assert abs(result.fee - tax * Decimal("0.0005") * extra) <= Decimal("0.005")
    if extra:
        assert late_fee(tax, due, paid + timedelta(days=1)).fee >= result.fee
