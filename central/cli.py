"""`kiosk central ...`: serve the reference central service, or import invoices.

The kiosk CLI wires `add_arguments` and `main` into its `central` sub-command; this
module also runs on its own: `python -m central.cli --demo-data`.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

DEFAULT_DB = "sqlite:///" + str(Path("var") / "central.db")
ADMIN_TOKEN_ENV = "KIOSK_CENTRAL_ADMIN_TOKEN"
ENROLMENT_TOKEN_ENV = "KIOSK_CENTRAL_ENROLMENT_TOKEN"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL", default=DEFAULT_DB,
                        help="database URL: sqlite:///path or postgresql://... "
                             f"(default {DEFAULT_DB})")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8710, help="port to listen on")
    parser.add_argument("--demo-data", action="store_true",
                        help="load the demo invoice registry (dates relative to today)")
    parser.add_argument("--import-invoices", metavar="FILE",
                        help="import invoices from a CSV file into the database and exit")
    parser.add_argument("--enrolment-token", metavar="T",
                        default=os.environ.get(ENROLMENT_TOKEN_ENV),
                        help="token kiosks must present to enrol (default: "
                             f"${ENROLMENT_TOKEN_ENV}; none means open enrolment)")


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


def main(args: argparse.Namespace) -> int:
    """Import and exit with --import-invoices; otherwise serve in the foreground."""
    if args.import_invoices:
        return _import(args)

    import uvicorn

    from central.app import create_app
    from central.server import bind_socket

    admin_token = os.environ.get(ADMIN_TOKEN_ENV) or None
    app = create_app(args.db, enrolment_token=args.enrolment_token,
                     admin_token=admin_token, demo_data=args.demo_data)
    if admin_token is None:
        print(f"warning: ${ADMIN_TOKEN_ENV} is not set: admin endpoints are open",
              file=sys.stderr)
    if args.enrolment_token is None:
        print("warning: no enrolment token: any kiosk may enrol", file=sys.stderr)
    sock = bind_socket(args.host, args.port)
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"central service on http://{host}:{sock.getsockname()[1]} "
          f"(OpenAPI at /docs), database {_safe_url(args.db)}", file=sys.stderr)
    try:
        config = uvicorn.Config(app, log_level="info", lifespan="off")
        uvicorn.Server(config).run(sockets=[sock])  # handles Ctrl-C / SIGTERM
    finally:
        sock.close()
        app.state.engine.dispose()
    return 0


if __name__ == "__main__":
    _parser = argparse.ArgumentParser(prog="central", description=__doc__)
    add_arguments(_parser)
    sys.exit(main(_parser.parse_args()))
