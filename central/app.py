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
from sqlalchemy import func, select, text
from sqlalchemy.exc import DataError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from central.db import MAX_SEQ, Kiosk, Record, create_schema, make_engine
from central.demo_data import load_demo_data, load_demo_staff, withdraw_demo_staff
from central.ingest import VERIFY_KIND, BatchError, UnknownKioskError, ingest_batch
from central.reference import MAX_FILE_BYTES as MAX_REFERENCE_BYTES
from central.reference import (
    page_after,
    parse_items,
    staff_account,
    staff_accounts,
    upsert_items,
)
from central.staff_pins import check_staff_pin
from central.tls_peer import client_identities
from central.invoice_import import ImportFileError, import_invoices_csv
from central.rate_limit import ReplayGuard, TokenBucket
from central.verification import (
    OUTCOMES,
    PUBLIC_OUTCOMES,
    QUEUED_INVOICE_FIELDS,
    QueryError,
    check_without_counting,
    china_today,
    queued_result_view,
    verify_invoice,
)
from offline_queue import bounded_json
from offline_queue.crypto import (
    RecordIntegrityError,
    b64d,
    b64e,
    content_digest,
    decrypt_for_kiosk,
    encrypt_for_kiosk,
    verify_signature,
)
from offline_queue.pins import pin_format_ok
from offline_queue.wire import (
    HALL_ID_PATTERN,
    REFERENCE_PAGE,
    STAFF_WINDOW_S,
    EnrolRequest,
    Heartbeat,
    KioskVerifyRequest,
    PinCheckRequest,
    PinVerdict,
    ReferencePage,
    SealedAnswer,
    StaffRequest,
    StaffSnapshot,
    SyncAck,
    SyncBatch,
    key_fingerprint,
    pin_request_label,
    pin_verdict_label,
    same_fingerprint,
)

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024 * 1024  # a full sync batch is at most ~33 MB of base64
#: Enrolments without the token waiting for an operator's approval: beyond this many,
#: more are refused (429), so strangers cannot fill the database with them.
MAX_PENDING_KIOSKS = 1000
#: The public check (POST /v1/invoices/verify) per client address: a burst of 10, then
#: 6 a minute (central.rate_limit; create_app's `public_verify_limit`).
PUBLIC_VERIFY_LIMIT: tuple[int, float] = (10, 6.0)


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


Outcome = Literal["genuine", "mismatch", "not_found", "void", "red_flushed", "abnormal",
                  "too_many_checks", "out_of_period"]
MismatchField = Literal["amount", "check_code", "issued_on"]


class VerifyResponse(BaseModel):
    """A kiosk's full answer: counted check, mismatched field, registry details."""

    outcome: Outcome
    mismatch_field: MismatchField | None
    invoice: InvoiceView | None
    checks_today: int


class PublicVerifyResponse(BaseModel):
    """The public check's coarse answer (central.verification.PUBLIC_OUTCOMES):
    "no_match" stands for both a wrong field and an unknown invoice."""

    outcome: Literal["genuine", "void", "red_flushed", "abnormal", "no_match",
                     "out_of_period"]


class QueuedInvoiceView(BaseModel):
    amount: str | None
    total: str | None
    seller_name: str | None


class QueuedResult(BaseModel):
    """A queued check's result as anyone holding its UUID sees it: what the kiosk
    shows (no buyer, no other invoice details)."""

    outcome: Outcome
    mismatch_field: MismatchField | None
    checks_today: int | None
    invoice: QueuedInvoiceView | None


assert set(get_args(Outcome)) == set(OUTCOMES)
assert set(get_args(PublicVerifyResponse.model_fields["outcome"].annotation)) == \
    set(PUBLIC_OUTCOMES)
assert tuple(QueuedInvoiceView.model_fields) == QUEUED_INVOICE_FIELDS


class EnrolResponse(BaseModel):
    kiosk_id: str
    enrolled_at: datetime
    acked_through: int
    approved: bool = Field(description="false: waits for an operator's approval "
                                       "(POST /v1/admin/kiosks/{id}/approve)")
    hall_id: str | None
    key_fingerprint: str = Field(description="what the operator's approval must name")


