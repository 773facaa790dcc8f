"""The ingest dispatches on record kind through central.record_kinds: a kind registered
here (as a new module under central/kinds/ would) gets its records checked and its
results computed, batch-wise, through the real sync endpoint."""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import httpx
import pytest
from central_helpers import ADMIN_TOKEN, TODAY, SealingKiosk
from sqlalchemy.orm import Session

from central.kinds.invoice_verify import InvoiceVerifyKind
from central.record_kinds import (
    BadPayload,
    BatchInfo,
    RecordKind,
    handler_for,
    register,
    registered_kinds,
    unregister,
)

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


class TallyKind(RecordKind):
    """A kind for the test: payload {"n": int}; result: the running total of the
    batch's accepted records of this kind, in seq order."""

    kind = "test.tally"

    def __init__(self) -> None:
        self.batches: list[list[int]] = []

    def check(self, payload: dict[str, Any]) -> int:
        n = payload.get("n")
        if not isinstance(n, int) or isinstance(n, bool):
            raise BadPayload("n: a whole number is required")
        return n

    def results(self, session: Session, checked: Sequence[Any],
                batch: BatchInfo) -> list[dict[str, Any] | None]:
        self.batches.append(list(checked))
        total, out = 0, []
        for n in checked:
            total += n
            out.append({"running_total": total, "day": batch.today.isoformat()} if n else None)
        return out


@pytest.fixture
def tally() -> Iterator[TallyKind]:
    handler = TallyKind()
    register(handler)
    try:
        yield handler
    finally:
        unregister(handler.kind)


def _enrolled(client: httpx.Client, kiosk_id: str) -> SealingKiosk:
    kiosk = SealingKiosk(kiosk_id)
    assert client.post("/v1/kiosks/enroll", json=kiosk.enrol_body()).status_code == 200
    return kiosk


def test_a_registered_kind_is_checked_and_answered_batch_wise(
        client: httpx.Client, tally: TallyKind) -> None:
    kiosk = _enrolled(client, "K-kinds")
    records = [kiosk.record("test.tally", {"n": 2}),
               kiosk.record("test.tally", {"n": "two"}),
               kiosk.verify_record(),
               kiosk.record("test.tally", {"n": 5}),
               kiosk.record("test.tally", {"n": 0})]
    response = client.post("/v1/sync/batch", json=kiosk.batch(*records))
    assert response.status_code == 200, response.text
    ack = response.json()
    assert ack["acked_through"] == 5
    results = ack["results"]
    assert [r["status"] for r in results] == ["accepted", "rejected", "accepted",
                                              "accepted", "accepted"]
    assert results[0]["result"] == {"running_total": 2, "day": TODAY.isoformat()}
    assert results[1]["reason"] == "bad payload: n: a whole number is required"
    assert results[1]["result"] is None
    # Other kinds in the same batch keep their own handler.
    assert results[2]["result"]["outcome"] == "genuine"
    assert results[3]["result"] == {"running_total": 7, "day": TODAY.isoformat()}
    assert results[4]["result"] is None  # the handler's None: stored with no result
    # One call per batch, the accepted records only, in seq order.
    assert tally.batches == [[2, 5, 0]]

    # A resend is answered from what was stored: the handler is not asked again.
    again = client.post("/v1/sync/batch", json=kiosk.batch(records[0], records[3])).json()
    assert [r["status"] for r in again["results"]] == ["duplicate", "duplicate"]
    assert again["results"][1]["result"]["running_total"] == 7
    assert tally.batches == [[2, 5, 0]]
    audit = client.get("/v1/audit/kiosks/K-kinds/records", headers=ADMIN).json()
    assert [(r["kind"], r["status"]) for r in audit] == [
        ("test.tally", "accepted"), ("test.tally", "rejected"),
        ("invoice.verify", "accepted"), ("test.tally", "accepted"),
        ("test.tally", "accepted")]


def test_a_kind_nobody_registered_is_kept_without_a_result(client: httpx.Client) -> None:
    """A newer kiosk may queue a kind this central has no handler for yet: the record
    is stored (the kiosk's queue drains, the audit lists it), with no result."""
    assert handler_for("test.not-registered") is None
    kiosk = _enrolled(client, "K-unknown-kind")
    record = kiosk.record("test.not-registered", {"anything": ["at", "all"]})
    ack = client.post("/v1/sync/batch", json=kiosk.batch(record)).json()
    assert ack["acked_through"] == 1
    assert ack["results"][0]["status"] == "accepted"
    assert ack["results"][0]["result"] is None and ack["results"][0]["reason"] is None


def test_the_built_in_kinds_are_registered_once() -> None:
    assert {"invoice.verify", "void"} <= set(registered_kinds())
    assert isinstance(handler_for("invoice.verify"), InvoiceVerifyKind)
    # A second module claiming a kind is a mistake, not a silent override.
    with pytest.raises(ValueError, match="already registered"):
        register(InvoiceVerifyKind())
    assert isinstance(handler_for("invoice.verify"), InvoiceVerifyKind)
    with pytest.raises(ValueError, match="1-64 characters"):
        register(type("Long", (RecordKind,), {"kind": "x" * 65})())
