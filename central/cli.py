"""`kiosk central ...`: serve the reference central service, or import invoices.

The kiosk CLI wires `add_arguments` and `main` into its `central` sub-command; this
module also runs on its own: `python -m central.cli --demo-data`.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from central.access_log import install_access_filter
from central.bind_rules import (
    ADMIN_TOKEN_CREDENTIAL,
    ADMIN_TOKEN_ENV,
    ENROLMENT_TOKEN_CREDENTIAL,
    ENROLMENT_TOKEN_ENV,
    Exposure,
    is_loopback_address,
)
from offline_queue.secrets import (
    SecretError,
    describe_sources,
    read_secret,
    read_secret_file,
)

DEFAULT_DB = "sqlite:///" + str(Path("var") / "central.db")
#: How `--workers N` hands the database URL to its worker processes (see worker_app).
WORKER_DB_ENV = "KIOSK_CENTRAL_WORKER_DB"
#: ... and the bind decision (central.bind_rules.Exposure as JSON), for demo endpoints.
WORKER_EXPOSURE_ENV = "KIOSK_CENTRAL_WORKER_EXPOSURE"
#: ... and the fleet page's settings (central.fleet.settings.FleetSettings as JSON).
WORKER_FLEET_ENV = "KIOSK_CENTRAL_WORKER_FLEET"
#: The fleet alerts' webhook when --fleet-webhook is not given (it may carry a secret).
FLEET_WEBHOOK_ENV = "KIOSK_CENTRAL_FLEET_WEBHOOK"
FLEET_WEBHOOK_CREDENTIAL = "fleet-webhook"


# uvicorn's loggers with their own handlers (they do not propagate to the root).
UVICORN_LOGGERS = ("uvicorn", "uvicorn.access")


def install_redaction(*logger_names: str) -> None:
    """Redact ID, phone and card numbers on the root's handlers and these loggers'
    (offline_queue.redact: central must not import kiosk/)."""
    from offline_queue.redact import install

    install(*logger_names)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL", default=DEFAULT_DB,
                        help="database URL: sqlite:///path or postgresql://... "
                             f"(default {DEFAULT_DB})")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8710, help="port to listen on")
    parser.add_argument("--demo-data", action="store_true",
                        help="load the demo invoice registry (dates relative to today) "
                             "and the demo staff account DEMO01")
    parser.add_argument("--import-invoices", metavar="FILE",
                        help="import invoices from a CSV file into the database and exit")
    parser.add_argument("--add-reference", metavar="FILE",
                        help="add or change reference data from a JSON file (one item or "
                             "a list of {kind, key, body}) and exit")
    parser.add_argument("--add-staff", action="store_true",
                        help="provision a staff account (maintenance mode) and exit: "
                             "--staff-id, --role (repeatable), --card UID; the PIN "
                             "(6-8 digits) is read from stdin and stored only hashed")
    parser.add_argument("--staff-id", metavar="ID", help="with --add-staff: e.g. S001")
    parser.add_argument("--role", action="append", metavar="ROLE",
                        help="with --add-staff: hall, logistics or technician (repeatable)")
    parser.add_argument("--card", metavar="UID", help="with --add-staff: the card's UID (hex)")
    parser.add_argument("--hall", action="append", metavar="HALL",
                        help="with --add-staff: a hall the account is valid in "
                             "(repeatable; none: every hall)")
    parser.add_argument("--import-registry", metavar="FILE",
                        help="import the taxpayer registry from a JSON document and exit "
                             "(docs/automation.md; exit 0 all rows imported, 1 some "
                             "refused and reported, 2 the file cannot be read)")
    parser.add_argument("--import-bundle", metavar="FILE",
                        help="import a bundle written by `kiosk queue export` and exit "
                             "(idempotent; a damaged bundle stores nothing, exit 2)")
    parser.add_argument("--ssl-certfile", metavar="PEM",
                        help="serve HTTPS with this server certificate (chain)")
    parser.add_argument("--ssl-keyfile", metavar="PEM", help="the server certificate's key")
    parser.add_argument("--ssl-ca-certs", metavar="PEM",
                        help="require client certificates signed by this CA (mutual TLS)")
    parser.add_argument("--workers", type=int, default=1, metavar="N",
                        help="uvicorn worker processes (default 1); use PostgreSQL for "
                             "more than one: SQLite serialises every write anyway")
    # Tokens are read at start (offline_queue.secrets): flag, then its file flag, then
    # $NAME, $NAME_FILE, then the systemd credential. Prefer files: argv is public (ps).
    parser.add_argument("--enrolment-token", metavar="T",
                        help="token kiosks must present to enrol (visible in ps: prefer "
                             "--enrolment-token-file; default: "
                             f"${ENROLMENT_TOKEN_ENV}, ${ENROLMENT_TOKEN_ENV}_FILE, "
                             f"systemd credential {ENROLMENT_TOKEN_CREDENTIAL}; none: open "
                             "enrolment, loopback only)")
    parser.add_argument("--enrolment-token-file", metavar="FILE",
                        help="read the enrolment token from this file")
    parser.add_argument("--admin-token-file", metavar="FILE",
                        help="read the admin token from this file (default: "
                             f"${ADMIN_TOKEN_ENV}, ${ADMIN_TOKEN_ENV}_FILE, systemd "
                             f"credential {ADMIN_TOKEN_CREDENTIAL}; none: admin endpoints "
                             "open, loopback only)")
    parser.add_argument("--insecure-demo", action="store_true",
                        help="allow plain HTTP (and --demo-data) on a non-loopback "
                             "address, for a demo; the tokens are still required")
    parser.add_argument("--fleet-heartbeat-interval", type=float, default=60.0, metavar="S",
                        help="the terminals' heartbeat interval in seconds (their [sync] "
                             "heartbeat_interval_s, default 60): the fleet page calls a "
                             "terminal silent after 3 intervals without one")
    parser.add_argument("--fleet-queue-age-limit", type=float, default=72.0, metavar="H",
                        help="alert when a terminal's oldest queued record is older than "
                             "this many hours (the terminals' [limits] max_oldest_age_h, "
                             "default 72)")
    parser.add_argument("--fleet-device-error-minutes", type=float, default=10.0,
                        metavar="M", help="alert when a device has been in error this long "
                                          "(default 10)")
    parser.add_argument("--fleet-webhook", metavar="URL",
                        help="POST each fleet alert as JSON to this http(s) URL, once per "
                             f"occurrence (default ${FLEET_WEBHOOK_ENV}, its _FILE, systemd "
                             "credential fleet-webhook; none: alerts are listed on /fleet "
                             "only)")
    parser.add_argument("--certificate-key-file", metavar="FILE",
                        help="the certificate issuer's Ed25519 key: one line, base64 of "
                             "the 32-byte private key (default: "
                             "$KIOSK_CENTRAL_CERTIFICATE_KEY, ..._FILE, systemd "
                             "credential certificate-key; none: generated beside the "
                             "SQLite database on the first start, 0600, for demos)")


def _safe_url(db_url: str) -> str:
    """The database URL without its password, fit for a log line."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(db_url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a bad URL fails properly later
        return "(unparsable URL)"


