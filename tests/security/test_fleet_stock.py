"""A heartbeat's stock per cassette (issue #14 §4) is checked before anything is kept:
a signed heartbeat from an approved kiosk whose cassette list has the wrong size or
shape is refused with 422 and changes nothing (last heartbeat, history, device faults).
Real central service on loopback, real SQLite file, real signed requests."""
from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "central"))
from central_helpers import ADMIN_TOKEN, ENROLMENT_TOKEN  # noqa: E402
from fleet_kit import FleetKiosk, healthy_devices  # noqa: E402

from central.db import Kiosk, make_engine  # noqa: E402
from central.fleet.models import FleetDeviceFault, FleetHeartbeat  # noqa: E402
from central.server import CentralServer  # noqa: E402
from kiosk.central_client import CentralRejected  # noqa: E402

pytestmark = pytest.mark.security

GOOD = {"slot": 1, "kind": "增值税普通发票", "remaining": 120, "loaded": 300, "low": False,
        "empty": False, "blocked": None}


def _dispenser(cassettes: Any) -> dict[str, Any]:
    return healthy_devices() | {"invoice_dispenser": {
        "kind": "invoice_dispenser", "state": "error", "error": "failure",
        "condition": "stock_empty", "cassettes": cassettes}}


BAD: list[tuple[str, Any]] = [
    ("not a list", {"slot": 1, "remaining": 3}),
    ("too many", [{**GOOD, "slot": n % 16 + 1} for n in range(17)]),
    ("not an object", ["slot 1=120"]),
    ("unknown field", [{**GOOD, "owner": "张三"}]),
    ("no slot", [{"remaining": 3}]),
    ("no remaining", [{"slot": 1}]),
    ("slot 0", [{**GOOD, "slot": 0}]),
    ("slot 17", [{**GOOD, "slot": 17}]),
    ("slot as text", [{**GOOD, "slot": "1"}]),
    ("slot as bool", [{**GOOD, "slot": True}]),
    ("duplicate slot", [GOOD, GOOD]),
    ("negative stock", [{**GOOD, "remaining": -1}]),
    ("huge stock", [{**GOOD, "remaining": 2**40}]),
    ("fractional stock", [{**GOOD, "remaining": 1.5}]),
    ("low as text", [{**GOOD, "low": "yes"}]),
    ("long kind", [{**GOOD, "kind": "x" * 33}]),
    ("kind as number", [{**GOOD, "kind": 1}]),
    ("long block reason", [{**GOOD, "blocked": "x" * 201}]),
]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[CentralServer]:
    with CentralServer(f"sqlite:///{tmp_path / 'central.db'}", admin_token=ADMIN_TOKEN,
                       enrolment_token=ENROLMENT_TOKEN) as srv:
        yield srv


def _stored(server: CentralServer) -> tuple[str | None, int, int]:
    engine = make_engine(server.db_url)
    try:
        with Session(engine) as session:
            kiosk = session.get(Kiosk, "K-stock-sec")
            beats = session.execute(select(func.count()).select_from(FleetHeartbeat)).scalar_one()
            faults = session.execute(select(func.count())
                                     .select_from(FleetDeviceFault)).scalar_one()
            return (kiosk.last_heartbeat if kiosk else None, int(beats), int(faults))
    finally:
        engine.dispose()


def test_a_malformed_cassette_list_is_refused_and_changes_nothing(
        server: CentralServer) -> None:
    kiosk = FleetKiosk(server.url, "K-stock-sec", "hall-sec", ENROLMENT_TOKEN)
    kiosk.beat(devices=_dispenser([GOOD, {"slot": 2, "remaining": 0}]))
    before = _stored(server)
    assert before[0] is not None and '"remaining": 120' in before[0]
    for label, cassettes in BAD:
        with pytest.raises(CentralRejected) as refused:
            kiosk.beat(devices=_dispenser(cassettes))
        assert refused.value.status == 422, label
        assert "cassettes" in refused.value.reason, (label, refused.value.reason)
        assert _stored(server) == before, label
    # The same kiosk's next well-formed heartbeat is kept as ever.
    kiosk.beat(devices=_dispenser([{**GOOD, "remaining": 119}]))
    after = _stored(server)
    assert after[0] is not None and '"remaining": 119' in after[0]
