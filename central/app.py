"""The HTTP API of the reference central service (FastAPI; OpenAPI at /openapi.json).

Handlers are plain `def` functions: FastAPI runs them in its thread pool, and each one
opens its own SQLAlchemy session, so a slow database never blocks the event loop.
Bad input always gets a 4xx with a readable `detail`; a busy database gets 503 (which
kiosks treat as "try again"), never a bare 500.
"""
from __future__ import annotations

import base64
import binascii
import hmac
import io
import json
import logging
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable, Literal, get_args

from fastapi import FastAPI, Header, HTTPException, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select, text
from sqlalchemy.exc import DataError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from central.db import MAX_SEQ, Kiosk, Record, create_schema, make_engine
from central.demo_data import load_demo_data, load_demo_staff
from central.ingest import VERIFY_KIND, BatchError, UnknownKioskError, ingest_batch
from central.reference import page_after, parse_items, staff_accounts, upsert_items
from central.invoice_import import ImportFileError, import_invoices_csv
from central.verification import OUTCOMES, QueryError, china_today, verify_invoice
from offline_queue.crypto import (
    RecordIntegrityError,
    b64d,
    b64e,
    content_digest,
    encrypt_for_kiosk,
    verify_signature,
)
from offline_queue.wire import (
    REFERENCE_PAGE,
    STAFF_WINDOW_S,
    EnrolRequest,
    Heartbeat,
    ReferencePage,
    SealedAnswer,
    StaffRequest,
    StaffSnapshot,
    SyncAck,
    SyncBatch,
)

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024 * 1024  # a full sync batch is at most ~33 MB of base64


class VerifyRequest(BaseModel):
    """Online verification request; which fields are required depends on type_code."""

    model_config = ConfigDict(extra="ignore")

    type_code: str = Field(max_length=8, examples=["10"])
    code: str | None = Field(default=None, max_length=32, examples=["033001800111"])
    number: str = Field(max_length=32, examples=["25672225"])
    issued_on: str = Field(max_length=32, examples=["2018-06-10"],
                           description="YYYY-MM-DD")
    amount: str | int | float | None = Field(
        default=None, description="before tax for 01/08, total incl. tax for 31/32/51")
    check_code_last6: str | None = Field(default=None, max_length=32,
                                         description="required for 04/10/11/14")
    kiosk_id: str | None = Field(default=None, max_length=64)


class InvoiceView(BaseModel):
    type_code: str
    code: str
    number: str
    issued_on: str
    amount: str
    total: str
    seller_name: str | None
    buyer_name: str | None


class VerifyResponse(BaseModel):
    outcome: Literal["genuine", "mismatch", "not_found", "void", "red_flushed",
                     "abnormal", "too_many_checks", "out_of_period"]
    mismatch_field: Literal["amount", "check_code", "issued_on"] | None
    invoice: InvoiceView | None
    checks_today: int


assert set(get_args(VerifyResponse.model_fields["outcome"].annotation)) == set(OUTCOMES)


class EnrolResponse(BaseModel):
    kiosk_id: str
    enrolled_at: datetime
    acked_through: int


class VerificationStatus(BaseModel):
    uuid: str
    status: Literal["accepted", "rejected"]
    reason: str | None
    result: dict[str, Any] | None
    received_at: datetime


class AuditRecord(BaseModel):
    seq: int
    uuid: str | None
    kind: str
    received_at: datetime
    status: Literal["accepted", "rejected"]
    reason: str | None


class HeartbeatAck(BaseModel):
    kiosk_id: str
    received_at: datetime


class KioskView(BaseModel):
    kiosk_id: str
    enrolled_at: datetime
    acked_through: int
    last_seen: datetime | None
    last_heartbeat: dict[str, Any] | None


class ReferenceAdded(BaseModel):
    updated_seq: list[int]


class ImportRowError(BaseModel):
    line: int
    reason: str


class ImportReportOut(BaseModel):
    imported: int
    updated: int
    errors: list[ImportRowError]


