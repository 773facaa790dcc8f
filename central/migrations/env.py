"""Alembic environment of the central service's database (SQLite or PostgreSQL).

central.migrate hands over a connection already inside the upgrade transaction
(``config.attributes["connection"]``); Alembic joins it. From the developer CLI
(``alembic -n central ...`` with the repository's alembic.ini) the URL comes from the
ini file or ``$KIOSK_CENTRAL_DB``.
"""
from __future__ import annotations

import os

from alembic import context
from sqlalchemy.engine import Connection

from central.db import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        transaction_per_migration=False,
        transactional_ddl=True,  # SQLite and PostgreSQL both roll DDL back
        compare_type=True,
    )


def _url() -> str:
    return os.environ.get("KIOSK_CENTRAL_DB") or config.get_main_option("sqlalchemy.url") or ""


def run_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True,
                      dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    from central.db import make_engine

    engine = make_engine(_url())
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
