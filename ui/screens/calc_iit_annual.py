"""Screens of `calc.iit_annual` (ui/screens/calculators.py)."""
from __future__ import annotations

from .calculators import calculator_screens

FLOW, SCREENS = calculator_screens("calc.iit_annual")
