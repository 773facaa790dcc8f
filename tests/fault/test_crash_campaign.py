"""The crash campaign: kiosk processes SIGKILLed at random moments during commits and
sync passes, behind a proxy that loses replies after the central service stored them,
delays them past the kiosk's timeout, answers 503 or drops requests; the central
service down for a long time under load; the clock jumping back and forth. Every test
ends with the same audit (audit.py).

The cycle counts come from KIOSK_FAULT_CYCLES (CI default 240 in total; `make fault`
runs 2000)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from audit import central_rows
from fault_helpers import KIOSK_ID, CampaignStats, FaultEnv, record_result, share, timeout_for
from fault_proxy import FaultPlan

from offline_queue.outbox import Outbox

CYCLES_MAIN = share(0.55)
CYCLES_DOWN = share(0.25)
CYCLES_CLOCK = share(0.20)

NETWORK_FAULTS = FaultPlan(reset=0.15, delay=0.10, http503=0.10, drop=0.10, delay_s=0.8)


def check_kiosk_file(env: FaultEnv) -> None:
    """Reopening runs quick_check and the migrations; verify_chain re-checks every
    record's hash, signature, link and payload."""
    with Outbox(env.kiosk_db, KIOSK_ID, env.keys) as box:
        assert box.verify_chain() == []


@pytest.mark.fault
@pytest.mark.timeout(timeout_for(CYCLES_MAIN))
def test_sigkill_during_commits_and_sync_with_lost_replies(env: FaultEnv) -> None:
    env.proxy.set_plan(NETWORK_FAULTS)
    stats = CampaignStats()
    for quarter in range(4):
        # Small batches: many requests per pass, so every fault comes up often.
        env.crash_cycles(CYCLES_MAIN // 4 + (quarter < CYCLES_MAIN % 4), stats, batch=10)
        check_kiosk_file(env)
    stats.duplicates_answered += env.final_drain().duplicate
    report = env.audit()
    record_result("sigkill+network", cycles=stats.cycles, report=report,
                  phases=dict(stats.phases), proxy=dict(env.proxy.counts))
    assert report.ok, report.summary()

    assert stats.cycles == CYCLES_MAIN
    # The kills really landed in both places, and every fault really happened.
    assert stats.phases["commit"] >= CYCLES_MAIN // 10, stats.phases
    assert stats.phases["sync"] >= CYCLES_MAIN // 10, stats.phases
    for fault in ("reset", "delay", "503", "drop"):
        assert env.proxy.counts[fault] > 0, env.proxy.counts
    assert report.acknowledged >= CYCLES_MAIN
    # Replies lost after storing were resent, and answered as duplicates.
    assert stats.duplicates_answered > 0


@pytest.mark.fault
@pytest.mark.timeout(timeout_for(CYCLES_DOWN))
def test_central_down_for_long_under_load_then_back(env: FaultEnv) -> None:
    stats = CampaignStats()
    env.proxy.set_plan(FaultPlan(reset=0.1, http503=0.05))
    env.crash_cycles(max(3, CYCLES_DOWN // 10), stats)
    env.final_drain()
    stored_before = len(central_rows(env.central_db, KIOSK_ID))

    env.stop_central()
    acked_before = len(env.acked)
    outage_cycles = 0
    # Hundreds of records pile up while every sync pass fails; kills go on meanwhile.
    while outage_cycles < CYCLES_DOWN // 2 or len(env.acked) - acked_before < 300:
        assert outage_cycles < CYCLES_DOWN * 4, "the kiosk stopped taking records offline"
        env.crash_cycles(1, stats, burst=40)
        outage_cycles += 1
    queued_offline = len(env.acked) - acked_before
    assert len(central_rows(env.central_db, KIOSK_ID)) == stored_before
    assert env.proxy.counts["upstream_down"] > 0

    env.start_central()  # the same database, the same port
    env.crash_cycles(max(3, CYCLES_DOWN - stats.cycles), stats)
    env.final_drain()
    report = env.audit()
    record_result("central-down", cycles=stats.cycles, report=report,
                  queued_offline=queued_offline, outage_cycles=outage_cycles)
    assert report.ok, report.summary()
    assert queued_offline >= 300


@pytest.mark.fault
@pytest.mark.timeout(timeout_for(CYCLES_CLOCK))
def test_clock_jumping_back_and_forth(env: FaultEnv) -> None:
    """created_at jumps by up to +-5 days between records; seq order and dedupe by
    seq/UUID do not care."""
    env.proxy.set_plan(FaultPlan(reset=0.2, http503=0.05))
    stats = env.crash_cycles(CYCLES_CLOCK, clock_jumps=True)
    env.final_drain()
    report = env.audit()
    record_result("clock-jumps", cycles=stats.cycles, report=report)
    assert report.ok, report.summary()

    accepted = sorted((r for r in central_rows(env.central_db, KIOSK_ID)
                       if r.status == "accepted"), key=lambda r: r.seq)
    assert [r.seq for r in accepted] == list(range(1, len(accepted) + 1))
    steps = [b.created_at - a.created_at for a, b in zip(accepted, accepted[1:])]
    assert min(steps) < -timedelta(days=1) and max(steps) > timedelta(days=1)
