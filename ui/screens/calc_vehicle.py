"""Screens of `calc.vehicle` (ui/screens/calculators.py)."""
from __future__ import annotations

from .calculators import calculator_screens, calculator_shots

FLOW, SCREENS = calculator_screens("calc.vehicle")
SHOTS = calculator_shots("calc.vehicle", displacement_l="2", months="3")
