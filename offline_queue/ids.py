"""Identifier patterns shared by the kiosk's configuration and the wire models.

Kept free of pydantic: `kiosk run` validates its config before the first paint, and
importing the wire models there would add ~100 ms to the cold start."""
from __future__ import annotations

HALL_ID_PATTERN = r"^[A-Za-z0-9._-]+$"  # a hall's id, e.g. "hall-0101" (1-64 chars)
