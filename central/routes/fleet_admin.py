"""Fleet administration of one terminal (issue #14 §2): put it out of service with a
reason and the nearest alternative, and back in service.

Who may call them: operators only, with the admin bearer token (central.auth.require_admin;
401 without it, 403 with a wrong one, nothing changed). The kiosk learns the state from
the answer to its next signed heartbeat.
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, ConfigDict, Field, field_validator

from central.auth import require_admin
from central.db import Kiosk
from central.errors import ADMIN, WITH_BODY, WITH_INPUT, error_responses
from central.out_of_service import (
    MAX_TEXT,
    clear_out_of_service,
    out_of_service,
    set_out_of_service,
)
from central.schemas import OutOfServiceNotice
from central.state import AppState

router = APIRouter(tags=["fleet"], dependencies=[Depends(require_admin)],
                   responses=error_responses(*ADMIN, *WITH_INPUT))

_TEXT = Field(min_length=1, max_length=MAX_TEXT)


class OutOfServiceRequest(BaseModel):
    """The notice a terminal shows full screen, in both languages; one line each."""

    model_config = ConfigDict(extra="forbid")
    reason_zh: str = _TEXT
    reason_en: str = _TEXT
    alternative_zh: str = _TEXT
    alternative_en: str = _TEXT

    @field_validator("reason_zh", "reason_en", "alternative_zh", "alternative_en")
    @classmethod
    def _one_line(cls, value: str) -> str:
        value = value.strip()
        if not value or any(not c.isprintable() for c in value):
            raise ValueError("one line of printable text")
        return value


class OutOfServiceState(BaseModel):
    kiosk_id: str
    out_of_service: OutOfServiceNotice | None


def _kiosk(session: Any, kiosk_id: str) -> None:
    if session.get(Kiosk, kiosk_id) is None:
        raise HTTPException(404, f"no kiosk {kiosk_id!r}")


@router.get("/v1/admin/kiosks/{kiosk_id}/out-of-service", response_model=OutOfServiceState,
            responses=error_responses({404: "unknown kiosk"}))
def get_out_of_service(kiosk_id: str, state: AppState) -> dict[str, Any]:
    """Whether the terminal is out of service, and its notice."""
    with state.sessions() as session:
        _kiosk(session, kiosk_id)
        return {"kiosk_id": kiosk_id, "out_of_service": out_of_service(session, kiosk_id)}


@router.post("/v1/admin/kiosks/{kiosk_id}/out-of-service", response_model=OutOfServiceState,
             responses=error_responses(*WITH_BODY, {404: "unknown kiosk"}))
def put_out_of_service(kiosk_id: str, body: OutOfServiceRequest,
                       state: AppState) -> dict[str, Any]:
    """Put the terminal out of service (or change its notice)."""
    with state.sessions() as session:
        _kiosk(session, kiosk_id)
        set_out_of_service(session, kiosk_id, body.model_dump())
        session.commit()
        return {"kiosk_id": kiosk_id, "out_of_service": out_of_service(session, kiosk_id)}


@router.delete("/v1/admin/kiosks/{kiosk_id}/out-of-service", response_model=OutOfServiceState,
               responses=error_responses({404: "unknown kiosk"}))
def clear(kiosk_id: str, state: AppState) -> dict[str, Any]:
    """Back in service (no-op if it was not out of service)."""
    with state.sessions() as session:
        _kiosk(session, kiosk_id)
        clear_out_of_service(session, kiosk_id)
        session.commit()
    return {"kiosk_id": kiosk_id, "out_of_service": None}
