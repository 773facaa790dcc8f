"""Error answers of the central service, as they are sent and as OpenAPI declares them.

Every error body is `ErrorResponse`: `{"detail": "<readable text>"}`, plus `errors` (one
entry per problem) for a request that fails validation. FastAPI's default 422 schema
(`HTTPValidationError`, `detail` as an array) is never declared: each route declares
its error statuses with `error_responses`, and `create_app` drops the default schemas
from the document, so a client generated from /openapi.json reads the real answers.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import DataError, OperationalError, SQLAlchemyError

from central.verification import QueryError
from offline_queue.payloads import readable_errors

log = logging.getLogger(__name__)

#: The schemas FastAPI adds for its own 422 answer, which this service never sends.
DEFAULT_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


class ValidationIssue(BaseModel):
    """One problem of a request that failed validation."""

    model_config = ConfigDict(extra="forbid")

    loc: list[str | int]
    msg: str
    type: str


class ErrorResponse(BaseModel):
    """The body of every 4xx/5xx answer: `detail` says what is wrong in words;
    `errors` lists each problem of a request that failed validation (422 only)."""

    model_config = ConfigDict(extra="forbid")

    detail: str
    errors: list[ValidationIssue] | None = None


#: What each error status means on every route that can answer it.
GENERIC: dict[int, str] = {
    401: "admin token required (Authorization: Bearer ...)",
    403: "not allowed",
    404: "not found",
    409: "conflicts with the service's state",
    413: "request body too large",
    422: "invalid request: `detail` says what is wrong, `errors` lists each problem",
    429: "too many requests (see Retry-After)",
    503: "database busy or unavailable: retry (see Retry-After)",
}
#: Declared on every route that takes input (path, query, header or body): validation,
#: and a value the database refuses (a NUL character, a number out of range).
WITH_INPUT = (422,)
#: Declared on every route that takes a request body (BodyLimitMiddleware).
WITH_BODY = (413, 422)
#: Declared for the admin routes (central.auth.require_admin).
ADMIN = (401, 403)


def error_responses(*statuses: int | Mapping[int, str]) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route or router: each status with the ErrorResponse model
    and a description (GENERIC's, or the one given in a mapping)."""
    described: dict[int, str] = {}
    for item in statuses:
        if isinstance(item, Mapping):
            described.update(item)
        else:
            described.setdefault(item, GENERIC[item])
    return {status: {"model": ErrorResponse, "description": text}
            for status, text in sorted(described.items())}


def error_body(detail: str) -> dict[str, Any]:
    return ErrorResponse(detail=detail).model_dump(exclude_none=True)


def install_error_handlers(app: FastAPI) -> None:
    """Answer every failure with an ErrorResponse: validation (422, readable), a bad
    verification query (422), a value the database refuses (422), a busy or failing
    database (503 with Retry-After, never a bare 500)."""
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(QueryError, _query_error)  # type: ignore[arg-type]
    app.add_exception_handler(DataError, _bad_value)  # type: ignore[arg-type]
    app.add_exception_handler(OperationalError, _db_busy)  # type: ignore[arg-type]
    app.add_exception_handler(SQLAlchemyError, _db_error)  # type: ignore[arg-type]


async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""),
               "type": e.get("type", "")} for e in exc.errors()]
    return JSONResponse(status_code=422, content=jsonable_encoder(
        {"detail": readable_errors(errors), "errors": errors}))


async def _query_error(_request: Request, exc: QueryError) -> JSONResponse:
    return JSONResponse(status_code=422, content=error_body(str(exc)))


async def _bad_value(_request: Request, exc: DataError) -> JSONResponse:
    # The database refused a value from the request (PostgreSQL: a NUL character, a
    # number out of range): bad input, and a retry would fail the same way.
    log.info("value refused by the database: %s", type(exc.orig).__name__)
    return JSONResponse(status_code=422, content=error_body(
        "a value in the request cannot be stored (NUL character or out of range)"))


async def _db_busy(_request: Request, exc: OperationalError) -> JSONResponse:
    log.warning("database unavailable: %s", exc.__class__.__name__)
    return JSONResponse(status_code=503, headers={"Retry-After": "1"},
                        content=error_body("database busy or unavailable, retry"))


async def _db_error(_request: Request, exc: SQLAlchemyError) -> JSONResponse:
    log.error("database error: %s", exc.__class__.__name__)
    return JSONResponse(status_code=503, headers={"Retry-After": "1"},
                        content=error_body("database error, retry later"))


def without_default_validation_schemas(schema: dict[str, Any]) -> dict[str, Any]:
    """An OpenAPI document without FastAPI's HTTPValidationError / ValidationError,
    which no route references once each declares ErrorResponse for 422."""
    components = schema.get("components", {}).get("schemas", {})
    for name in DEFAULT_VALIDATION_SCHEMAS:
        components.pop(name, None)
    return schema
