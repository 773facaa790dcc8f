"""Central schema migrations, on SQLite and on PostgreSQL: the models agree with the
head revision, databases from the pre-Alembic create_all are stamped and upgraded
with their rows intact, and concurrent starts migrate exactly once."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from central.db import Base, make_engine
from central.migrate import (
    SchemaError,
    alembic_config,
    current_revision,
    head_revision,
    upgrade_schema,
)
from central_backends import postgres_database


@pytest.fixture
def empty_db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all, on each backend."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'central.db'}"
        return
    with postgres_database() as url:
        yield url


@pytest.fixture
def engine(empty_db_url: str) -> Iterator[Engine]:
    eng = make_engine(empty_db_url)
    yield eng
    eng.dispose()


def _to(engine: Engine, revision: str) -> None:
    with engine.connect() as conn:
        conn.begin()
        command.upgrade(alembic_config(conn), revision)
        conn.commit()


def test_single_linear_history() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == [head_revision()]
    assert all(len(rev.nextrev) <= 1 for rev in script.walk_revisions())


def test_models_and_migration_head_agree(engine: Engine) -> None:
    """Catches a column or table added to central/db.py without a revision."""
    assert upgrade_schema(engine) == head_revision()
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(context, Base.metadata)
    assert diffs == []


def test_downgrade_to_base_and_back(engine: Engine) -> None:
    upgrade_schema(engine)
    with engine.connect() as conn:
        conn.begin()
        command.downgrade(alembic_config(conn), "base")
        conn.commit()
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    assert upgrade_schema(engine) == head_revision()


def _fill_0001(engine: Engine) -> None:
    """A kiosk, a record and an invoice, written with plain SQL at revision 0001."""
    now = datetime(2026, 6, 1, 8, 0, tzinfo=timezone.utc)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO kiosks (kiosk_id, public_key, data_key, enrolled_at, "
                          "acked_through) VALUES ('K-1', :pk, :dk, :t, 1)"),
                     {"pk": b"\x01" * 32, "dk": b"\x02" * 32, "t": now})
        conn.execute(text(
            "INSERT INTO records (kiosk_id, seq, uuid, kind, created_at, received_at, hash, "
            "prev_hash, nonce, ciphertext, signature, status) VALUES ('K-1', 1, "
            "'00000000-0000-4000-8000-000000000001', 'k', :t, :t, :h, :p, 'bm9uY2U=', "
            "'Y2lwaGVy', 'c2ln', 'accepted')"), {"t": now, "h": "a" * 64, "p": "0" * 64})
        conn.execute(text(
            "INSERT INTO invoices (type_code, code, number, issued_on, amount, total, "
            "check_code, status) VALUES ('01', '033001800111', '25672225', '2026-05-01', "
            "'1234.50', '1395.00', '', 'normal')"))


def _rows(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for table in ("kiosks", "records", "invoices") for r in conn.execute(
            text(f"SELECT * FROM {table} ORDER BY 1")).all()]


def test_pre_alembic_database_is_stamped_and_upgraded(engine: Engine) -> None:
    _to(engine, "0001")
    _fill_0001(engine)
    with engine.begin() as conn:  # what create_all left: the tables, no version table
        conn.execute(text("DROP TABLE alembic_version"))
    before = _rows(engine)
    assert current_revision(engine) is None

    assert upgrade_schema(engine) == head_revision()

    after = _rows(engine)
    # New kiosk columns are empty, but for the approval: a kiosk enrolled before
    # approvals existed was let in then, and counts as approved since its enrolment.
    with engine.connect() as conn:
        approved = conn.execute(text("SELECT approved_at FROM kiosks")).scalar_one()
        columns = list(conn.execute(text("SELECT * FROM kiosks")).keys())
    assert after[0][:5] == before[0]
    assert approved is not None and str(approved)[:19] == str(before[0][3])[:19]
    assert {v for c, v in zip(columns[5:], after[0][5:]) if c != "approved_at"} == {None}
    assert after[1:] == before[1:]


def test_create_all_of_the_current_models_is_stamped_at_head(engine: Engine) -> None:
    Base.metadata.create_all(engine)  # e.g. a development database from before Alembic
    assert current_revision(engine) is None
    assert upgrade_schema(engine) == head_revision()


def test_unknown_tables_without_revision_are_refused(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY, odd TEXT)"))
    with pytest.raises(SchemaError, match="match no revision"):
        upgrade_schema(engine)
    assert current_revision(engine) is None


def test_concurrent_starts_migrate_once(empty_db_url: str) -> None:
    """Several processes' worth of engines (one per thread) start at once."""
    engines = [make_engine(empty_db_url) for _ in range(4)]
    results: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(len(engines))

    def run(engine: Engine) -> None:
        try:
            start.wait(10)
            results.append(upgrade_schema(engine))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for e in engines:
        e.dispose()
    assert not errors and results == [head_revision()] * len(engines)
    check = create_engine(empty_db_url, poolclass=NullPool)
    try:
        with check.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).all() == \
                [(head_revision(),)]
    finally:
        check.dispose()
