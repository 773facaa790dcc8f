"""The payment orders that need staff (kiosk/payments/attention.py), read from a real
outbox file: every open state listed oldest first with its method, amount, start time,
the taxpayer masked by domain.md §9 and the short reference; final orders left out;
and a real resolution pass summed up."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from kiosk.payments.attention import (
    describe_check,
    masked_taxpayer,
    read_attention,
    short_reference,
)
from kiosk.payments.core import PaymentCore
from kiosk.payments.model import PaymentItem, PaymentRequest
from kiosk.payments.orders import OrderStore
from offline_queue.crypto import KioskKeys
from offline_queue.outbox import Outbox

PERSON = "11010519491231002X"
ENTERPRISE = "91110105MA01R8XK4P"


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Kiosk:
    outbox: Outbox
    store: OrderStore
    clock: Clock


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[Kiosk]:
    keys = KioskKeys.generate()
    outbox = Outbox(tmp_path / "outbox.sqlite3", "K-attention", keys)
    clock = Clock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    store = OrderStore(outbox.db_path, outbox.kiosk_id, keys.data_key, clock=clock)
    yield Kiosk(outbox, store, clock)
    store.close()
    outbox.close()


def request(tin: str, yuan: str) -> PaymentRequest:
    item = PaymentItem(kind="arrear", ref="个人所得税", label_zh="个人所得税",
                       label_en="Individual income tax", period="202601", tax=Decimal(yuan))
    return PaymentRequest(service_id="tax.pay", items=(item,), tin=tin)


def add(k: Kiosk, tin: str, yuan: str, method: str, *path: str, minutes: int) -> str:
    """An order created `minutes` after the clock's start, moved along `path`."""
    k.clock.now = datetime(2026, 3, 2, 1, 0, tzinfo=UTC) + timedelta(minutes=minutes)
    order = k.store.create(request(tin, yuan), method)
    for state in path:
        kw = {"reference": f"{order.id}-1", "next_attempt": True} if state == "sent" else {}
        if state == "approved":
            kw = {"trace_no": "000123"}
        k.store.transition(order.id, state, **kw)
    return order.id


def test_every_open_order_is_listed_oldest_first_and_masked(kiosk: Kiosk) -> None:
    # Created out of order: the list goes by start time, not by insertion.
    voiding = add(kiosk, PERSON, "1234.50", "card", "sent", "approved", "voiding", minutes=5)
    unknown = add(kiosk, ENTERPRISE, "88.00", "card", "sent", "unknown", minutes=1)
    sent = add(kiosk, PERSON, "10.00", "qr", "sent", minutes=9)
    approved = add(kiosk, "", "0.01", "card", "sent", "approved", minutes=3)
    add(kiosk, PERSON, "5.00", "card", "sent", "declined", minutes=0)  # final: not listed
    add(kiosk, PERSON, "6.00", "card", "sent", "approved", "recorded", minutes=2)
    add(kiosk, PERSON, "7.00", "card", "sent", "approved", "voiding", "voided", minutes=4)
    kiosk.store.annotate(voiding, detail={"void_refused": "25"})
    kiosk.store.annotate(unknown, message_code="payment.manual_check")

    core = PaymentCore(kiosk.store, kiosk.outbox, terminal=lambda: None)
    view = read_attention(core)
    assert view.available and not view.unreadable and view.total == 4
    rows = view.rows
    assert [r.order_id for r in rows] == [unknown, approved, voiding, sent]
    assert [r.state for r in rows] == ["unknown", "approved", "voiding", "sent"]
    assert [r.method for r in rows] == ["card", "card", "card", "qr"]
    assert [r.amount_fen for r in rows] == [8800, 1, 123450, 1000]
    assert [r.amount_yuan for r in rows] == ["88.00", "0.01", "1,234.50", "10.00"]
    assert rows[0].started_at == datetime(2026, 3, 2, 1, 1, tzinfo=UTC)
    # domain.md §9: a person's ID first 3 / last 4; an enterprise's USCC in full.
    assert [r.taxpayer for r in rows] == [ENTERPRISE, "", "110***********002X",
                                          "110***********002X"]
    assert [r.hint for r in rows] == ["manual_check", None, "void_refused", None]
    assert rows[2].short_ref == voiding[-8:] and len(rows[2].short_ref) == 8
    assert PERSON not in repr(view)  # the clear ID number is nowhere in the view


def test_no_payment_core_and_nothing_open(kiosk: Kiosk) -> None:
    assert read_attention(None).available is False
    core = PaymentCore(kiosk.store, kiosk.outbox, terminal=lambda: None)
    view = read_attention(core)
    assert view.available and view.rows == () and view.total == 0


def test_an_unreadable_store_is_said_not_raised(kiosk: Kiosk) -> None:
    add(kiosk, PERSON, "1.00", "card", "sent", minutes=0)
    core = PaymentCore(kiosk.store, kiosk.outbox, terminal=lambda: None)
    kiosk.store._engine.dispose()
    kiosk.store.db_path.unlink()  # the file went away under the kiosk
    kiosk.store.db_path.mkdir()  # and something else sits at its path
    view = read_attention(core)
    assert view.available and view.unreadable and view.rows == ()


def test_a_resolution_pass_in_words(kiosk: Kiosk) -> None:
    """A real pass without a terminal: a `created` card order was never sent
    (declined); a `sent` one cannot be asked and stays open."""
    created = add(kiosk, PERSON, "3.00", "card", minutes=0)
    sent = add(kiosk, PERSON, "4.00", "card", "sent", minutes=1)
    core = PaymentCore(kiosk.store, kiosk.outbox, terminal=lambda: None)
    summary = describe_check(core.resolve())
    assert summary.changed == ((short_reference(created), "declined"),)
    assert summary.still_open == 1 and summary.failed == 1
    assert not summary.terminal_busy
    assert [r.order_id for r in read_attention(core).rows] == [sent]


@pytest.mark.parametrize("tin, shown", [
    ("110105199001011234", "110***********1234"),  # domain.md §9's vector
    ("11010519491231002x", "110***********002X"),
    (ENTERPRISE, ENTERPRISE),
    ("not-a-tin", "NOT**-TIN"),  # unknown shapes are hidden like an ID number
    ("  ", ""),
])
def test_masked_taxpayer(tin: str, shown: str) -> None:
    assert masked_taxpayer(tin) == shown
