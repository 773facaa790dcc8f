"""Schema migrations of the central database (SQLite or PostgreSQL), run at startup.

Every start runs ``upgrade head``: all pending revisions in one transaction (both
databases roll DDL back), under a lock so that several uvicorn workers or several
instances starting at once migrate exactly once: SQLite's write lock (the engine
begins with BEGIN IMMEDIATE), a transaction-scoped advisory lock on PostgreSQL.

A database created by the pre-Alembic ``create_schema`` (``create_all``, so no
``alembic_version`` table) is stamped with the revision whose tables and columns it
has exactly, then upgraded; anything else without a revision is refused.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from central.migrations import SCRIPT_LOCATION

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Connection, Engine

#: Key of the PostgreSQL advisory lock held while migrating (any constant bigint).
ADVISORY_LOCK_KEY = 0x7A4B_1057_0001
MIGRATION_WAIT_MS = 120_000  # SQLite: how long a start waits for another's upgrade


class SchemaError(RuntimeError):
    """The database's schema cannot be brought to the current revision."""


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config for the packaged scripts (no alembic.ini needed)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPT_LOCATION))
    if connection is not None:
        cfg.attributes["connection"] = connection  # env.py joins our transaction
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_schema(engine: Engine, revision: str = "head") -> str:
    """Bring the database to ``revision`` (default: the newest); returns the revision
    it is at afterwards. Safe to call from many processes at once."""
    from central.db import SQLITE_BUSY_MS

    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # Concurrent starts queue behind each other's whole upgrade (imports and all
            # revisions), which on a loaded machine takes longer than the engine's 5 s.
            _sqlite_busy_timeout(conn, MIGRATION_WAIT_MS)
        try:
            reached = _upgrade_in_transaction(conn, revision)
        finally:
            if sqlite:
                _sqlite_busy_timeout(conn, SQLITE_BUSY_MS)  # back to the engine's setting
    assert reached is not None
    return reached


def _upgrade_in_transaction(conn: Connection, revision: str) -> str | None:
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    conn.begin()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({ADVISORY_LOCK_KEY})")
    current = MigrationContext.configure(conn).get_current_revision()
    if current is None and _user_tables(conn):
        legacy = _matching_revision(conn)
        if legacy is None:
            conn.rollback()
            raise SchemaError(
                "the central database has tables but no schema revision, and they "
                "match no revision's schema; refusing to migrate it (tables: "
                + ", ".join(sorted(_user_tables(conn))) + ")")
        command.stamp(alembic_config(conn), legacy)
    command.upgrade(alembic_config(conn), revision)
    reached = MigrationContext.configure(conn).get_current_revision()
    conn.commit()
    return reached


def _sqlite_busy_timeout(conn: Connection, ms: int) -> None:
    """Set on the DBAPI connection: a statement through `conn` would begin a transaction."""
    conn.connection.dbapi_connection.execute(f"PRAGMA busy_timeout = {int(ms)}")  # type: ignore[union-attr]


def _user_tables(conn: Connection) -> set[str]:
    from sqlalchemy import inspect

    return set(inspect(conn).get_table_names()) - {"alembic_version"}


def _signature(conn: Connection) -> dict[str, frozenset[str]]:
    """Tables and their column names: what a revision's schema must match exactly."""
    from sqlalchemy import inspect

    inspector = inspect(conn)
    return {table: frozenset(c["name"] for c in inspector.get_columns(table))
            for table in inspector.get_table_names() if table != "alembic_version"}


def _revision_signatures() -> Iterator[tuple[str, dict[str, frozenset[str]]]]:
    """(revision, signature) of every revision, oldest first, built in memory."""
    from alembic import command
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine

    revisions = [s.revision for s in
                 reversed(list(ScriptDirectory.from_config(alembic_config()).walk_revisions()))]
    engine = create_engine("sqlite://")
    try:
        with engine.connect() as conn:
            for rev in revisions:
                command.upgrade(alembic_config(conn), rev)
                yield rev, _signature(conn)
    finally:
        engine.dispose()


def _matching_revision(conn: Connection) -> str | None:
    actual = _signature(conn)
    for rev, expected in _revision_signatures():
        if expected == actual:
            return rev
    return None
