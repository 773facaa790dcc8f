"""Admin imports (admin token): registry invoices from CSV, the taxpayer registry
from JSON. Who may call them: operators holding the admin token."""
from __future__ import annotations

import io
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from central.auth import require_admin
from central.errors import ADMIN, WITH_BODY, error_responses
from central.invoice_import import ImportFileError, import_invoices_csv
from central.registry import RegistryFileError, import_registry, load_document
from central.schemas import ImportReportOut, RegistryReportOut
from central.state import AppState

router = APIRouter(tags=["admin"])


@router.post("/v1/admin/import-invoices", response_model=ImportReportOut,
             dependencies=[Depends(require_admin)],
             responses=error_responses(*ADMIN, *WITH_BODY),
             openapi_extra={"requestBody": {"required": True, "content": {
                 "text/csv": {"schema": {"type": "string"}}}}})
async def import_invoices(request: Request, state: AppState) -> dict[str, Any]:
    """Upsert registry invoices from CSV text (admin token)."""
    raw = await request.body()
    try:
        csv_text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise HTTPException(422, "the CSV body is not UTF-8 text") from None

    def work() -> dict[str, Any]:
        with state.sessions() as session:
            try:
                report = import_invoices_csv(session, io.StringIO(csv_text, newline=""))
            except ImportFileError as exc:
                raise HTTPException(422, str(exc)) from None
            session.commit()
            return report.to_json()

    return await run_in_threadpool(work)


@router.post("/v1/admin/registry", response_model=RegistryReportOut,
             dependencies=[Depends(require_admin)],
             responses=error_responses(*ADMIN, *WITH_BODY),
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": {"type": "object"}}}}})
async def import_taxpayer_registry(request: Request, state: AppState) -> dict[str, Any]:
    """Upsert the taxpayer registry from a registry document (docs/automation.md,
    "Taxpayer registry"; the same as `kiosk central --import-registry`): the answer
    reports rows added and updated per list, and each refused row with its list and
    index (good rows are kept). 422 and nothing stored when the document as a whole
    is unusable. Caller: operators (admin token)."""
    raw = await request.body()
    try:
        document = load_document(raw)
    except RegistryFileError as exc:
        raise HTTPException(422, str(exc)) from None

    def work() -> dict[str, Any]:
        with state.sessions() as session:
            try:
                report = import_registry(session, document, state.now())
            except RegistryFileError as exc:
                raise HTTPException(422, str(exc)) from None
            session.commit()
            return report.to_json()

    return await run_in_threadpool(work)
