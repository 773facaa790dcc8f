"""Operator tools on the kiosk's queue: `kiosk queue export FILE`, `kiosk queue
unconfirmed`, `kiosk queue drill --count N`.

They open the queue database and the keys directly (no devices, no network), through
the same Outbox as the terminal, so they also work on a kiosk whose link is down.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DRILL_KIND = "drill"
MAX_DRILL = 1_000_000


def register_queue(queue_subparsers: Any,
                   with_config: Callable[[argparse.ArgumentParser],
                                         argparse.ArgumentParser]) -> None:
    export = with_config(queue_subparsers.add_parser(
        "export", help="write the pending records to a signed bundle for carrying to the "
                       "central service by hand (never overwrites)"))
    export.add_argument("file", metavar="FILE")
    export.set_defaults(func=cmd_export)

    unconfirmed = with_config(queue_subparsers.add_parser(
        "unconfirmed", help="records committed but never confirmed on screen (e.g. "
                            "power lost at that moment)"))
    unconfirmed.add_argument("--json", action="store_true")
    unconfirmed.set_defaults(func=cmd_unconfirmed)

    drill = with_config(queue_subparsers.add_parser(
        "drill", help="site-acceptance drill: commit N drill records like real "
                      "transactions, printing each seq once committed"))
    drill.add_argument("--count", type=int, required=True, metavar="N")
    drill.set_defaults(func=cmd_drill)


@contextmanager
def open_outbox(args: argparse.Namespace) -> Iterator[tuple[Any, Any]]:
    """The kiosk's (Outbox, KioskKeys) from --config; refusals (damaged database, other kiosk's
    file, unreadable keys) raise QueueRefused with the reason."""
    from offline_queue.crypto import RecordIntegrityError, load_kiosk_keys
    from offline_queue.outbox import Outbox, OutboxError

    from ..config import load_config

    config = load_config(getattr(args, "config", None))
    try:
        keys = load_kiosk_keys(config.key_dir, config.key_source)
        outbox = Outbox(config.queue_path, config.kiosk_id, keys)
    except (OSError, OutboxError, RecordIntegrityError) as exc:
        raise QueueRefused(str(exc)) from None
    try:
        yield outbox, keys
    finally:
        outbox.close()


class QueueRefused(RuntimeError):
    pass


def _refused(command: str, exc: Exception) -> int:
    print(f"kiosk queue {command}: {exc}", file=sys.stderr)
    return 2


def cmd_export(args: argparse.Namespace) -> int:
    from offline_queue.bundle import build_bundle, write_bundle

    path = Path(args.file)
    if path.exists():
        print(f"kiosk queue export: {path} exists; refusing to overwrite it", file=sys.stderr)
        return 1
    try:
        with open_outbox(args) as (outbox, keys):
            records = outbox.pending(limit=2**62)
            if not records:
                print("kiosk queue export: nothing pending, no bundle written",
                      file=sys.stderr)
                return 1
            bundle = build_bundle(outbox.kiosk_id, records, keys, datetime.now(UTC))
    except QueueRefused as exc:
        return _refused("export", exc)
    try:
        write_bundle(path, bundle)
    except FileExistsError:
        print(f"kiosk queue export: {path} exists; refusing to overwrite it", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"kiosk queue export: cannot write {path}: {exc}", file=sys.stderr)
        return 1
    print(f"exported {len(records)} record(s), seq {records[0].seq}..{records[-1].seq}, "
          f"to {path}")
    return 0


def cmd_unconfirmed(args: argparse.Namespace) -> int:
    try:
        with open_outbox(args) as (outbox, _keys):
            records = outbox.unconfirmed()
    except QueueRefused as exc:
        return _refused("unconfirmed", exc)
    rows = [{"seq": r.seq, "uuid": r.uuid, "kind": r.kind,
             "created_at": r.created_at.isoformat()} for r in records]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
    else:
        for row in rows:
            print(f"{row['seq']}\t{row['uuid']}\t{row['kind']}\t{row['created_at']}")
        print(f"{len(rows)} unconfirmed record(s)", file=sys.stderr)
    return 0


def cmd_drill(args: argparse.Namespace) -> int:
    from offline_queue.outbox import OutboxError

    if not 1 <= args.count <= MAX_DRILL:
        print(f"kiosk queue drill: --count must be 1..{MAX_DRILL}", file=sys.stderr)
        return 2
    try:
        with open_outbox(args) as (outbox, _keys):
            for i in range(1, args.count + 1):
                record = outbox.enqueue(DRILL_KIND, {"drill": i, "of": args.count})
                # Printed only once the commit has returned (fsynced): a seq on the
                # screen is a record that survives a power cut.
                print(record.seq, flush=True)
    except QueueRefused as exc:
        return _refused("drill", exc)
    except OutboxError as exc:
        print(f"kiosk queue drill: stopped: {exc}", file=sys.stderr)
        return 1
    return 0