class VerificationStatus(BaseModel):
    uuid: str
    status: Literal["accepted", "rejected"]
    reason: str | None
    result: QueuedResult | None
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
    approved: bool
    approved_at: datetime | None
    hall_id: str | None
    key_fingerprint: str


class ApproveRequest(BaseModel):
    """An operator's approval of an enrolled kiosk, for a hall. `key_fingerprint`
    is what `kiosk enroll` printed on the terminal: an approval of a kiosk id whose
    enrolment was replaced by someone else's keys fails. `hall_id` left out: the hall
    the kiosk asked for; null: no hall (only the accounts valid in every hall)."""

    model_config = ConfigDict(extra="forbid")

    key_fingerprint: str = Field(min_length=1, max_length=64)
    hall_id: str | None = Field(default=None, min_length=1, max_length=64,
                                pattern=HALL_ID_PATTERN)


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
               demo_data: bool = False, demo_staff: bool | None = False,
               kiosk_certificates: bool = False,
               public_verify_limit: tuple[int, float] = PUBLIC_VERIFY_LIMIT) -> FastAPI:
    """Build the service on a database (schema created if missing).

    enrolment_token None means open enrolment and admin_token None means open admin
    endpoints: both are for demos and development only. With an enrolment token, an
    enrolment without one waits for an operator's approval. Under mutual TLS
    (central.server.tls_options serves through central.tls_peer's protocol, which puts
    the client certificate in the scope) the staff endpoints answer only a kiosk
    whose client certificate names it (CN or DNS subjectAltName equal to its
    kiosk_id); `kiosk_certificates` demands that even when the scope has no
    certificate (a server built without that protocol: refused, not waved through).
    `today` is the service's clock
    for the verification rules (default: today's date in China). `demo_data` loads
    the demo invoice registry, `demo_staff` the demo staff account (reference data;
    `kiosk central --demo-data` and the simulated hall ask for both); demo_staff False
    withdraws a demo account left by an earlier demo run (its card and PIN are
    public), None leaves it as it is (the `--workers` processes: the parent decided).
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
    elif demo_staff is not None:
        with new_session() as session:
            if withdraw_demo_staff(session, datetime.now(timezone.utc)):
                log.warning("withdrew the demo staff account (started without demo data)")

    app = FastAPI(title="Tax kiosk central service", version="1.0",
                  description="Reference central service: invoice verification, kiosk "
                              "enrolment, and the outbox sync protocol.")
    app.state.engine = engine
    app.state.sessions = new_session
    app.add_middleware(BodyLimitMiddleware, limit=MAX_BODY_BYTES)
    public_checks = TokenBucket(*public_verify_limit)
    kiosk_verify_replays = ReplayGuard()

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

    def require_kiosk_certificate(request: Request, kiosk_id: str) -> None:
        """With mutual TLS: 403 unless the client certificate names `kiosk_id` (a
        kiosk holding another kiosk's signing key still cannot ask in its name)."""
        names = client_identities(request.scope)
        if names is None and not kiosk_certificates:
            return  # no mutual TLS (plain HTTP, or TLS without client certificates)
        if names is None:
            raise HTTPException(403, "a client certificate naming this kiosk is required "
                                     "(mutual TLS)")
        if kiosk_id not in names:
            raise HTTPException(403, f"the client certificate does not name kiosk "
                                     f"{kiosk_id!r}")

    @app.get("/v1/health")
    def health() -> dict[str, str]:
        """Liveness and database reachability; `time` is the service's UTC time."""
        with new_session() as session:
            session.execute(text("SELECT 1"))
        return {"status": "ok", "time": datetime.now(timezone.utc).isoformat()}

    @app.post("/v1/invoices/verify", response_model=PublicVerifyResponse,
              responses={429: {"description": "too many checks from this client address "
                                              "(see Retry-After)"}})
    def verify(body: VerifyRequest, request: Request) -> dict[str, Any]:
        """Public check of one invoice, open to anyone: the coarse outcome only (no
        mismatched field, no invoice details; "no_match" for a wrong field and for an
        unknown invoice alike). It does not count toward the invoice's 5 checks a day
        (strangers must not use those up) and is rate-limited per client address (a
        burst of PUBLIC_VERIFY_LIMIT[0], then PUBLIC_VERIFY_LIMIT[1] a minute, per
        process). Kiosks use the signed POST /v1/kiosks/{kiosk_id}/verify."""
        wait_s = public_checks.take(request.client.host if request.client else "")
        if wait_s:
            raise HTTPException(429, "too many checks from this address: try again later",
                                headers={"Retry-After": TokenBucket.retry_after(wait_s)})
        with new_session() as session:
            outcome = check_without_counting(session, body.model_dump(), clock())
        return {"outcome": outcome}

    @app.post("/v1/kiosks/{kiosk_id}/verify", response_model=VerifyResponse,
              responses={403: {"description": "not enrolled, not approved, bad "
                                               "signature, or (mutual TLS) a client "
                                               "certificate that does not name the kiosk"},
                         409: {"description": "sent_at too far from the service's clock, "
                                              "or a replayed request"}})
    def kiosk_verify(kiosk_id: str, body: KioskVerifyRequest,
                     request: Request) -> dict[str, Any]:
        """Verify one invoice for an enrolled kiosk (a `wire.KioskVerifyRequest`,
        signed with its key): the full result (mismatched field, registry details),
        counted toward the invoice's 5 checks a day. Nothing is counted for a request
        that fails its signature, its sent_at window or the replay check."""
        require_kiosk_certificate(request, kiosk_id)
        with new_session() as session:
            _signed_by(session, kiosk_id, body)
            if not _near(body.sent_at_time, datetime.now(timezone.utc)):
                raise HTTPException(409, f"sent_at is more than {STAFF_WINDOW_S} s from "
                                         f"the service's clock (check the kiosk's clock)")
            # Past the window the sent_at check refuses it; within, this does.
            if not kiosk_verify_replays.first_use(f"{kiosk_id}|{body.signature}",
                                                  2 * STAFF_WINDOW_S):
                raise HTTPException(409, "replayed verification request")
            query = body.model_dump(exclude={"kiosk_id", "sent_at", "signature"})
            result = verify_invoice(session, query, clock())
            session.commit()
        return result

    @app.post("/v1/kiosks/enroll", response_model=EnrolResponse)
    def enroll(body: EnrolRequest) -> dict[str, Any]:
        """Register a kiosk's keys and hall; repeating the same enrolment is harmless.

        With the enrolment token (or on a service without one: loopback demos) the
        kiosk is approved at once for the hall it names. Without the token it is
        stored pending (`approved` false) and gets nothing (no staff accounts, no sync,
        no heartbeat) until an operator approves it; a pending enrolment may be
        replaced by a later one with other keys, since nothing was granted to it. A
        wrong token is refused (403). An approved kiosk's keys and hall never change
        here (409 for other keys; the hall changes only through an approval)."""
        if enrolment_token is None:
            trusted = True
        elif body.token is None:
            trusted = False
        elif _same_secret(body.token, enrolment_token):
            trusted = True
        else:
            raise HTTPException(403, "wrong or missing enrolment token")
        public_key = _key(body.public_key, "public_key")
        data_key = _key(body.data_key, "data_key")
        for _ in range(2):
            now = datetime.now(timezone.utc)
            with new_session() as session:
                kiosk = session.execute(select(Kiosk).where(Kiosk.kiosk_id == body.kiosk_id)
                                        .with_for_update()).scalar_one_or_none()
                same_keys = kiosk is not None and \
                    hmac.compare_digest(kiosk.public_key, public_key) and \
                    hmac.compare_digest(kiosk.data_key, data_key)
                if kiosk is None:
                    if not trusted and session.execute(select(func.count()).where(
                            Kiosk.approved_at.is_(None))).scalar_one() >= MAX_PENDING_KIOSKS:
                        raise HTTPException(429, "too many enrolments wait for approval; "
                                                 "enrol with the enrolment token")
                    kiosk = Kiosk(kiosk_id=body.kiosk_id, public_key=public_key,
                                  data_key=data_key, enrolled_at=now, acked_through=0,
                                  approved_at=now if trusted else None,
                                  hall_id=body.hall_id)
                    session.add(kiosk)
                    try:
                        session.commit()
                    except IntegrityError:
                        session.rollback()
                        continue  # enrolled concurrently: compare keys on the next pass
                    if not trusted:
                        log.info("kiosk %s enrolled without the token: waits for approval",
                                 body.kiosk_id)
                elif kiosk.approved and not same_keys:
                    raise HTTPException(409, "kiosk_id already enrolled with other keys")
                elif not kiosk.approved and (trusted or not same_keys
                                             or kiosk.hall_id != body.hall_id):
                    if not same_keys:  # nothing was granted to the pending enrolment
                        kiosk.public_key, kiosk.data_key = public_key, data_key
                        kiosk.enrolled_at = now
                    kiosk.hall_id = body.hall_id
                    if trusted:
                        kiosk.approved_at = now
                    session.commit()
                return _enrolment(kiosk)
        raise HTTPException(409, "kiosk_id already enrolled with other keys")

    @app.post("/v1/admin/kiosks/{kiosk_id}/approve", response_model=KioskView,
              responses={404: {"description": "unknown kiosk"},
                         409: {"description": "the key fingerprint does not match"}})
    def approve(kiosk_id: str, body: ApproveRequest,
                authorization: str | None = Header(default=None)) -> dict[str, Any]:
        """Approve an enrolled kiosk for a hall (admin token), or move an approved one
        to another hall: from now on it syncs and receives that hall's staff
        accounts. The fingerprint must be the one `kiosk enroll` printed."""
        require_admin(authorization)
        with new_session() as session:
            kiosk = session.execute(select(Kiosk).where(Kiosk.kiosk_id == kiosk_id)
                                    .with_for_update()).scalar_one_or_none()
            if kiosk is None:
                raise HTTPException(404, "unknown kiosk")
            if not same_fingerprint(body.key_fingerprint, kiosk.public_key):
                raise HTTPException(409, "key_fingerprint is not this kiosk's key: compare "
                                         "with what `kiosk enroll` printed on the terminal")
            if "hall_id" in body.model_fields_set:
                kiosk.hall_id = body.hall_id
            if kiosk.approved_at is None:
                kiosk.approved_at = datetime.now(timezone.utc)
            session.commit()
            log.info("kiosk %s approved for hall %s", kiosk_id, kiosk.hall_id or "(none)")
            return _kiosk_view(kiosk)

    @app.post("/v1/sync/batch", response_model=SyncAck)
    def sync_batch(batch: SyncBatch) -> SyncAck:
        """Store a batch of outbox records, then answer with a cumulative ack."""
        with new_session() as session:
            pending = session.execute(select(Kiosk.approved_at.is_(None)).where(
                Kiosk.kiosk_id == batch.kiosk_id)).scalar_one_or_none()
            if pending:
                raise HTTPException(403, f"kiosk {batch.kiosk_id!r} is not approved yet "
                                         f"(an operator must approve its enrolment)")
            try:
                return ingest_batch(session, batch, datetime.now(timezone.utc), clock())
            except UnknownKioskError:
                raise HTTPException(403, f"kiosk {batch.kiosk_id!r} is not enrolled") from None
            except BatchError as exc:
                raise HTTPException(422, str(exc)) from None

    @app.post("/v1/kiosks/{kiosk_id}/heartbeat", response_model=HeartbeatAck,
              responses={403: {"description": "not enrolled, or bad signature"},
                         409: {"description": "stale or replayed heartbeat, or sent_at "
                                               "too far from the service's clock"}})
    def heartbeat(kiosk_id: str, body: Heartbeat) -> dict[str, Any]:
        """A kiosk's signed health report (devices, queue depth, oldest pending age,
        software version); kept as the kiosk's last_seen / last_heartbeat."""
        if bounded_json.depth_of(body.devices) > bounded_json.MAX_DEPTH:
            # Before any serialisation: pydantic and json.dumps give up on deep values.
            raise HTTPException(422, f"devices: nested more than {bounded_json.MAX_DEPTH} "
                                     f"levels deep")
        report = body.model_dump(mode="json")
        now = datetime.now(timezone.utc)
        with new_session() as session:
            kiosk = _signed_by(session, kiosk_id, body, lock=True)
            # Bounded like /staff: a sent_at far in the future (a kiosk clock set to
            # 9999) would otherwise make every later heartbeat "stale" for good.
            if not _near(body.sent_at_time, now):
                raise HTTPException(409, f"sent_at is more than {STAFF_WINDOW_S} s from "
                                         f"the service's clock (check the kiosk's clock)")
            previous = _json(kiosk.last_heartbeat) or {}
            last = previous.get("sent_at")
            last_time = datetime.fromisoformat(last) if isinstance(last, str) else None
            # A stored sent_at beyond the window (kept before it was bounded) is ignored.
            if last_time is not None and _near(last_time, now) \
                    and last_time >= body.sent_at_time:
                raise HTTPException(409, "stale or replayed heartbeat (sent_at is not "
                                         "newer than the last one)")
            report.pop("signature", None)
            kiosk.last_seen = now
            kiosk.last_heartbeat = json.dumps(report, ensure_ascii=False)
            session.commit()
        return {"kiosk_id": kiosk_id, "received_at": now}

    @app.post("/v1/kiosks/{kiosk_id}/staff", response_model=SealedAnswer,
              responses={403: {"description": "not enrolled, not approved, bad "
                                               "signature, or (mutual TLS) a client "
                                               "certificate that does not name the kiosk"},
                         409: {"description": "sent_at too far from the service's clock"}})
    def staff(kiosk_id: str, body: StaffRequest, request: Request) -> dict[str, str]:
        """The current staff accounts (PIN hashes) valid in the kiosk's hall, for one
        enrolled and approved kiosk: the signed request proves who asks, and the
        answer is a `wire.StaffSnapshot` encrypted under that kiosk's data key, bound
        to its kiosk_id and sent_at."""
        require_kiosk_certificate(request, kiosk_id)
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
            snapshot = StaffSnapshot(accounts=staff_accounts(session, kiosk.hall_id),
                                     sent_at=body.sent_at)
            data_key = kiosk.data_key
        nonce, ciphertext = encrypt_for_kiosk(data_key, snapshot.model_dump(mode="json"),
                                              kiosk_id, body.sent_at)
        return {"nonce": b64e(nonce), "ciphertext": b64e(ciphertext)}

    @app.post("/v1/kiosks/{kiosk_id}/staff/pin", response_model=SealedAnswer,
              responses={403: {"description": "not enrolled, not approved, bad "
                                               "signature, or (mutual TLS) a client "
                                               "certificate that does not name the kiosk"},
                         409: {"description": "sent_at too far from the service's clock, "
                                              "or not newer than the last PIN check"},
                         422: {"description": "the sealed PIN does not open"}})
    def staff_pin(kiosk_id: str, body: PinCheckRequest, request: Request) -> dict[str, str]:
        """Check a staff PIN typed at a kiosk (signed request, the PIN sealed under the
        kiosk's data key). Wrong PINs are counted per card across every kiosk
        (central.staff_pins: 5 lock the card for 15 min, longer each time); the
        answer, a `wire.PinVerdict` sealed for the kiosk, is ok / wrong (attempts
        left) / locked (until when) / unknown (no account for the card in this
        kiosk's hall)."""
        require_kiosk_certificate(request, kiosk_id)
        now = datetime.now(timezone.utc)
        with new_session() as session:
            kiosk = _signed_by(session, kiosk_id, body, lock=True)
            if not _near(body.sent_at_time, now):
                raise HTTPException(409, f"sent_at is more than {STAFF_WINDOW_S} s from "
                                         f"the service's clock (check the kiosk's clock)")
            # One check per request: a captured wrong-PIN request replayed would
            # otherwise count again (and lock the card).
            if kiosk.pin_checked_at is not None and body.sent_at_time <= kiosk.pin_checked_at:
                raise HTTPException(409, "replayed PIN check (sent_at is not newer than the "
                                         "last one)")
            try:
                sealed = decrypt_for_kiosk(kiosk.data_key, b64d(body.nonce),
                                           b64d(body.ciphertext), kiosk_id,
                                           pin_request_label(body.card, body.sent_at))
            except ValueError:  # base64, RecordIntegrityError
                raise HTTPException(422, "the sealed PIN does not open under this kiosk's "
                                         "data key") from None
            pin = sealed.get("pin")
            if not isinstance(pin, str) or not pin_format_ok(pin):
                raise HTTPException(422, "pin: must be 6 to 8 digits")
            kiosk.pin_checked_at = body.sent_at_time
            account = staff_account(session, body.card, kiosk.hall_id)
            data_key = kiosk.data_key
            session.commit()
        verdict = ({"result": "unknown"} if account is None
                   else check_staff_pin(new_session, body.card, pin, account, now))
        answer = PinVerdict(card=body.card, sent_at=body.sent_at, **verdict)
        nonce, ciphertext = encrypt_for_kiosk(data_key, answer.model_dump(mode="json"),
                                              kiosk_id,
                                              pin_verdict_label(body.card, body.sent_at))
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
        raw = await request.body()
        try:
            # Bounded: deep nesting is a 422 with the reason, never a RecursionError.
            items = parse_items(bounded_json.loads(raw, max_chars=MAX_REFERENCE_BYTES,
                                                   what="the request body"))
        except ValueError as exc:  # JsonLimitError, ReferenceDataError
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
            return _kiosk_view(kiosk)

    @app.get("/v1/verifications/{uuid}", response_model=VerificationStatus,
             responses={404: {"description": "no processed verification with this uuid"}})
    def verification(uuid: str) -> dict[str, Any]:
        """The result of a queued verification, looked up by its record UUID: only
        what a kiosk shows (outcome, mismatched field, checks today, amounts and
        seller), never the buyer's name."""
        if len(uuid) > 36:
            raise HTTPException(404, "unknown verification")
        with new_session() as session:
            row = session.execute(select(Record).where(
                Record.uuid.in_({uuid, uuid.lower()}), Record.kind == VERIFY_KIND)
            ).scalar_one_or_none()
            if row is None:
                raise HTTPException(404, "unknown verification")
            # Whoever holds the UUID (it is on the slip) sees what the kiosk shows, no
            # more: no buyer, no invoice details beyond amounts and seller.
            return {"uuid": row.uuid, "status": row.status, "reason": row.reason,
                    "result": queued_result_view(_json(row.result)),
                    "received_at": row.received_at}

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


def _enrolment(kiosk: Kiosk) -> dict[str, Any]:
    return {"kiosk_id": kiosk.kiosk_id, "enrolled_at": kiosk.enrolled_at,
            "acked_through": kiosk.acked_through, "approved": kiosk.approved,
            "hall_id": kiosk.hall_id, "key_fingerprint": key_fingerprint(kiosk.public_key)}


def _kiosk_view(kiosk: Kiosk) -> dict[str, Any]:
    return _enrolment(kiosk) | {"last_seen": kiosk.last_seen,
                                "last_heartbeat": _json(kiosk.last_heartbeat),
                                "approved_at": kiosk.approved_at}


def _signed_by(session: Session, kiosk_id: str,
               body: Heartbeat | StaffRequest | PinCheckRequest | KioskVerifyRequest, *,
               lock: bool = False) -> Kiosk:
    """The enrolled and approved kiosk that signed `body` (every field but the
    signature), or the 4xx that says why not: 422 malformed, 403 unknown kiosk, bad
    signature or not approved yet. `lock`: hold the kiosk's row for an update."""
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
    if not kiosk.approved:
        raise HTTPException(403, f"kiosk {kiosk_id!r} is not approved yet (an operator must "
                                 f"approve its enrolment)")
    return kiosk


def _near(moment: datetime, now: datetime) -> bool:
    """Whether a signed request's sent_at is within STAFF_WINDOW_S of `now`."""
    try:
        return abs(now - moment) <= timedelta(seconds=STAFF_WINDOW_S)
    except OverflowError:  # a date near year 1 or 9999 with an offset
        return False


def _json(value: str | None) -> dict[str, Any] | None:
    return json.loads(value) if value else None
