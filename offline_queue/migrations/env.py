"""Alembic environment of the kiosk outbox database.

At run time offline_queue.migrate hands over a connection that is already inside the
single upgrade transaction (``config.attributes["connection"]``); Alembic then joins
that transaction instead of committing per revision. From the developer CLI
(``alembic -n kiosk ...`` with the repository's alembic.ini) the URL comes from the
ini file instead.
"""
from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from offline_queue.db import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things: copy-and-move tables
        transaction_per_migration=False,
        transactional_ddl=True,  # inside our BEGIN IMMEDIATE, SQLite rolls DDL back
        compare_type=True,
    )


def run_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"),
                      target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    from pathlib import Path

    from sqlalchemy.engine import make_url

    from offline_queue.db import make_engine

    url = make_url(config.get_main_option("sqlalchemy.url") or "")
    engine = make_engine(Path(url.database or "outbox.sqlite"))
    try:
        with engine.begin() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
