"""Alembic environment of the central service's database, SQLite or PostgreSQL (see
offline_queue.alembic_env). From the developer CLI (``alembic -n central ...``) the
URL comes from ``$KIOSK_CENTRAL_DB`` or alembic.ini."""
from __future__ import annotations

import os

from alembic import context

from central.db import Base, make_engine
from offline_queue.alembic_env import run_env

run_env(Base.metadata,
        os.environ.get("KIOSK_CENTRAL_DB") or context.config.get_main_option("sqlalchemy.url")
        or "", make_engine)
