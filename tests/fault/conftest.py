"""Fixtures of the fault campaign; writes .fault-summary.json when the session ends."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fault_helpers import FaultEnv, Zygote, write_summary


@pytest.fixture(scope="session")
def zygote() -> Iterator[Zygote]:
    """One pre-imported kiosk interpreter forks the kiosk runs of every test."""
    shared = Zygote()
    try:
        yield shared
    finally:
        shared.close()


@pytest.fixture
def env(tmp_path: Path, request: pytest.FixtureRequest, zygote: Zygote) -> Iterator[FaultEnv]:
    # A stable seed per test, so a failing campaign replays the same faults.
    seed = sum(request.node.name.encode()) * 7919
    fault_env = FaultEnv(tmp_path, seed, zygote)
    try:
        yield fault_env
    finally:
        fault_env.close()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    write_summary()
