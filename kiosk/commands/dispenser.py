"""`kiosk dispenser stock [--json]` and `kiosk dispenser reconcile [--json]`: the
dispenser's cassettes and the per-cassette reconciliation (loaded = issued +
remaining), for a technician. Read-only: they ask the device and read the journal,
never settle, load or block anything (clearing a difference is a staff action in
maintenance mode, audited)."""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path


def register(subparsers: argparse._SubParsersAction,
             with_config: Callable[[argparse.ArgumentParser], argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("dispenser", help="invoice dispenser stock and reconciliation")
    sub = p.add_subparsers(dest="dispenser_command", required=True)
    for name, helptext in (("stock", "cassettes: kind, code, range, next number, remaining"),
                           ("reconcile", "per cassette: loaded = issued + remaining")):
        q = sub.add_parser(name, help=helptext, description=helptext + " (read-only)")
        q.add_argument("--json", action="store_true", help="print JSON")
        q.add_argument("--port", metavar="CONN",
                       help="the dispenser's connection (default: the kiosk config's "
                            "invoice_dispenser device)")
        q.add_argument("--journal", metavar="PATH",
                       help="dispense journal (default: the kiosk's, in its data_dir)")
        with_config(q)
        q.set_defaults(func=cmd_stock if name == "stock" else cmd_reconcile)


def _open(args: argparse.Namespace):
    from drivers.dispenser import JOURNAL_FILE_NAME, DispenseJournal, InvoiceDispenser

    port, journal_path = args.port, args.journal
    if port is None or journal_path is None:
        from kiosk.config import load_config
        config = load_config(getattr(args, "config", None))
        journal_path = journal_path or config.data_dir / JOURNAL_FILE_NAME
        if port is None:
            port = next((d.connection for d in config.devices if d.kind == "invoice_dispenser"),
                        None)
    if not port:
        raise ValueError("no invoice_dispenser in the config: name one with --port")
    if not Path(journal_path).exists():
        raise ValueError(f"no dispense journal at {journal_path}")
    port = port if "://" in port else f"serial://{port}"
    journal = DispenseJournal(journal_path)
    return InvoiceDispenser(port, journal=journal), journal


def _run(args: argparse.Namespace, show) -> int:
    from drivers.errors import DeviceError

    try:
        dispenser, journal = _open(args)
    except Exception as exc:  # config error, missing journal, bad connection
        print(f"dispenser: {exc}", file=sys.stderr)
        return 2
    try:
        return show(dispenser, journal)
    except DeviceError as exc:
        print(f"dispenser: no answer from the dispenser: {exc.message}", file=sys.stderr)
        return 3
    finally:
        dispenser.close()
        journal.close()


def cmd_stock(args: argparse.Namespace) -> int:
    def show(dispenser, journal) -> int:
        blocks = journal.open_blocks()
        rows = [{"slot": c.slot, "invoice_kind": c.kind_name, "code": c.code,
                 "first": c.first, "last": c.last, "next": c.next_no,
                 "remaining": c.remaining, "retracted": c.retracted,
                 "blocked": blocks[c.slot].reason if c.slot in blocks else None}
                for c in dispenser.cassettes()]
        if args.json:
            print(json.dumps({"cassettes": rows}, ensure_ascii=False, indent=2))
            return 0
        for r in rows:
            if not r["invoice_kind"]:
                print(f"cassette {r['slot']}: empty")
                continue
            print(f"cassette {r['slot']}: {r['invoice_kind']} {r['code']} "
                  f"{r['first']:08d}-{r['last']:08d}, next {r['next']:08d}, "
                  f"remaining {r['remaining']}, retracted {r['retracted']}"
                  + (f", BLOCKED ({r['blocked']})" if r["blocked"] else ""))
        return 0
    return _run(args, show)


def cmd_reconcile(args: argparse.Namespace) -> int:
    from kiosk.services.logistics import reconcile

    def show(dispenser, journal) -> int:
        figures = reconcile(dispenser.cassettes(), journal)
        if args.json:
            print(json.dumps({"cassettes": [f.as_dict() for f in figures],
                              "ok": all(f.ok for f in figures)}, ensure_ascii=False, indent=2))
        else:
            for f in figures:
                print(f"cassette {f.slot}: {f.invoice_kind} {f.code} loaded {f.loaded} = "
                      f"taken {f.taken} + retracted {f.retracted} + in slot {f.in_slot} + "
                      f"remaining {f.remaining}; device {f.left_device} / journal "
                      f"{f.left_journal} left: {'ok' if f.ok else 'DIFFERENCE'}")
        return 0 if all(f.ok for f in figures) else 1
    return _run(args, show)
