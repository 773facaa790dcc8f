"""Reference data for `cache` services: the public feed by cursor (no token: public
information; mutual TLS keeps strangers out in production; never staff accounts) and
its upkeep (admin token)."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from starlette.concurrency import run_in_threadpool

from central.auth import require_admin
from central.db import MAX_SEQ
from central.errors import ADMIN, WITH_BODY, WITH_INPUT, error_responses
from central.reference import MAX_FILE_BYTES as MAX_REFERENCE_BYTES
from central.reference import page_after, parse_items, upsert_items
from central.schemas import ReferenceAdded
from central.state import AppState
from offline_queue import bounded_json
from offline_queue.wire import REFERENCE_PAGE, ReferencePage

router = APIRouter(tags=["reference"])


@router.get("/v1/reference", response_model=ReferencePage,
            responses=error_responses(*WITH_INPUT))
def reference(state: AppState, cursor: int = Query(default=0, ge=0, le=MAX_SEQ),
              limit: int = Query(default=REFERENCE_PAGE, ge=1, le=REFERENCE_PAGE)
              ) -> ReferencePage:
    """Reference-data changes after `cursor`, oldest first; call again with
    `next_cursor` while `more` is true. Never staff accounts (see /staff)."""
    with state.sessions() as session:
        return page_after(session, cursor, limit)


@router.post("/v1/admin/reference", response_model=ReferenceAdded,
             dependencies=[Depends(require_admin)],
             responses=error_responses(*ADMIN, *WITH_BODY),
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": {"type": "object"}}}}})
async def add_reference(request: Request, state: AppState) -> dict[str, Any]:
    """Add, change or withdraw reference items (admin token): one object or a list
    of `{kind, key, body}` / `{kind, key, deleted: true}`."""
    raw = await request.body()
    try:
        # Bounded: deep nesting is a 422 with the reason, never a RecursionError.
        items = parse_items(bounded_json.loads(raw, max_chars=MAX_REFERENCE_BYTES,
                                               what="the request body"))
    except ValueError as exc:  # JsonLimitError, ReferenceDataError
        raise HTTPException(422, str(exc)[:500]) from None

    def work() -> dict[str, Any]:
        with state.sessions() as session:
            return {"updated_seq": upsert_items(session, items,
                                                datetime.now(UTC))}

    return await run_in_threadpool(work)
