"""Screens of `calc.vehicle` (ui/screens/calculators.py)."""
from __future__ import annotations

from .calculators import calculator_screens

FLOW, SCREENS = calculator_screens("calc.vehicle")
