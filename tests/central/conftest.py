"""Shared fixtures: a real central service on loopback over a real SQLite file."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session

from central.db import create_schema, make_engine
from central.demo_data import load_demo_data
from central.server import CentralServer
from central_helpers import ADMIN_TOKEN, ENROLMENT_TOKEN, TODAY


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'central.db'}"


@pytest.fixture
def central(db_url: str) -> Iterator[CentralServer]:
    with CentralServer(db_url, today=lambda: TODAY, demo_data=True,
                       admin_token=ADMIN_TOKEN, enrolment_token=ENROLMENT_TOKEN) as server:
        yield server


@pytest.fixture
def client(central: CentralServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=central.url, timeout=10.0) as http:
        yield http


@pytest.fixture(scope="module")
def shared_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    """One server per test module, for tests that change no state others look at
    (validation errors, lookups of distinct invoices): saves a server start each."""
    db = tmp_path_factory.mktemp("shared") / "central.db"
    with CentralServer(f"sqlite:///{db}", today=lambda: TODAY, demo_data=True,
                       admin_token=ADMIN_TOKEN, enrolment_token=ENROLMENT_TOKEN) as server:
        with httpx.Client(base_url=server.url, timeout=10.0) as http:
            yield http


@pytest.fixture
def session(db_url: str) -> Iterator[Session]:
    """A session on a fresh database holding the demo registry (no server)."""
    engine = make_engine(db_url)
    create_schema(engine)
    with Session(engine) as s:
        load_demo_data(s, TODAY)
        s.commit()
        yield s
    engine.dispose()

