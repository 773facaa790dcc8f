"""`kiosk payments status [--json]` and `kiosk payments reconcile` (issue #11 §2).

`status` reads the payment orders in the kiosk's outbox file (no devices, no network;
safe beside the running kiosk) and prints every order with its id, state, amount and
method, and `unresolved`: those not in a final state (recorded, declined, voided).

`reconcile` (staff) runs the same resolution the kiosk runs at start-up: it asks the
payment terminal (through its driver and journal) about orders whose outcome is
unknown, and books or gives back approved ones central has answered. It opens the
terminal's port, so stop the kiosk first (systemctl stop kiosk). Exit status: 0 every
order is final, 1 some stay unresolved (listed), 2 refused (no config, damaged file).
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

WithConfig = Callable[[argparse.ArgumentParser], argparse.ArgumentParser]


def register(subparsers: Any, with_config: WithConfig) -> None:
    p = subparsers.add_parser("payments", help="card and QR payment orders")
    psub = p.add_subparsers(dest="payments_command", required=True)
    status = with_config(psub.add_parser(
        "status", help="payment orders, and those not in a final state"))
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=cmd_status)
    reconcile = with_config(psub.add_parser(
        "reconcile", help="settle unresolved orders by asking the payment terminal "
                          "(stop the kiosk first)"))
    reconcile.add_argument("--json", action="store_true")
    reconcile.set_defaults(func=cmd_reconcile)


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def cmd_status(args: argparse.Namespace) -> int:
    from ..payments.orders import OrderError, OrderStore
    from .queue_ops import QueueRefused, open_outbox

    try:
        with open_outbox(args) as (outbox, keys):
            store = OrderStore.for_outbox(outbox, keys)
            try:
                report = store.status_json()
            finally:
                store.close()
    except (QueueRefused, OrderError) as exc:
        print(f"kiosk payments status: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    print(f"{len(report['orders'])} order(s), {len(report['unresolved'])} unresolved")
    for order in report["orders"]:
        mark = "*" if order["id"] in report["unresolved"] else " "
        print(f"{mark} {order['id']}  {order['method']:<4}  {order['state']:<9}  "
              f"{_yuan(order['amount_fen']):>12}  {order['message_code'] or ''}")
    return 0


def cmd_reconcile(args: argparse.Namespace) -> int:
    from ..app import KioskCore
    from ..config import load_config

    config = load_config(getattr(args, "config", None))
    # Devices are opened (the terminal is asked) but nothing is published or synced
    # in the background; the queued records go out with one explicit pass.
    core = KioskCore(config)
    try:
        core.start(background_sync=False, open_devices=True, publish_state=False)
    except Exception as exc:  # noqa: BLE001 - said plainly, exit 2
        print(f"kiosk payments reconcile: {exc}", file=sys.stderr)
        return 2
    try:
        payments = core.payments
        payments.ready.wait(15)  # the start-up pass; then one more with the link
        try:
            core.drain_queue(timeout_s=30)
        except Exception as exc:  # noqa: BLE001 - offline: recorded later by the kiosk
            print(f"kiosk payments reconcile: sync not possible now ({exc})",
                  file=sys.stderr)
        report = payments.resolve()
        status = payments.store.status_json()
    finally:
        core.stop()
    if args.json:
        print(json.dumps({"resolution": report.to_json_dict(), **status},
                         ensure_ascii=False, indent=2))
    else:
        for order_id, state in report.changed.items():
            print(f"{order_id}: now {state}")
        for line in report.errors:
            print(f"not resolved: {line}")
        print(f"{len(status['unresolved'])} order(s) unresolved"
              + (": " + ", ".join(status["unresolved"]) if status["unresolved"] else ""))
    return 1 if status["unresolved"] else 0
