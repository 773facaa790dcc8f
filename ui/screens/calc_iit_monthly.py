"""Screens of `calc.iit_monthly` (ui/screens/calculators.py)."""
from __future__ import annotations

from .calculators import calculator_screens, calculator_shots

FLOW, SCREENS = calculator_screens("calc.iit_monthly")
SHOTS = calculator_shots("calc.iit_monthly", month="3", cumulative_income="45000", cumulative_social_insurance="4500")
