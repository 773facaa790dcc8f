"""Screens of `calc.labour` (ui/screens/calculators.py)."""
from __future__ import annotations

from .calculators import calculator_screens, calculator_shots

FLOW, SCREENS = calculator_screens("calc.labour")
SHOTS = calculator_shots("calc.labour", amount="5000")
