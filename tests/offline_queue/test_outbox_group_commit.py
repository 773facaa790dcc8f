"""Group commit in Outbox.enqueue: concurrent callers share one transaction (one
fsync), each still gets its own record back only after that COMMIT, and a payload that
cannot be sealed fails alone without using up a seq."""
from __future__ import annotations

import threading
from typing import Any

import pytest

from offline_queue.outbox import Outbox, OutboxError, QueuedRecord

THREADS = 8
PER_THREAD = 40


def test_concurrent_enqueues_share_commits(outbox: Outbox,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    group_sizes: list[int] = []
    real_commit = Outbox._commit_group

    def counting(self: Outbox, group: list[Any]) -> None:
        group_sizes.append(len(group))
        real_commit(self, group)

    monkeypatch.setattr(Outbox, "_commit_group", counting)
    results: dict[int, list[QueuedRecord]] = {t: [] for t in range(THREADS)}
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def writer(t: int) -> None:
        try:
            start.wait()
            for i in range(PER_THREAD):
                results[t].append(outbox.enqueue("dispense.record", {"t": t, "i": i}))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert not errors
    total = THREADS * PER_THREAD
    assert sum(group_sizes) == total
    assert len(group_sizes) < total, "no two enqueues ever shared a commit"
    assert sorted(r.seq for rs in results.values() for r in rs) == list(range(1, total + 1))
    assert outbox.verify_chain() == []
    for t, rs in results.items():
        for i, rec in enumerate(rs):
            view = outbox.get(rec.uuid)
            assert view is not None and view.seq == rec.seq and view.payload == {"t": t, "i": i}


def test_unsealable_payload_fails_alone_in_a_group(outbox: Outbox) -> None:
    """A bad payload committed in the same group as good ones: only its caller gets
    the error, and the good records stay gapless."""
    start = threading.Barrier(4)
    outcomes: dict[int, object] = {}

    def writer(t: int) -> None:
        start.wait()
        payload: dict[str, Any] = {"t": t}
        if t == 2:
            payload["self"] = payload  # a cycle: JSON cannot encode it
        try:
            for _ in range(10):
                outcomes.setdefault(t, [])
                outcomes[t].append(outbox.enqueue("dispense.record", payload))  # type: ignore[union-attr]
        except OutboxError as exc:
            outcomes[t] = exc

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    assert isinstance(outcomes[2], OutboxError)
    assert "cannot be serialised" in str(outcomes[2])
    good = sorted(r.seq for t in (0, 1, 3) for r in outcomes[t])  # type: ignore[union-attr]
    assert good == list(range(1, 31))
    assert outbox.verify_chain() == []
