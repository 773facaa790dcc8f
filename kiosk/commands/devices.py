"""`kiosk devices ...`: what installers and technicians run at a terminal.

- `list`: the configured devices (name, kind, connection)
- `check [NAME] [--json]`: open each device (or the named one) through the device
  manager, run one health check, report state, error code, condition and counters;
  exit 1 if any device is not ready (wedge and camera scanners, read through the kiosk
  window, are listed but not judged: this command has no window)
- `scan [--port CONN] [--count N] [--timeout S]`: print each scan as it arrives
- `test-print [--printer CONN] [--profile P]`: ask the printer first and refuse (exit 1,
  with the reason) when it is out of paper, its cover is open or it does not answer;
  else print the test page (Chinese text, QR code, cut)
- `read-id` and `dispense-test` come from their own modules when those are installed.

Run them with the kiosk stopped (`systemctl stop kiosk`): a running kiosk holds its
serial ports exclusively, and `check` would report them offline ("could not
exclusively lock port").

Exit codes: 0 fine, 1 a device is not ready / the job failed, 2 bad arguments or config.
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import inspect
import json
import queue
import sys
import time
from collections.abc import Callable
from typing import Any

from .. import hall_time
from ..config import KioskConfig, load_config

EXIT_OK, EXIT_NOT_READY, EXIT_USAGE = 0, 1, 2

# Optional sub-commands contributed by other modules: (module, function).
_CONTRIBUTED = (("kiosk.commands.devices_idcard", "add_read_id"),
                ("kiosk.commands.devices_dispense", "add_dispense_test"))

WithConfig = Callable[[argparse.ArgumentParser], argparse.ArgumentParser]


def register(subparsers: Any, with_config: WithConfig) -> None:
    devices = subparsers.add_parser("devices", help="list, check and test the terminal's devices")
    sub = devices.add_subparsers(dest="devices_command", required=True)

    p = with_config(sub.add_parser("list", help="the configured devices"))
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.set_defaults(func=cmd_list)

    p = with_config(sub.add_parser(
        "check", help="open each device, run a health check, report (exit 1 if any is not ready)"))
    p.add_argument("name", nargs="?", help="only this device (a name from `kiosk devices list`)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--timeout", type=float, default=15.0, metavar="S",
                   help="seconds to wait for the devices to answer (default 15)")
    p.set_defaults(func=cmd_check)

    p = with_config(sub.add_parser("scan", help="print each scan from a serial scanner"))
    p.add_argument("--port", metavar="CONN",
                   help="connection string or device path (default: the configured scanner)")
    p.add_argument("--count", type=int, metavar="N", help="stop after N scans")
    p.add_argument("--timeout", type=float, metavar="S",
                   help="stop after S seconds (exit 1 if --count scans did not arrive)")
    p.add_argument("--suffix", choices=("cr", "lf", "crlf"),
                   help="what ends each scan (default: the configured one, else crlf)")
    p.set_defaults(func=cmd_scan)

    p = with_config(sub.add_parser(
        "test-print", help="print the test page, after checking the printer's status"))
    p.add_argument("--printer", metavar="CONN",
                   help="connection string (default: the configured receipt printer)")
    p.add_argument("--profile", help="printer profile (default: configured, else default80)")
    p.add_argument("--timeout", type=float, default=3.0, metavar="S",
                   help="seconds to wait for the printer's status answer (default 3)")
    p.set_defaults(func=cmd_test_print)

    for module_name, function in _CONTRIBUTED:
        if importlib.util.find_spec(module_name) is None:
            continue
        add = getattr(importlib.import_module(module_name), function, None)
        if callable(add):
            takes_config = len(inspect.signature(add).parameters) >= 2
            add(sub, with_config) if takes_config else add(sub)


def _config(args: argparse.Namespace) -> KioskConfig:
    config = load_config(getattr(args, "config", None))
    hall_time.configure(config.ui.time_zone)  # the test page's time is the hall's
    return config


def _fail(message: str, code: int = EXIT_NOT_READY) -> int:
    print(f"kiosk devices: {message}", file=sys.stderr)
    return code


# -- list --------------------------------------------------------------------------------

def cmd_list(args: argparse.Namespace) -> int:
    devices = _config(args).devices
    if args.json:
        print(json.dumps([{"name": d.name, "kind": d.kind, "connection": d.connection,
                           "options": d.options} for d in devices], ensure_ascii=False))
        return EXIT_OK
    if not devices:
        print("no devices configured")
        return EXIT_OK
    rows = [("NAME", "KIND", "CONNECTION")] + [(d.name, d.kind, d.connection or "-")
                                                for d in devices]
    widths = [max(len(r[i]) for r in rows) for i in range(2)]
    for name, kind, conn in rows:
        print(f"{name:<{widths[0]}}  {kind:<{widths[1]}}  {conn}")
    return EXIT_OK


# -- check -------------------------------------------------------------------------------

def cmd_check(args: argparse.Namespace) -> int:
    from drivers.manager import DefaultDriverFactory, DeviceManager

    cfg = _config(args)
    devices = list(cfg.devices)
    if args.name:
        devices = [d for d in devices if d.name == args.name]
        if not devices:
            known = ", ".join(d.name for d in cfg.devices) or "none"
            return _fail(f"no device named {args.name!r} (configured: {known})", EXIT_USAGE)
    # One health check each: the interval is longer than the command runs.
    manager = DeviceManager(devices, DefaultDriverFactory(data_dir=cfg.data_dir),
                            health_interval_s=3600.0,
                            health_timeout_s=max(1.0, min(args.timeout, 10.0)))
    manager.start()
    try:
        settled = manager.wait_settled(args.timeout)
        reports = list(manager.reports().values())
    finally:
        manager.close_all()
    # Devices read through the kiosk window (wedge, camera) are listed, not judged.
    all_ok = settled and all(r.ok or r.read_by_ui for r in reports)
    if args.json:
        print(json.dumps({"ok": all_ok, "devices": [r.to_json_dict() for r in reports]},
                         ensure_ascii=False))
    else:
        if not reports:
            print("no devices configured")
        for r in reports:
            s, c = r.status, r.counters
            detail = ""
            if s.error is not None:
                detail = f" [{s.error.value}{'/' + s.condition.value if s.condition else ''}]"
            elif s.condition is not None:
                detail = f" [{s.condition.value}]"
            verdict = "ok  " if r.ok else ("-   " if r.read_by_ui else "FAIL")
            print(f"{verdict} {r.name} ({r.kind}, {r.connection or '-'}): {s.state.value}{detail}"
                  f"{': ' + s.message if s.message else ''}")
            print(f"     opens {c.opens}, failures {c.failures}, reconnects {c.reconnects}, "
                  f"health checks {c.health_checks}"
                  f"{', last error: ' + c.last_error if c.last_error else ''}")
        if not settled:
            print(f"some devices did not answer within {args.timeout:g} s", file=sys.stderr)
    return EXIT_OK if all_ok else EXIT_NOT_READY


# -- scan --------------------------------------------------------------------------------

_SUFFIXES = {"cr": "\r", "lf": "\n", "crlf": "\r\n"}


def cmd_scan(args: argparse.Namespace) -> int:
    from drivers.base import DeviceState, DeviceStatus
    from drivers.connection import ConnectionStringError
    from drivers.serial_scanner import SerialScanner

    cfg = _config(args)
    configured = cfg.device("serial_scanner")
    port = args.port or (configured.connection if configured else None)
    if not port:
        return _fail("no --port given and no serial_scanner configured", EXIT_USAGE)
    if "://" not in port:
        port = f"serial://{port}"
    suffix = _SUFFIXES[args.suffix] if args.suffix else str(
        (configured.options.get("suffix") if configured and not args.port else None) or "\r\n")
    if args.count is not None and args.count < 1:
        return _fail("--count must be at least 1", EXIT_USAGE)
    scans: queue.SimpleQueue[str] = queue.SimpleQueue()

    def on_status(status: DeviceStatus) -> None:
        if status.state is DeviceState.OFFLINE:
            print(f"scanner offline: {status.message}", file=sys.stderr, flush=True)
        elif status.state is DeviceState.IDLE:
            print(f"scanner ready on {port}", file=sys.stderr, flush=True)

    try:
        scanner = SerialScanner(port, suffix=suffix, on_scan=scans.put, on_status=on_status)
    except (ConnectionStringError, ValueError) as exc:
        return _fail(str(exc), EXIT_USAGE)
    deadline = None if args.timeout is None else time.monotonic() + args.timeout
    received = 0
    scanner.start()
    try:
        while args.count is None or received < args.count:
            wait = 0.5 if deadline is None else deadline - time.monotonic()
            if wait <= 0:
                break
            try:
                text = scans.get(timeout=min(wait, 0.5))
            except queue.Empty:
                continue
            received += 1
            print(text, flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        scanner.stop()
    if args.count is not None and received < args.count:
        return _fail(f"{received} of {args.count} scans arrived within {args.timeout:g} s")
    return EXIT_OK


# -- test-print --------------------------------------------------------------------------

_REFUSALS = {
    "paper_empty": "the printer is out of paper: load a new roll and try again",
    "cover_open": "the printer cover is open: close it and try again",
    "jam": "the printer reports a paper jam or cutter error: clear it and try again",
    "timeout": "the printer did not answer the status request: check its power, the cable "
               "and the connection string",
    "offline": "the printer cannot be reached: check its power, the cable and the "
               "connection string",
    "no_hardware": "the printer is not there: check the cable and the connection string",
    "busy": "another job holds the printer: try again in a moment",
    "failure": "the printer reports a fault",
}


def cmd_test_print(args: argparse.Namespace) -> int:
    from drivers.connection import ConnectionStringError
    from drivers.errors import DeviceError
    from drivers.receipt_printer import ReceiptPrinter
    from printing.profiles import get_profile
    from printing.templates import printer_test_page

    cfg = _config(args)
    configured = cfg.device("receipt_printer")
    connection = args.printer or (configured.connection if configured else None)
    if not connection:
        return _fail("no --printer given and no receipt_printer configured", EXIT_USAGE)
    profile_name = args.profile or str(
        (configured.options.get("profile") if configured else None) or "default80")
    try:
        printer = ReceiptPrinter(connection, get_profile(profile_name), timeout_s=args.timeout)
    except (ConnectionStringError, ValueError) as exc:
        return _fail(str(exc), EXIT_USAGE)
    status = printer.status()
    if not printer.has_status:
        print("note: a file:// printer cannot report its status; printing without a check",
              file=sys.stderr)
    elif not status.ok:
        key = status.condition.value if status.condition else (
            status.error.value if status.error else "failure")
        reason = _REFUSALS.get(key, _REFUSALS["failure"])
        return _fail(f"not printed: {reason} ({key}; {status.message})")
    document = printer_test_page(profile_name=profile_name,
                                 printed_at=hall_time.now(), kiosk_id=cfg.kiosk_id)
    try:
        after = printer.print_document(document)
    except DeviceError as exc:
        key = exc.extended.value if exc.extended else exc.code.value
        return _fail(f"the test page may be incomplete: {_REFUSALS.get(key, exc.message)} "
                     f"({key}; {exc.message})")
    note = ""
    if after is not None and after.paper == "near_end":
        note = "; the paper is running low"
    print(f"test page printed on {connection} (profile {profile_name}){note}")
    return EXIT_OK
