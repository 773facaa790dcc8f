"""Screens of `calc.iit_annual` (ui/screens/calculators.py)."""
from __future__ import annotations

from .calculators import calculator_screens, calculator_shots

FLOW, SCREENS = calculator_screens("calc.iit_annual")
SHOTS = calculator_shots("calc.iit_annual", income="180000", withheld="10000")
