"""Alembic migrations of the central service's database (run by central.migrate)."""
from pathlib import Path

SCRIPT_LOCATION = Path(__file__).resolve().parent
