"""Shared fixtures: a real central service on loopback over a real database, once on
SQLite and once on PostgreSQL (see central_backends: skipped without a server)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session

from central.db import create_schema, make_engine
from central.demo_data import load_demo_data
from central.server import CentralServer
from central_backends import (
    BACKENDS,
    SKIP_REASON,
    PostgresPool,
    postgres_configured,
    postgres_server_url,
)
from central_helpers import ADMIN_TOKEN, ENROLMENT_TOKEN, TODAY


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Without a PostgreSQL server, mark the postgres variants skipped at collection:
    the summary then folds them into one line per file, with the reason."""
    if postgres_configured():
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "postgres" in (params.get("backend"), params.get("module_db_url")):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def postgres_pool() -> Iterator[PostgresPool]:
    pool = PostgresPool(postgres_server_url())
    yield pool
    pool.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _database(backend: str, request: pytest.FixtureRequest, directory: Path
              ) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'central.db'}"
        return
    pool: PostgresPool = request.getfixturevalue("postgres_pool")
    with pool.database() as url:
        yield url


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh central database: a SQLite file, or a new PostgreSQL database."""
    yield from _database(backend, request, tmp_path)


@pytest.fixture(scope="module", params=BACKENDS)
def module_db_url(request: pytest.FixtureRequest,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One database per test module and backend, for module-scoped servers."""
    yield from _database(str(request.param), request, tmp_path_factory.mktemp("module"))


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
def shared_client(module_db_url: str) -> Iterator[httpx.Client]:
    """One server per test module, for tests that change no state others look at
    (validation errors, lookups of distinct invoices): saves a server start each."""
    with CentralServer(module_db_url, today=lambda: TODAY, demo_data=True,
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