class _BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    """Refuse request bodies above a limit with 413, before they are buffered."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_large = int(value) > self.limit
                except ValueError:
                    too_large = False
                if too_large:
                    await self._refuse(send)
                    return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        response = JSONResponse({"detail": f"request body larger than {self.limit} bytes"},
                                status_code=413)
        await send({"type": "http.response.start", "status": 413,
                    "headers": response.raw_headers})
        await send({"type": "http.response.body", "body": response.body})


def _readable(errors: list[Any]) -> str:
    parts = []
    for error in errors:
        loc = [str(p) for p in error.get("loc", ())]
        if loc and loc[0] in ("body", "query", "path", "header"):
            loc = loc[1:]
        where = ".".join(loc) or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def _same_secret(given: str | None, expected: str) -> bool:
    if given is None:
        return False
    # compare_digest refuses non-ASCII str: compare the UTF-8 bytes instead.
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"),
                               expected.encode("utf-8", "surrogatepass"))


def _key(text_b64: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(text_b64.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise HTTPException(422, f"{what}: not base64") from None
    if len(raw) != 32:
        raise HTTPException(422, f"{what}: must be 32 bytes")
    return raw


def create_app(db_url: str, *, enrolment_token: str | None = None,
               admin_token: str | None = None, today: Callable[[], date] | None = None,
               demo_data: bool = False, demo_staff: bool = False) -> FastAPI:
    """Build the service on a database (schema created if missing).

    enrolment_token None means open enrolment and admin_token None means open admin
    endpoints: both are for demos and development only. `today` is the service's clock
    for the verification rules (default: today's date in China). `demo_data` loads
    the demo invoice registry, `demo_staff` the demo staff account (reference data;
    `kiosk central --demo-data` and the simulated hall ask for both).
    """
    clock = today or china_today
    engine = make_engine(db_url)
    create_schema(engine)
    new_session = sessionmaker(engine, expire_on_commit=False)
    if demo_data:
        with new_session() as session:
            load_demo_data(session, clock())
            session.commit()
    if demo_staff:
        with new_session() as session:
            load_demo_staff(session, datetime.now(timezone.utc))

    app = FastAPI(title="Tax kiosk central service", version="1.0",
                  description="Reference central service: invoice verification, kiosk "
                              "enrolment, and the outbox sync protocol.")
    app.state.engine = engine
    app.state.sessions = new_session
    app.add_middleware(BodyLimitMiddleware, limit=MAX_BODY_BYTES)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""),
                   "type": e.get("type", "")} for e in exc.errors()]
        return JSONResponse(status_code=422, content=jsonable_encoder(
            {"detail": _readable(errors), "errors": errors}))

    @app.exception_handler(QueryError)
    async def _query_error(_request: Request, exc: QueryError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": str(exc)})

    @app.exception_handler(DataError)
    async def _bad_value(_request: Request, exc: DataError) -> JSONResponse:
        # The database refused a value from the request (PostgreSQL: a NUL character,
        # a number out of range): bad input, and a retry would fail the same way.
        log.info("value refused by the database: %s", type(exc.orig).__name__)
        return JSONResponse(status_code=422, content={
            "detail": "a value in the request cannot be stored (NUL character or out of "
                      "range)"})

    @app.exception_handler(OperationalError)
    async def _db_busy(_request: Request, exc: OperationalError) -> JSONResponse:
        log.warning("database unavailable: %s", exc.__class__.__name__)
        return JSONResponse(status_code=503, headers={"Retry-After": "1"},
                            content={"detail": "database busy or unavailable, retry"})

    @app.exception_handler(SQLAlchemyError)
    async def _db_error(_request: Request, exc: SQLAlchemyError) -> JSONResponse:
        log.error("database error: %s", exc.__class__.__name__)
        return JSONResponse(status_code=503, headers={"Retry-After": "1"},
                            content={"detail": "database error, retry later"})

    def require_admin(authorization: str | None) -> None:
        if admin_token is None:
            return
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise HTTPException(401, "admin token required (Authorization: Bearer ...)",
                                headers={"WWW-Authenticate": "Bearer"})
        if not _same_secret(token.strip(), admin_token):
            raise HTTPException(403, "wrong admin token")

    @app.get("/v1/health")
    def health() -> dict[str, str]:
        """Liveness and database reachability; `time` is the service's UTC time."""
        with new_session() as session:
            session.execute(text("SELECT 1"))
        return {"status": "ok", "time": datetime.now(timezone.utc).isoformat()}

    @app.post("/v1/invoices/verify", response_model=VerifyResponse)
    def verify(body: VerifyRequest) -> dict[str, Any]:
        """Verify one invoice now (counts toward its 5 checks per day)."""
        with new_session() as session:
            result = verify_invoice(session, body.model_dump(), clock())
            session.commit()
        return result

    @app.post("/v1/kiosks/enroll", response_model=EnrolResponse)
    def enroll(body: EnrolRequest) -> dict[str, Any]:
        """Register a kiosk's keys; repeating the same enrolment is harmless."""
        if enrolment_token is not None and not _same_secret(body.token, enrolment_token):
            raise HTTPException(403, "wrong or missing enrolment token")
        public_key = _key(body.public_key, "public_key")
        data_key = _key(body.data_key, "data_key")
        for _ in range(2):
            with new_session() as session:
                kiosk = session.get(Kiosk, body.kiosk_id)
                if kiosk is None:
                    kiosk = Kiosk(kiosk_id=body.kiosk_id, public_key=public_key,
                                  data_key=data_key, enrolled_at=datetime.now(timezone.utc),
                                  acked_through=0)
                    session.add(kiosk)
                    try:
                        session.commit()
                    except IntegrityError:
                        session.rollback()
                        continue  # enrolled concurrently: compare keys on the next pass
                elif (not hmac.compare_digest(kiosk.public_key, public_key)
                      or not hmac.compare_digest(kiosk.data_key, data_key)):
                    raise HTTPException(409, "kiosk_id already enrolled with other keys")
                return {"kiosk_id": kiosk.kiosk_id, "enrolled_at": kiosk.enrolled_at,
                        "acked_through": kiosk.acked_through}
        raise HTTPException(409, "kiosk_id already enrolled with other keys")

    @app.post("/v1/sync/batch", response_model=SyncAck)
    def sync_batch(batch: SyncBatch) -> SyncAck:
        """Store a batch of outbox records, then answer with a cumulative ack."""
        with new_session() as session:
            try:
                return ingest_batch(session, batch, datetime.now(timezone.utc), clock())
            except UnknownKioskError:
                raise HTTPException(403, f"kiosk {batch.kiosk_id!r} is not enrolled") from None
            except BatchError as exc:
                raise HTTPException(422, str(exc)) from None

    @app.post("/v1/kiosks/{kiosk_id}/heartbeat", response_model=HeartbeatAck,
              responses={403: {"description": "not enrolled, or bad signature"},
                         409: {"description": "stale or replayed heartbeat"}})
    def heartbeat(kiosk_id: str, body: Heartbeat) -> dict[str, Any]:
        """A kiosk's signed health report (devices, queue depth, oldest pending age,
        software version); kept as the kiosk's last_seen / last_heartbeat."""
        report = body.model_dump(mode="json")
        now = datetime.now(timezone.utc)
        with new_session() as session:
            kiosk = _signed_by(session, kiosk_id, body, lock=True)
            previous = _json(kiosk.last_heartbeat) or {}
            if previous.get("sent_at") is not None and \
                    datetime.fromisoformat(previous["sent_at"]) >= body.sent_at_time:
                raise HTTPException(409, "stale or replayed heartbeat (sent_at is not "
                                         "newer than the last one)")
            report.pop("signature", None)
            kiosk.last_seen = now
            kiosk.last_heartbeat = json.dumps(report, ensure_ascii=False)
            session.commit()
        return {"kiosk_id": kiosk_id, "received_at": now}

    @app.post("/v1/kiosks/{kiosk_id}/staff", response_model=SealedAnswer,
              responses={403: {"description": "not enrolled, or bad signature"},
                         409: {"description": "sent_at too far from the service's clock"}})
    def staff(kiosk_id: str, body: StaffRequest) -> dict[str, str]:
        """Every current staff account (PIN hashes), for one enrolled kiosk: the signed
        request proves who asks, and the answer is a `wire.StaffSnapshot` encrypted
        under that kiosk's data key, bound to its kiosk_id and sent_at."""
        with new_session() as session:
            kiosk = _signed_by(session, kiosk_id, body)
            # Only the kiosk can read the answer, so a replay leaks nothing; the window
            # just keeps old captured requests from being answered forever.
            try:
                skew = abs(datetime.now(timezone.utc) - body.sent_at_time)
            except OverflowError:  # a date near year 1 or 9999 with an offset
                skew = timedelta.max
            if skew > timedelta(seconds=STAFF_WINDOW_S):
                raise HTTPException(409, f"sent_at is more than {STAFF_WINDOW_S} s from "
                                         f"the service's clock (check the kiosk's clock)")
            snapshot = StaffSnapshot(accounts=staff_accounts(session), sent_at=body.sent_at)
            data_key = kiosk.data_key
        nonce, ciphertext = encrypt_for_kiosk(data_key, snapshot.model_dump(mode="json"),
                                              kiosk_id, body.sent_at)
        return {"nonce": b64e(nonce), "ciphertext": b64e(ciphertext)}

    @app.get("/v1/reference", response_model=ReferencePage)
    def reference(cursor: int = Query(default=0, ge=0, le=MAX_SEQ),
                  limit: int = Query(default=REFERENCE_PAGE, ge=1, le=REFERENCE_PAGE)
                  ) -> ReferencePage:
        """Reference-data changes after `cursor`, oldest first; call again with
        `next_cursor` while `more` is true. Never staff accounts (see /staff)."""
        with new_session() as session:
            return page_after(session, cursor, limit)

    @app.post("/v1/admin/reference", response_model=ReferenceAdded,
              openapi_extra={"requestBody": {"required": True, "content": {
                  "application/json": {"schema": {"type": "object"}}}}})
    async def add_reference(request: Request,
                            authorization: str | None = Header(default=None)
                            ) -> dict[str, Any]:
        """Add, change or withdraw reference items (admin token): one object or a list
        of `{kind, key, body}` / `{kind, key, deleted: true}`."""
        require_admin(authorization)
        try:
            items = parse_items(json.loads(await request.body()))
        except (ValueError, UnicodeDecodeError) as exc:
            raise HTTPException(422, str(exc)[:500]) from None

        def work() -> dict[str, Any]:
            with new_session() as session:
                return {"updated_seq": upsert_items(session, items,
                                                    datetime.now(timezone.utc))}

        return await run_in_threadpool(work)

    @app.get("/v1/admin/kiosks/{kiosk_id}", response_model=KioskView)
    def kiosk_view(kiosk_id: str, authorization: str | None = Header(default=None)
                   ) -> dict[str, Any]:
        """An enrolled kiosk with its last heartbeat (admin token)."""
        require_admin(authorization)
        with new_session() as session:
            kiosk = session.get(Kiosk, kiosk_id)
            if kiosk is None:
                raise HTTPException(404, "unknown kiosk")
            return {"kiosk_id": kiosk.kiosk_id, "enrolled_at": kiosk.enrolled_at,
                    "acked_through": kiosk.acked_through, "last_seen": kiosk.last_seen,
                    "last_heartbeat": _json(kiosk.last_heartbeat)}

    @app.get("/v1/verifications/{uuid}", response_model=VerificationStatus,
             responses={404: {"description": "no processed verification with this uuid"}})
    def verification(uuid: str) -> dict[str, Any]:
        """The result of a queued verification, looked up by its record UUID."""
        if len(uuid) > 36:
            raise HTTPException(404, "unknown verification")
        with new_session() as session:
            row = session.execute(select(Record).where(
                Record.uuid.in_({uuid, uuid.lower()}), Record.kind == VERIFY_KIND)
            ).scalar_one_or_none()
            if row is None:
                raise HTTPException(404, "unknown verification")
            return {"uuid": row.uuid, "status": row.status, "reason": row.reason,
                    "result": _json(row.result), "received_at": row.received_at}

    @app.get("/v1/audit/kiosks/{kiosk_id}/records", response_model=list[AuditRecord])
    def audit(kiosk_id: str, authorization: str | None = Header(default=None),
              after_seq: int = Query(default=0, ge=0, le=MAX_SEQ),
              limit: int = Query(default=1000, ge=1, le=10_000)) -> list[dict[str, Any]]:
        """What a kiosk has sent, in seq order (admin token)."""
        require_admin(authorization)
        with new_session() as session:
            rows = session.execute(
                select(Record).where(Record.kiosk_id == kiosk_id, Record.seq > after_seq)
                .order_by(Record.seq).limit(limit)).scalars().all()
            return [{"seq": r.seq, "uuid": r.uuid, "kind": r.kind,
                     "received_at": r.received_at, "status": r.status,
                     "reason": r.reason} for r in rows]

    @app.post("/v1/admin/import-invoices", response_model=ImportReportOut,
              openapi_extra={"requestBody": {"required": True, "content": {
                  "text/csv": {"schema": {"type": "string"}}}}})
    async def import_invoices(request: Request,
                              authorization: str | None = Header(default=None)
                              ) -> dict[str, Any]:
        """Upsert registry invoices from CSV text (admin token)."""
        require_admin(authorization)
        raw = await request.body()
        try:
            csv_text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise HTTPException(422, "the CSV body is not UTF-8 text") from None

        def work() -> dict[str, Any]:
            with new_session() as session:
                try:
                    report = import_invoices_csv(session, io.StringIO(csv_text, newline=""))
                except ImportFileError as exc:
                    raise HTTPException(422, str(exc)) from None
                session.commit()
                return report.to_json()

        return await run_in_threadpool(work)

    return app


def _signed_by(session: Session, kiosk_id: str, body: Heartbeat | StaffRequest, *,
               lock: bool = False) -> Kiosk:
    """The enrolled kiosk that signed `body` (every field but the signature), or the
    4xx that says why not: 422 malformed, 403 unknown kiosk or bad signature. `lock`:
    hold the kiosk's row for an update."""
    if body.kiosk_id != kiosk_id:
        raise HTTPException(422, "kiosk_id in the path and the body differ")
    try:
        signature = b64d(body.signature)
    except ValueError:
        raise HTTPException(422, "signature: not base64") from None
    query = select(Kiosk).where(Kiosk.kiosk_id == kiosk_id)
    kiosk = session.execute(query.with_for_update() if lock else query).scalar_one_or_none()
    if kiosk is None:
        raise HTTPException(403, f"kiosk {kiosk_id!r} is not enrolled")
    try:
        verify_signature(kiosk.public_key, content_digest(body.model_dump(mode="json")),
                         signature)
    except RecordIntegrityError:
        raise HTTPException(403, "bad signature: not signed by this kiosk's key") from None
    return kiosk


def _json(value: str | None) -> dict[str, Any] | None:
    return json.loads(value) if value else None
