"""Screens of `calc.bonus` (ui/screens/calculators.py)."""
from __future__ import annotations

from .calculators import calculator_screens, calculator_shots

FLOW, SCREENS = calculator_screens("calc.bonus")
SHOTS = calculator_shots("calc.bonus", bonus="36001", income="100000")
