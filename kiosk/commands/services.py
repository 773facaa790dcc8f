"""`kiosk services [--json] [--config FILE]`: the service catalogue and what is
available now.

Judged from the configuration ([ui] hours, the hall's zone), the network (one GET of
the central service's /v1/health with the configured client and TLS settings) and the
device states the running kiosk last published in data_dir/state.json
(kiosk.services.state). It never opens a device, a serial port or a listening port: a
missing, stale or stopped kiosk's file reads as "devices unknown", and services that
need a device then say `devices_unknown`.

`--json` prints a list of objects: id, title_zh, title_en, group, policy, identity,
identity_methods, devices, staff_role, available, reason (null when available). Exit
codes: 0, or 2 for a bad config.
"""
from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .. import hall_time
from ..config import KioskConfig, load_config

if TYPE_CHECKING:
    from ..services.catalogue import ServiceSpec

WithConfig = Callable[[argparse.ArgumentParser], argparse.ArgumentParser]


def register(subparsers: Any, with_config: WithConfig) -> None:
    p = with_config(subparsers.add_parser(
        "services", help="the service catalogue and whether each service is available now"))
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.set_defaults(func=cmd_services)


def _probe(config: KioskConfig) -> bool:
    """Whether the central service answers /v1/health (a GET; nothing is listened on)."""
    from ..app import central_tls
    from ..central_client import CentralClient

    client = CentralClient(config.central.urls, config.kiosk_id, config.central.timeout_s,
                           verify_tls=central_tls(config))
    try:
        return client.health()
    finally:
        client.close()


def services_report(config: KioskConfig, online: bool, now: datetime | None = None,
                    catalogue: tuple[ServiceSpec, ...] | None = None,
                    ) -> tuple[list[dict[str, Any]], str | None]:
    """Each catalogue entry as a JSON object with its availability, and why the device
    states are unknown (None when they are known)."""
    from ..services.availability import judge
    from ..services.catalogue import CATALOGUE
    from ..services.hours import parse_hours
    from ..services.state import read_state, state_path

    now = now or datetime.now(UTC)
    published = read_state(state_path(config.data_dir), now)
    hours = parse_hours(config.ui.hours)
    rows = []
    for spec in CATALOGUE if catalogue is None else catalogue:
        verdict = judge(spec, online=online, problem_of=published.problem_of,
                        now=hall_time.to_hall(now), hours=hours)
        rows.append({"id": spec.id, "title_zh": spec.title_zh, "title_en": spec.title_en,
                     "group": spec.group.value, "policy": spec.policy.value,
                     "identity": spec.identity.value,
                     "identity_methods": [m.value for m in spec.identity_methods],
                     "devices": list(spec.devices), "staff_role": spec.staff_role,
                     **verdict.to_json_dict()})
    return rows, published.why_unknown


def _width(text: str) -> int:
    """Columns `text` takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def cmd_services(args: argparse.Namespace) -> int:
    config = load_config(getattr(args, "config", None))
    hall_time.configure(config.ui.time_zone)
    online = _probe(config)
    rows, why_unknown = services_report(config, online)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    table = [("ID", "服务 / SERVICE", "GROUP", "POLICY", "AVAILABLE")]
    for r in rows:
        table.append((r["id"], f"{r['title_zh']} / {r['title_en']}", r["group"], r["policy"],
                      "yes" if r["available"] else f"no ({r['reason']})"))
    widths = [max(_width(row[i]) for row in table) for i in range(4)]
    for row in table:
        print("  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=False)) + "  " + row[4])
    urls = ", ".join(config.central.urls)
    print(f"\ncentral service: {'reachable' if online else 'unreachable'} ({urls})")
    if why_unknown:
        print(f"devices: unknown: {why_unknown}", file=sys.stderr)
    return 0
