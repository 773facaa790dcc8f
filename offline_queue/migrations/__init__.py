"""Alembic migrations of the kiosk outbox database (run by offline_queue.migrate).

``HEAD_REVISION`` lets the outbox see that a file is current without importing
Alembic (about 0.7 s of imports on every kiosk start); a test checks it against the
scripts, so adding a revision without updating it fails the suite.
"""
from pathlib import Path

SCRIPT_LOCATION = Path(__file__).resolve().parent
HEAD_REVISION = "0005"