def _import(args: argparse.Namespace) -> int:
    from sqlalchemy.orm import Session

    from central.db import create_schema, make_engine
    from central.invoice_import import ImportFileError, import_invoices_csv

    engine = make_engine(args.db)
    try:
        create_schema(engine)
        with Session(engine) as session:
            try:
                report = import_invoices_csv(session, args.import_invoices)
            except ImportFileError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 1
            session.commit()
    finally:
        engine.dispose()
    print(f"imported {report.imported}, updated {report.updated}")
    for line, reason in report.errors:
        print(f"line {line}: {reason}", file=sys.stderr)
    good = report.imported + report.updated
    return 0 if good or not report.errors else 1


def _with_session(args: argparse.Namespace, work: Callable[[Any], int]) -> int:
    from sqlalchemy.orm import Session

    from central.db import create_schema, make_engine

    engine = make_engine(args.db)
    try:
        create_schema(engine)
        with Session(engine) as session:
            return work(session)
    finally:
        engine.dispose()


def _add_reference(args: argparse.Namespace) -> int:
    from central.reference import ReferenceDataError, load_items_file, upsert_items

    try:
        items = load_items_file(Path(args.add_reference))
    except ReferenceDataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    def work(session: Any) -> int:
        seqs = upsert_items(session, items, datetime.now(UTC))
        print(f"stored {len(seqs)} reference item(s), updated_seq {seqs[0]}..{seqs[-1]}")
        return 0

    return _with_session(args, work)


