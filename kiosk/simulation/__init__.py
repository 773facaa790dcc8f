"""A simulated tax hall: local central service, switchable network, device simulators.

Used by `kiosk run --simulate`, the scenario runner, the benchmark and the tests, so
all of them exercise the same real transports.
"""
from .hall import SimulatedHall
from .network import NetworkSwitch

__all__ = ["SimulatedHall", "NetworkSwitch"]
