"""The fault proxy itself: each fault does to the kiosk's real HTTP client what it
claims, and the central service has stored (or not) accordingly."""
from __future__ import annotations

import time

import pytest
from audit import central_rows
from fault_helpers import KIOSK_ID, FaultEnv
from fault_proxy import FaultPlan, FaultProxy

from kiosk.central_client import CentralClient, CentralUnavailable
from offline_queue.outbox import Outbox
from offline_queue.wire import SyncBatch


def one_batch(env: FaultEnv, count: int = 3) -> SyncBatch:
    with Outbox(env.kiosk_db, KIOSK_ID, env.keys) as box:
        for i in range(count):
            box.enqueue("dispense.record", {"i": i})
        return SyncBatch(kiosk_id=KIOSK_ID, records=box.pending(count))


@pytest.mark.fault
@pytest.mark.parametrize("fault, stored", [
    ("reset", True),     # the reply is lost after the central service stored
    ("delay", True),     # the reply comes after the kiosk gave up
    ("http503", False),  # refused before anything was stored
    ("drop", False),     # never forwarded, never answered
])
def test_each_fault(env: FaultEnv, fault: str, stored: bool) -> None:
    batch = one_batch(env)
    env.proxy.set_plan(FaultPlan(**{fault: 1.0}, delay_s=0.6))
    client = CentralClient((env.proxy.url,), KIOSK_ID, timeout_s=0.3)
    try:
        started = time.monotonic()
        with pytest.raises(CentralUnavailable):
            client.post_batch(batch)
        assert time.monotonic() - started < 2.0  # bounded
        time.sleep(0.4 if fault == "delay" else 0.0)  # let the late reply finish
        assert len(central_rows(env.central_db, KIOSK_ID)) == (3 if stored else 0)
        env.proxy.set_plan(FaultPlan())
        ack = client.post_batch(batch)  # the resend after the ambiguous failure
        assert [r.status for r in ack.results] == ["duplicate" if stored else "accepted"] * 3
        assert ack.acked_through == 3
    finally:
        client.close()
    assert env.proxy.counts["503" if fault == "http503" else fault] == 1


@pytest.mark.fault
def test_passes_other_paths_and_is_loopback_only(env: FaultEnv) -> None:
    env.proxy.set_plan(FaultPlan(drop=1.0))  # faults hit /v1/sync/ only
    client = CentralClient((env.proxy.url,), KIOSK_ID, timeout_s=2)
    try:
        assert client.health()
    finally:
        client.close()
    with pytest.raises(ValueError, match="127.0.0.1"):
        FaultProxy(env.port, seed=1, host="0.0.0.0")


@pytest.mark.fault
def test_central_down_resets_the_connection(env: FaultEnv) -> None:
    batch = one_batch(env, 1)
    env.stop_central()
    client = CentralClient((env.proxy.url,), KIOSK_ID, timeout_s=2)
    try:
        with pytest.raises(CentralUnavailable):
            client.post_batch(batch)
    finally:
        client.close()
    assert env.proxy.counts["upstream_down"] == 1