def _add_staff(args: argparse.Namespace) -> int:
    """Hash the PIN here, on the admin machine, and store the account as a reference
    item through the same path as --add-reference. The staff credential format lives
    with the kiosk that checks it (kiosk.staff): the one import from kiosk/ in central,
    and only in this admin command, never in the service."""
    import re

    from central.reference import ReferenceDataError, parse_items
    from kiosk.staff import staff_reference_item
    from offline_queue.wire import HALL_ID_PATTERN

    missing = [flag for flag, value in (("--staff-id", args.staff_id), ("--role", args.role),
                                        ("--card", args.card)) if not value]
    if missing:
        print(f"error: --add-staff needs {', '.join(missing)}", file=sys.stderr)
        return 2
    pin = sys.stdin.readline().rstrip("\r\n")
    try:
        item = staff_reference_item(args.staff_id, args.role, args.card, pin)
        halls = list(dict.fromkeys(getattr(args, "hall", None) or []))
        bad = [h for h in halls if not re.fullmatch(HALL_ID_PATTERN, h) or len(h) > 64]
        if bad:
            raise ValueError(f"--hall {bad[0]!r}: 1-64 characters of A-Z a-z 0-9 . _ -")
        if halls:  # served only to kiosks approved for one of them (central.reference)
            item["body"]["halls"] = halls
        items = parse_items(item)
    except ValueError as exc:  # StaffAuthError (card, PIN) is a ValueError too
        code = getattr(exc, "code", "")
        reason = {"staff.pin_format": "the PIN must be 6 to 8 digits (read from stdin)",
                  "staff.unknown_card": "--card is not a card UID (4 to 10 bytes in hex)",
                  }.get(code, str(exc))
        print(f"error: {reason}; nothing stored", file=sys.stderr)
        return 2
    except ReferenceDataError as exc:
        print(f"error: {exc}; nothing stored", file=sys.stderr)
        return 2

    def work(session: Any) -> int:
        from central.reference import upsert_items

        seqs = upsert_items(session, items, datetime.now(UTC))
        # Neither the UID nor the PIN: the staff id and the card's digest prefix only.
        print(f"stored staff account {args.staff_id} (card {items[0].key[:12]}…), "
              f"updated_seq {seqs[0]}")
        return 0

    return _with_session(args, work)


def _import_registry(args: argparse.Namespace) -> int:
    """Exit 0: every row imported; 1: some rows refused (each named on stderr with its
    list and index; the good rows are kept); 2: the file cannot be read or is not a
    registry document (nothing stored)."""
    from central.registry import RegistryFileError, import_registry, load_document

    try:
        document = load_document(Path(args.import_registry))
    except RegistryFileError as exc:
        print(f"error: {exc}; nothing imported", file=sys.stderr)
        return 2

    def work(session: Any) -> int:
        try:
            report = import_registry(session, document)
        except RegistryFileError as exc:
            session.rollback()
            print(f"error: {exc}; nothing imported", file=sys.stderr)
            return 2
        session.commit()
        print(report.summary())
        for section, index, reason in report.errors:
            print(f"{section}[{index}]: {reason}", file=sys.stderr)
        return 1 if report.errors else 0

    return _with_session(args, work)


def _import_bundle(args: argparse.Namespace) -> int:
    from central.bundle_import import import_bundle
    from offline_queue.bundle import BundleError

    def work(session: Any) -> int:
        try:
            report = import_bundle(session, Path(args.import_bundle))
        except BundleError as exc:
            print(f"error: bundle refused, nothing stored: {exc}", file=sys.stderr)
            return 2
        print(report.summary())
        for reason in report.reasons:
            print(f"rejected {reason}", file=sys.stderr)
        return 0

    return _with_session(args, work)


def fleet_settings(args: argparse.Namespace) -> Any:
    """The fleet page's settings from the command line (ValueError: a bad value)."""
    from central.fleet.settings import FleetSettings

    # The flag, then $KIOSK_CENTRAL_FLEET_WEBHOOK[_FILE], then the systemd credential
    # fleet-webhook (a URL may carry the receiver's secret: not in argv in production).
    webhook = getattr(args, "fleet_webhook", None) or read_secret(
        FLEET_WEBHOOK_ENV, credential=FLEET_WEBHOOK_CREDENTIAL)
    return FleetSettings(
        heartbeat_interval_s=float(getattr(args, "fleet_heartbeat_interval", 60.0)),
        queue_age_limit_h=float(getattr(args, "fleet_queue_age_limit", 72.0)),
        device_error_s=60.0 * float(getattr(args, "fleet_device_error_minutes", 10.0)),
        webhook_url=webhook)


