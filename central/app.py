"""The HTTP API of the reference central service (FastAPI; OpenAPI at /openapi.json).

`create_app` builds the service's state (database engine and sessions, tokens, rate
limiters, the record-kind handlers of the ingest) and includes one router per area
(central/routes/); routes reach the state through FastAPI dependencies
(central.state.AppState), the admin token and the kiosk's certificate through
central.auth. A new area is a new module in central/routes/ and one `include_router`
line below.

Handlers are plain `def` functions: FastAPI runs them in its thread pool, and each one
opens its own SQLAlchemy session, so a slow database never blocks the event loop (the
three busiest, heartbeat, sync batch and a kiosk's verification, run their `def` body
on a smaller pool of their own: central.hot_path).
Bad input always gets a 4xx with a readable `detail`; a busy database gets 503 (which
kiosks treat as "try again"), never a bare 500 (central.errors). Every error body is
`central.errors.ErrorResponse`, and the OpenAPI document says so.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from sqlalchemy.orm import sessionmaker

from central.certificates import CertificateIssuer, load_issuer_key
from central.db import create_schema, make_engine
from central.demo_data import (
    load_demo_data,
    load_demo_registry,
    load_demo_staff,
    withdraw_demo_staff,
)
from central.errors import (
    error_responses,
    install_error_handlers,
    without_default_validation_schemas,
)
from central.fleet.alerts import FleetMonitor
from central.fleet.settings import FleetSettings
from central.identity import QrWaiters
from central.ingest import ingest_batch
from central.middleware import MAX_BODY_BYTES, BodyLimitMiddleware
from central.rate_limit import ReplayGuard, TokenBucket
from central.replay_db import DbReplayGuard
from central.routes import (
    assistance,
    certificates,
    consult,
    digital_invoices,
    enrolment,
    fleet_admin,
    health,
    identity,
    imports,
    invoices,
    kiosks,
    lottery,
    payments,
    reference,
    school,
    sync,
    taxpayer,
    verify,
)
from central.routes import fleet as fleet_pages
from central.routes.enrolment import MAX_PENDING_KIOSKS
from central.state import CentralState
from central.verification import china_today

log = logging.getLogger(__name__)

#: The public check (POST /v1/invoices/verify) per client address: a burst of 10, then
#: 6 a minute (central.rate_limit; create_app's `public_verify_limit`).
PUBLIC_VERIFY_LIMIT: tuple[int, float] = (10, 6.0)

__all__ = ["MAX_BODY_BYTES", "MAX_PENDING_KIOSKS", "PUBLIC_VERIFY_LIMIT", "create_app"]


def create_app(db_url: str, *, enrolment_token: str | None = None,
               admin_token: str | None = None, today: Callable[[], date] | None = None,
               demo_data: bool = False, demo_staff: bool | None = False,
               kiosk_certificates: bool = False,
               public_verify_limit: tuple[int, float] = PUBLIC_VERIFY_LIMIT,
               now: Callable[[], datetime] | None = None,
               certificate_key_file: str | os.PathLike[str] | None = None,
               fleet: FleetSettings | None = None,
               shared_guards: bool = False) -> FastAPI:
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
    `now` is the service's time for taxpayer logins (QR tokens, sessions, the
    wrong-password lock; default: the real UTC time); `demo_data` also loads the
    demo taxpayer registry (central.demo_data.load_demo_registry).
    The caller leaves its bind decision (central.bind_rules.Exposure) on
    `app.state.exposure`. `fleet`: the fleet page's settings (heartbeat interval,
    alert limits, webhook); with a webhook a monitor thread sends alerts
    (`app.state.fleet_monitor`, stopped by central.server.CentralServer).
    `shared_guards`: keep the replay guards in the database, for several worker
    processes on one database (central.replay_db).
    """
    clock = today or china_today
    wall = now or (lambda: datetime.now(UTC))
    engine = make_engine(db_url)
    create_schema(engine)
    new_session = sessionmaker(engine, expire_on_commit=False)
    if demo_data:
        with new_session() as session:
            load_demo_data(session, clock())
            session.commit()
        with new_session() as session:
            load_demo_registry(session, clock(), wall())
            session.commit()
    if demo_staff:
        with new_session() as session:
            load_demo_staff(session, datetime.now(UTC))
    elif demo_staff is not None:
        with new_session() as session:
            if withdraw_demo_staff(session, datetime.now(UTC)):
                log.warning("withdrew the demo staff account (started without demo data)")

    app = FastAPI(title="Tax kiosk central service", version="1.0",
                  description="Reference central service: invoice verification, kiosk "
                              "enrolment, and the outbox sync protocol.",
                  # Every route may meet a busy database (central.errors).
                  responses=error_responses(503))
    app.state.engine = engine
    app.state.sessions = new_session
    app.state.central = CentralState(
        engine=engine, sessions=new_session, clock=clock, admin_token=admin_token,
        enrolment_token=enrolment_token, kiosk_certificates=kiosk_certificates,
        public_checks=TokenBucket(*public_verify_limit),
        kiosk_verify_replays=ReplayGuard(),
        # Looked up here, not imported by the route: the fault tests swap it.
        ingest=ingest_batch, now=wall, qr_waiters=QrWaiters(),
        fleet=fleet or FleetSettings())
    if shared_guards:  # a replay reaching another worker is still refused
        app.state.central.kiosk_verify_replays = DbReplayGuard(new_session)
        app.state.central.sealed_call_replays = DbReplayGuard(new_session)
    app.state.fleet_monitor = (FleetMonitor(new_session, app.state.central.fleet).start()
                               if app.state.central.fleet.webhook_url else None)
    # The certificate issuer's key (flag, $KIOSK_CENTRAL_CERTIFICATE_KEY[_FILE], the
    # credential, else generated beside the database) and its public key on the feed.
    issuer_key, _where = load_issuer_key(db_url, certificate_key_file)
    app.state.central.certificates = CertificateIssuer(issuer_key)
    app.state.central.certificates.publish(new_session, clock())
    app.add_middleware(BodyLimitMiddleware, limit=MAX_BODY_BYTES)
    install_error_handlers(app)

    app.include_router(health.router)
    app.include_router(fleet_pages.router)
    app.include_router(assistance.router)
    app.include_router(verify.router)
    app.include_router(enrolment.router)
    app.include_router(sync.router)
    app.include_router(kiosks.router)
    app.include_router(fleet_admin.router)
    app.include_router(reference.router)
    app.include_router(imports.router)
    app.include_router(identity.router)
    app.include_router(taxpayer.router)
    app.include_router(consult.router)
    app.include_router(school.router)
    app.include_router(certificates.router)
    app.include_router(payments.router)
    app.include_router(invoices.router)
    app.include_router(lottery.router)
    app.include_router(digital_invoices.router)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = without_default_validation_schemas(get_openapi(
                title=app.title, version=app.version, description=app.description,
                routes=app.routes))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
