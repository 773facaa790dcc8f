"""Database backends for the central tests: SQLite always, PostgreSQL when
$KIOSK_TEST_POSTGRES_URL names a server (.ci/run starts one and sets it).

Each PostgreSQL test gets a database of its own (CREATE DATABASE test_<random>),
dropped afterwards. Creating one costs the server about half a second, so
``PostgresPool`` copies them from a template already migrated to head, on a
background thread, a couple ahead of the tests that will use them. Without the
variable the PostgreSQL variants are skipped with the reason; with it, a server that
cannot be reached is an error, never a skip.
"""
from __future__ import annotations

import os
import queue
import threading
import uuid
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.pool import NullPool

POSTGRES_ENV = "KIOSK_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", "postgres"]
SKIP_REASON = (f"PostgreSQL variant: ${POSTGRES_ENV} is not set "
               f"(.ci/run starts a server and sets it)")


def postgres_configured() -> bool:
    return bool(os.environ.get(POSTGRES_ENV))


def postgres_server_url() -> URL:
    """The server URL from the environment; skips the calling test when unset."""
    raw = os.environ.get(POSTGRES_ENV)
    if not raw:
        pytest.skip(SKIP_REASON)
    url = make_url(raw)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url


def _admin(server: URL) -> Engine:
    return create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)


def _drop(admin: Engine, name: str) -> None:
    """Drop a test database. FORCE cannot end a server-owned process (an autovacuum
    worker that just started on it answers "must be a member of the role ..."): such
    a worker ends by itself within moments, so try again a few times."""
    from sqlalchemy.exc import ProgrammingError

    for attempt in range(20):
        try:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except ProgrammingError as exc:
            if "pg_signal_backend" not in str(exc) or attempt == 19:
                raise
            time.sleep(0.25)


def url_of(server: URL, name: str) -> str:
    """The URL of database ``name`` on ``server``, password included (for engines
    and subprocesses)."""
    return server.set(database=name).render_as_string(hide_password=False)


@contextmanager
def postgres_database(prefix: str = "test") -> Iterator[str]:
    """A fresh, EMPTY database (no tables) on the test server; dropped on exit."""
    server = postgres_server_url()
    admin = _admin(server)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield url_of(server, name)
        finally:
            _drop(admin, name)
    finally:
        admin.dispose()


class PostgresPool:
    """Fresh central databases at the head revision, created ahead of use."""

    AHEAD = 2

    def __init__(self, server: URL) -> None:
        from central.db import create_schema, make_engine

        self.server = server
        self.admin = _admin(server)
        self.template = f"tmpl_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{self.template}"')
        engine = make_engine(url_of(server, self.template))
        try:
            create_schema(engine)  # the real migrations, on PostgreSQL
        finally:
            engine.dispose()  # a template must have no connections while copied
        self._ready: queue.Queue[str | BaseException] = queue.Queue()
        self._work: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="pg-test-pool", daemon=True)
        self._thread.start()
        for _ in range(self.AHEAD):
            self._work.put("")

    def _run(self) -> None:
        while (job := self._work.get()) is not None:
            try:
                if job:
                    _drop(self.admin, job)
                else:
                    name = f"test_{uuid.uuid4().hex[:12]}"
                    with self.admin.connect() as conn:
                        conn.exec_driver_sql(
                            f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
                    self._ready.put(name)
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting test
                self._ready.put(exc)

    @contextmanager
    def database(self) -> Iterator[str]:
        """A database nobody has used, dropped (in the background) afterwards."""
        got = self._ready.get(timeout=120)
        self._work.put("")  # the next one
        if isinstance(got, BaseException):
            raise got
        try:
            yield url_of(self.server, got)
        finally:
            self._work.put(got)

    def close(self) -> None:
        self._work.put(None)
        self._thread.join(60)
        while not self._ready.empty():
            got = self._ready.get()
            if isinstance(got, str):
                _drop(self.admin, got)
        _drop(self.admin, self.template)
        self.admin.dispose()
