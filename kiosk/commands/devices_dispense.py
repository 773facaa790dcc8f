"""`kiosk devices dispense-test`: dispense a few test sheets and show the counters.

For logistics staff and technicians after loading stock or clearing a jam. It goes
through the same driver and the same job journal as the kiosk (so an open job from a
crash is settled first, and the test sheets are on record), and says plainly what is
wrong when the dispenser refuses.

`kiosk devices` itself belongs to kiosk/commands/devices.py, which calls
`add_dispense_test()`; this module defines no `register`.
"""
from __future__ import annotations

import argparse
import secrets
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from drivers.dispenser import Counters

EXIT_FAULT = 1  # the dispenser answered and reports a fault (empty, jam, door open)
EXIT_NO_REPLY = 3  # offline, no reply, or the outcome is unknown

_ADVICE = {
    "stock_empty": "invoice stock is empty: load stock and try again",
    "jam": "a sheet is jammed: open the door, remove it, close the door, "
           "then run again with --reset",
    "door_open": "the dispenser door is open: close it and try again",
}


def add_dispense_test(
    devices_subparsers: argparse._SubParsersAction,
    with_config: Callable[[argparse.ArgumentParser], argparse.ArgumentParser] | None = None,
) -> argparse.ArgumentParser:
    """Add `dispense-test` under `kiosk devices` (`with_config` adds --config, which
    locates the kiosk's journal)."""
    p = devices_subparsers.add_parser(
        "dispense-test",
        help="dispense test sheets and print the counters before and after",
        description="Dispense N test sheets through the invoice dispenser and print its "
                    "counters before and after. Exit status: 0 done, 1 dispenser fault "
                    "(empty, jam, door open), 2 bad arguments, 3 no reply / offline / "
                    "outcome unknown.",
    )
    p.add_argument("--port", required=True, metavar="CONN",
                   help="connection string or device path, e.g. serial:///dev/ttyUSB1?baudrate=9600")
    p.add_argument("--count", type=int, default=1, metavar="N",
                   help="sheets to dispense, 1..50 (default 1)")
    p.add_argument("--journal", metavar="PATH",
                   help="dispense journal (default: the kiosk's, in its data_dir)")
    p.add_argument("--timeout", type=float, default=1.0, metavar="S",
                   help="seconds to wait for each reply, retried 3 times (default 1)")
    p.add_argument("--reset", action="store_true", help="send RESET first (after clearing a jam)")
    p.set_defaults(func=cmd_dispense_test)
    if with_config is not None:
        with_config(p)
    return p


def _journal_path(args: argparse.Namespace) -> Path:
    if args.journal:
        return Path(args.journal)
    from drivers.dispenser import JOURNAL_FILE_NAME
    from kiosk.config import load_config

    return load_config(getattr(args, "config", None)).data_dir / JOURNAL_FILE_NAME


def _say_counters(label: str, c: Counters) -> None:
    s = c.sensors
    flags = [name for name, on in (("stock low", s.stock_low), ("EMPTY", s.empty),
                                   ("JAM", s.jam), ("DOOR OPEN", s.door_open)) if on]
    print(f"{label}: total dispensed {c.total_dispensed}, last job "
          f"{c.last_job_dispensed}/{c.last_job_requested} sheets "
          f"({c.last_job_result.name.lower()}); sensors: {', '.join(flags) or 'ok'}")


def cmd_dispense_test(args: argparse.Namespace) -> int:
    from drivers.connection import ConnectionStringError
    from drivers.dispenser import DispenseError, DispenseJournal, InvoiceDispenser
    from drivers.errors import DeviceError, DeviceErrorCode

    if not 1 <= args.count <= 50:
        print("dispense-test: --count must be 1..50", file=sys.stderr)
        return 2
    if not args.timeout > 0:
        print("dispense-test: --timeout must be positive", file=sys.stderr)
        return 2
    try:
        journal = DispenseJournal(_journal_path(args))
    except Exception as exc:  # config error, unwritable directory, newer schema
        print(f"dispense-test: cannot open the journal: {exc}", file=sys.stderr)
        return 2
    port = args.port if "://" in args.port else f"serial://{args.port}"
    try:
        dispenser = InvoiceDispenser(port, journal=journal, reply_timeout_s=args.timeout)
    except (ConnectionStringError, ValueError) as exc:
        journal.close()
        print(f"dispense-test: {exc}", file=sys.stderr)
        return 2
    job_id = f"test-{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(2)}"
    try:
        for outcome in dispenser.reconcile():
            print(f"settled open job {outcome.job_id}: {outcome.new_state}, "
                  f"{'?' if outcome.dispensed is None else outcome.dispensed} of "
                  f"{outcome.requested} sheets ({outcome.note})")
        if args.reset:
            dispenser.reset()
            print("reset: ok")
        _say_counters("before", dispenser.counters())
        result = dispenser.dispense(args.count, job_id)
        print(f"dispensed {result.dispensed} of {result.requested} sheets (job {job_id})")
        _say_counters("after", dispenser.counters())
        if result.stock_low:
            print("note: invoice stock is low")
        return 0
    except DispenseError as exc:
        condition = exc.condition.value if exc.condition else ""
        print(f"dispense-test: {_ADVICE.get(condition, exc.message)} "
              f"({exc.dispensed} of {args.count} sheets dispensed)", file=sys.stderr)
        try:
            _say_counters("after", dispenser.counters())
        except DeviceError:
            pass
        return EXIT_FAULT
    except DeviceError as exc:
        if exc.code in (DeviceErrorCode.TIMEOUT, DeviceErrorCode.OFFLINE):
            print(f"dispense-test: no reply from the dispenser at {port}: {exc.message}",
                  file=sys.stderr)
            return EXIT_NO_REPLY
        condition = exc.condition.value if exc.condition else ""
        print(f"dispense-test: {_ADVICE.get(condition, exc.message)}", file=sys.stderr)
        return EXIT_FAULT
    finally:
        dispenser.close()
        journal.close()