def main(args: argparse.Namespace) -> int:
    """Import and exit with --import-invoices, --add-reference, --add-staff,
    --import-bundle or --import-registry; otherwise serve in the foreground."""
    if args.import_invoices:
        return _import(args)
    if getattr(args, "add_reference", None):
        return _add_reference(args)
    if getattr(args, "add_staff", False):
        return _add_staff(args)
    if getattr(args, "import_bundle", None):
        return _import_bundle(args)
    if getattr(args, "import_registry", None):
        return _import_registry(args)

    import uvicorn

    from central.app import create_app
    from central.certificates import KEY_ENV as CERTIFICATE_KEY_ENV
    from central.certificates import IssuerKeyError
    from central.server import bind_socket, protocol_options, tls_options

    try:
        tls = tls_options(getattr(args, "ssl_certfile", None),
                          getattr(args, "ssl_keyfile", None),
                          getattr(args, "ssl_ca_certs", None))
        serving = protocol_options(tls)  # httptools + uvloop, and the TLS settings
    except (ValueError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        fleet = fleet_settings(args)
    except (ValueError, SecretError) as exc:
        print(f"error: fleet: {exc}", file=sys.stderr)
        return 2
    try:
        admin_token, enrolment_token = read_tokens(args)
    except SecretError as exc:
        print(f"error: {exc}; not started", file=sys.stderr)
        return 2
    # The bind rules (central.bind_rules), before anything touches the database.
    exposure = Exposure.decide(args.host, tls=bool(tls),
                               admin_token=admin_token is not None,
                               enrolment_token=enrolment_token is not None,
                               insecure_demo=bool(getattr(args, "insecure_demo", False)),
                               demo_data=bool(args.demo_data))
    refusal = exposure.refusal()
    if refusal:
        print(f"error: {refusal}", file=sys.stderr)
        return 2
    try:
        sock = bind_socket(args.host, args.port)
    except OSError as exc:
        print(f"error: cannot listen on {args.host} port {args.port}: "
              f"{exc.strerror or exc}", file=sys.stderr)
        return 2
    bound = str(sock.getsockname()[0])
    if exposure.loopback and not is_loopback_address(bound):
        sock.close()  # a name that resolved differently at bind time than just before
        print(f"error: {args.host} was bound to {bound}, not a loopback address; give "
              f"an IP address", file=sys.stderr)
        return 2
    key_file = getattr(args, "certificate_key_file", None)
    try:
        app = create_app(args.db, enrolment_token=enrolment_token, admin_token=admin_token,
                         demo_data=args.demo_data, demo_staff=args.demo_data,
                         certificate_key_file=key_file, fleet=fleet,
                         # Replays are refused across processes and instances sharing
                         # the database, not only within this one (central.replay_db).
                         shared_guards=True)
    except IssuerKeyError as exc:
        sock.close()
        print(f"error: certificate key: {exc}; not started", file=sys.stderr)
        return 2
    except BaseException:
        sock.close()
        raise
    if key_file:  # `--workers` processes read it through the environment
        os.environ.pop(CERTIFICATE_KEY_ENV, None)
        os.environ[CERTIFICATE_KEY_ENV + "_FILE"] = str(Path(key_file).resolve())
    app.state.exposure = exposure
    if admin_token is None:
        print(f"warning: no admin token ({describe_sources(ADMIN_TOKEN_ENV)}): admin "
              f"endpoints are open (loopback only)", file=sys.stderr)
    if enrolment_token is None:
        print("warning: no enrolment token: any kiosk may enrol (loopback only)",
              file=sys.stderr)
    if not exposure.loopback and not tls:
        print(f"warning: --insecure-demo: plain HTTP on {args.host}; tokens and data "
              f"cross the network readable", file=sys.stderr)
    host = f"[{args.host}]" if ":" in args.host else args.host
    scheme = "https" if tls else "http"
    print(f"central service on {scheme}://{host}:{sock.getsockname()[1]} "
          f"(OpenAPI at /docs), database {_safe_url(args.db)}", file=sys.stderr)
    workers = max(1, int(getattr(args, "workers", 1) or 1))
    try:
        if workers > 1:
            if app.state.fleet_monitor is not None:  # the workers send the alerts
                app.state.fleet_monitor.stop()
            os.environ[WORKER_FLEET_ENV] = json.dumps(asdict(fleet))
            _serve_workers(args, workers, sock, serving, exposure, admin_token,
                           enrolment_token)
            return 0
        config = uvicorn.Config(app, log_level="info", lifespan="off", **serving)
        install_redaction(*UVICORN_LOGGERS)  # uvicorn's handlers exist from here on
        install_access_filter(app)  # routes, not paths: no UUIDs in the access log
        uvicorn.Server(config).run(sockets=[sock])  # handles Ctrl-C / SIGTERM
    finally:
        sock.close()
        app.state.engine.dispose()
    return 0


def _serve_workers(args: argparse.Namespace, workers: int, sock: Any,
                   serving: dict[str, Any], exposure: Exposure, admin_token: str | None,
                   enrolment_token: str | None) -> None:
    """Serve with several worker processes on one listening socket.

    This process has already migrated the schema and loaded the demo data (create_app
    in main), so workers do neither at once. uvicorn's supervisor spawns the workers
    (fresh interpreters: they build the app through the import string
    ``central.cli:worker_app``, configured through the environment), restarts any that
    dies, and stops them all on SIGTERM / Ctrl-C. The tokens this process read (from a
    flag, a file or a credential) go to them as $NAME in their environment, which only
    this user can read, so every worker checks exactly what this process decided on.
    """
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    os.environ[WORKER_DB_ENV] = args.db
    for name, token in ((ADMIN_TOKEN_ENV, admin_token),
                        (ENROLMENT_TOKEN_ENV, enrolment_token)):
        if token is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = token
    os.environ[WORKER_EXPOSURE_ENV] = json.dumps(asdict(exposure))
    config = uvicorn.Config("central.cli:worker_app", factory=True, workers=workers,
                            log_level="info", lifespan="off", **serving)
    print(f"{workers} worker processes", file=sys.stderr)
    Multiprocess(config, sockets=[sock]).run()


def worker_app() -> Any:
    """The app of one `--workers` process (uvicorn calls this factory in each)."""
    from central.app import create_app
    from central.fleet.settings import FleetSettings

    install_redaction(*UVICORN_LOGGERS)  # a fresh interpreter: its logging configured

    # demo_staff=None: the parent process has already loaded or withdrawn the demo
    # accounts; a worker must not undo that.
    app = create_app(os.environ[WORKER_DB_ENV],
                     enrolment_token=read_secret(ENROLMENT_TOKEN_ENV,
                                                 credential=ENROLMENT_TOKEN_CREDENTIAL),
                     admin_token=read_secret(ADMIN_TOKEN_ENV,
                                             credential=ADMIN_TOKEN_CREDENTIAL),
                     demo_staff=None,
                     fleet=FleetSettings(**json.loads(os.environ.get(WORKER_FLEET_ENV, "{}"))),
                     # A replay reaching another worker is refused too (central.replay_db).
                     shared_guards=True)
    app.state.exposure = Exposure(**json.loads(os.environ[WORKER_EXPOSURE_ENV]))
    install_access_filter(app)  # routes, not paths: no UUIDs in the access log
    return app


def read_tokens(args: argparse.Namespace) -> tuple[str | None, str | None]:
    """(admin token, enrolment token) of a `kiosk central` start; SecretError if a
    source that is set cannot be read. Each: its flag (--enrolment-token only), its
    file flag, then $NAME, $NAME_FILE and the systemd credential."""
    admin_file = getattr(args, "admin_token_file", None)
    admin = (read_secret_file(admin_file, "--admin-token-file") if admin_file
             else read_secret(ADMIN_TOKEN_ENV, credential=ADMIN_TOKEN_CREDENTIAL))
    enrolment_file = getattr(args, "enrolment_token_file", None)
    enrolment = getattr(args, "enrolment_token", None)
    if enrolment and enrolment_file:
        raise SecretError("give --enrolment-token or --enrolment-token-file, not both")
    if enrolment_file:
        enrolment = read_secret_file(enrolment_file, "--enrolment-token-file")
    elif not enrolment:
        enrolment = read_secret(ENROLMENT_TOKEN_ENV, credential=ENROLMENT_TOKEN_CREDENTIAL)
    return admin, enrolment


if __name__ == "__main__":
    _parser = argparse.ArgumentParser(prog="central", description=__doc__)
    add_arguments(_parser)
    sys.exit(main(_parser.parse_args()))
