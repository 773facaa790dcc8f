"""What a running central service holds, and how a route gets at it.

`create_app` builds one `CentralState` and leaves it on `app.state.central`; routes
take it as a FastAPI dependency (`state: AppState`), never from a closure, so a route
module needs nothing but its router.
"""
from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from central.fleet.settings import FleetSettings
from central.rate_limit import ReplayGuard, TokenBucket
from offline_queue.wire import SyncAck, SyncBatch

#: `central.ingest.ingest_batch`'s signature (the fault tests swap in a naive one).
Ingest = Callable[[Session, SyncBatch, datetime, date], SyncAck]


@dataclass
class CentralState:
    engine: Engine
    #: One session per request, opened by the route in FastAPI's thread pool.
    sessions: sessionmaker[Session]
    #: The service's date for the verification rules (default: today in China).
    clock: Callable[[], date]
    #: None: open admin endpoints / open enrolment (loopback demos only, bind_rules).
    admin_token: str | None
    enrolment_token: str | None
    #: Staff and kiosk-verify endpoints demand a client certificate naming the kiosk
    #: even when the connection carries none (central.auth.require_kiosk_certificate).
    kiosk_certificates: bool
    #: Per client address, for the public check (POST /v1/invoices/verify).
    public_checks: TokenBucket
    #: Signatures of kiosk verify requests already answered.
    kiosk_verify_replays: ReplayGuard
    ingest: Ingest
    #: The service's time for taxpayer logins, sessions, QR tokens and lockouts
    #: (tests inject one); a signed request's sent_at window uses the real clock.
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    #: Signatures of sealed kiosk calls already answered (central.auth.open_sealed_call).
    sealed_call_replays: ReplayGuard = field(default_factory=ReplayGuard)
    #: Wakes QR-login long-polls when their token is approved (central.identity).
    qr_waiters: Any = None
    #: Per client address, for the public 工单号 look-up (GET /v1/tickets/{number}):
    #: like the public check, a burst of 10, then 6 a minute (central.routes.consult).
    ticket_lookups: TokenBucket = field(default_factory=lambda: TokenBucket(10, 6.0))
    #: The certificate issuer: signing key and the public checks' rate limit
    #: (central.certificates.CertificateIssuer; create_app sets it).
    certificates: Any = None
    #: The fleet page's settings (central.fleet.settings.FleetSettings).
    fleet: FleetSettings = field(default_factory=FleetSettings)
    #: Sign-in attempts on the fleet page per client address: a burst of 10, then 6 a
    #: minute (central.fleet.session).
    fleet_logins: TokenBucket = field(default_factory=lambda: TokenBucket(10, 6.0))
    #: The invoice lottery's draws (central.lottery): the system's CSPRNG; only tests
    #: put a seeded random.Random here.
    lottery_rng: random.Random = field(default_factory=secrets.SystemRandom)
    #: The province's 代开 rates (central.on_behalf.OnBehalfRates).
    on_behalf_rates: Any = None


async def central_state(request: Request) -> CentralState:
    # async: an attribute read. FastAPI runs a plain `def` dependency in its thread
    # pool, a hand-off per request on every route (#14 §6: ~10 % of a heartbeat).
    state: CentralState = request.app.state.central
    return state


AppState = Annotated[CentralState, Depends(central_state)]
