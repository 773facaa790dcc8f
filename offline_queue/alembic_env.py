"""The body of an Alembic ``env.py``, shared by the kiosk outbox's and the central
service's migrations (each env.py only says which metadata, URL and engine).

At run time the caller (offline_queue.migrate, central.migrate) hands over a connection
already inside its single upgrade transaction (``config.attributes["connection"]``);
Alembic joins that transaction instead of committing per revision, so a failed upgrade
rolls back whole. From the developer CLI (``alembic -n kiosk|central ...``) an engine
is opened on the URL instead.
"""
from __future__ import annotations

from collections.abc import Callable

from alembic import context
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection, Engine


def run_env(metadata: MetaData, url: str, open_engine: Callable[[str], Engine]) -> None:
    config = context.config

    def configure(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            # SQLite cannot ALTER most things: copy-and-move tables.
            render_as_batch=connection.dialect.name == "sqlite",
            transaction_per_migration=False,
            transactional_ddl=True,  # SQLite and PostgreSQL both roll DDL back
            compare_type=True,
        )

    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, literal_binds=True,
                          render_as_batch=url.startswith("sqlite"),
                          dialect_opts={"paramstyle": "named"})
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if connection is not None:
        configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = open_engine(url)
    try:
        with engine.begin() as conn:
            configure(conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()
