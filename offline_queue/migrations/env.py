"""Alembic environment of the kiosk outbox database (see offline_queue.alembic_env).
From the developer CLI (``alembic -n kiosk ...``) the URL comes from alembic.ini."""
from __future__ import annotations

from pathlib import Path

from alembic import context
from sqlalchemy.engine import Engine, make_url

from offline_queue.alembic_env import run_env
from offline_queue.db import make_engine, metadata


def _open(url: str) -> Engine:
    return make_engine(Path(make_url(url).database or "outbox.sqlite"))


run_env(metadata, context.config.get_main_option("sqlalchemy.url") or "sqlite://",
        _open)
