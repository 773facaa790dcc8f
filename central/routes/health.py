"""Liveness: who may call it: anyone (it says only that the service and its database
answer)."""
from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from sqlalchemy import text

from central.state import AppState

router = APIRouter(tags=["health"])


@router.get("/v1/health")
def health(state: AppState) -> dict[str, str]:
    """Liveness and database reachability; `time` is the service's UTC time."""
    with state.sessions() as session:
        session.execute(text("SELECT 1"))
    return {"status": "ok", "time": datetime.now(UTC).isoformat()}
