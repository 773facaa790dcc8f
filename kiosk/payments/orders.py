"""Payment orders, persisted in the outbox database (table payment_orders, kiosk
migration 0004). Qt-free.

An order is one attempt to take one `PaymentRequest`'s money, by card or by QR. Its
state is written BEFORE the step it announces (docs/payment-protocol.md, "Orders"):

    created -> sent -> approved -> recorded                  (paid and recorded)
                    -> declined                             (never charged)
                    -> unknown -> approved / declined       (resolved by asking)
              approved -> voiding -> voided                 (central refused: given back)

`recorded`, `declined` and `voided` are final. An order in any other state after a
crash is unresolved: the core settles it (the terminal's or the acquirer's record
decides) before it accepts a new payment.

The request (who pays what) and the bank's answer (masked card, trace, reference) name
a taxpayer: they are sealed with AES-GCM under the kiosk's data key, bound to the
kiosk and the order id, like the outbox's records. The clear columns hold only what
the state machine and `kiosk payments status` need (state, amount, method, codes).
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine, select, update
from sqlalchemy.exc import SQLAlchemyError

from offline_queue.crypto import canonical_json
from offline_queue.db import make_engine, payment_orders_table
from offline_queue.migrate import upgrade_database

from .model import FINAL_STATES, METHODS, ORDER_STATES, PaymentRequest

#: The transitions an order may take (anything else is a bug, refused).
TRANSITIONS: dict[str, frozenset[str]] = {
    "created": frozenset({"sent", "declined"}),
    # sent -> voided: a QR order the acquirer reports REVOKED (paid, then reversed).
    "sent": frozenset({"approved", "declined", "unknown", "voided"}),
    "unknown": frozenset({"approved", "declined", "voided"}),
    "approved": frozenset({"recorded", "voiding"}),
    # A void the terminal refuses leaves the order voiding: staff settle it by hand.
    "voiding": frozenset({"voided"}),
    "declined": frozenset(),
    "recorded": frozenset(),
    "voided": frozenset(),
}
assert set(TRANSITIONS) == set(ORDER_STATES)


class OrderError(RuntimeError):
    """An order cannot be stored or moved (database failure, illegal transition)."""


class IllegalTransition(OrderError):
    """The order is not in a state that may move to the one asked for."""


@dataclass(frozen=True)
class Order:
    """One order as stored; `request` and `detail` are the opened sealed columns
    (`detail`: the bank's answer and, once recorded, the vouchers)."""

    id: str
    method: str
    state: str
    amount_fen: int
    service_id: str
    attempt: int
    reference: str | None
    trace_no: str | None
    message_code: str | None
    record_uuid: str | None
    request: PaymentRequest
    detail: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @property
    def final(self) -> bool:
        return self.state in FINAL_STATES

    def to_status_json(self) -> dict[str, Any]:
        """The order as `kiosk payments status --json` lists it (no personal data)."""
        return {"id": self.id, "state": self.state, "amount_fen": self.amount_fen,
                "method": self.method, "service_id": self.service_id,
                "attempt": self.attempt, "message_code": self.message_code,
                "created_at": self.created_at.isoformat(),
                "updated_at": self.updated_at.isoformat()}


def new_order_id(now: datetime | None = None) -> str:
    """'P' + UTC time to the second + 8 random hex digits (23 characters): sortable,
    unique per kiosk, and short enough that `<id>-<attempt>` fits the terminal's
    32-character reference."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%d%H%M%S")
    return f"P{stamp}{secrets.token_hex(4)}"


def _aad(purpose: str, kiosk_id: str, order_id: str) -> bytes:
    # "order|" keeps these apart from records ("kiosk|seq|uuid"), results and answers.
    return f"order|{purpose}|{kiosk_id}|{order_id}".encode()


class OrderStore:
    """The payment_orders table of one kiosk's outbox file. Thread-safe (every write is
    an immediate transaction) and usable from several processes (`kiosk payments
    status` beside the running kiosk)."""

    def __init__(self, db_path: Path, kiosk_id: str, data_key: bytes,
                 clock: Any = None) -> None:
        self.db_path = Path(db_path)
        self.kiosk_id = kiosk_id
        self._aead = AESGCM(data_key)
        self._clock = clock or (lambda: datetime.now(UTC))
        upgrade_database(self.db_path)  # a no-op when the outbox opened it already
        self._engine: Engine = make_engine(self.db_path)
        self.closed = False

    @classmethod
    def for_outbox(cls, outbox: Any, keys: Any) -> OrderStore:
        """The store on the same file as `outbox` (an offline_queue.outbox.Outbox)."""
        return cls(outbox.db_path, outbox.kiosk_id, keys.data_key)

    def close(self) -> None:
        # `closed` stops the core's background resolution: a disposed engine would
        # silently reconnect, and that thread would reopen the terminal's port.
        self.closed = True
        self._engine.dispose()

    # -- sealing ----------------------------------------------------------------------

    def _seal(self, purpose: str, order_id: str, value: dict[str, Any]) -> tuple[bytes, bytes]:
        nonce = os.urandom(12)
        return nonce, self._aead.encrypt(nonce, canonical_json(value),
                                         _aad(purpose, self.kiosk_id, order_id))

    def _open(self, purpose: str, order_id: str, nonce: bytes | None,
              ciphertext: bytes | None) -> dict[str, Any]:
        import json

        if nonce is None or ciphertext is None:
            return {}
        try:
            plain = self._aead.decrypt(nonce, ciphertext, _aad(purpose, self.kiosk_id, order_id))
        except (InvalidTag, ValueError) as exc:
            raise OrderError(f"order {order_id}: sealed {purpose} does not open "
                             f"(tampered or another kiosk's file)") from exc
        value = json.loads(plain)
        return value if isinstance(value, dict) else {}

    @contextmanager
    def _tx(self, action: str) -> Iterator[Any]:
        try:
            with self._engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise OrderError(f"{action} failed: {type(exc).__name__}") from exc

    def _now(self) -> str:
        return self._clock().astimezone(UTC).isoformat()

    # -- writes -----------------------------------------------------------------------

    def create(self, request: PaymentRequest, method: str) -> Order:
        """Persist a new order in state `created` (nothing has touched money yet)."""
        if method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}")
        order_id = new_order_id(self._clock())
        nonce, ciphertext = self._seal("request", order_id, request.to_json())
        now = self._now()
        with self._tx("creating a payment order") as conn:
            conn.execute(payment_orders_table.insert().values(
                id=order_id, method=method, state="created", amount_fen=request.amount_fen,
                service_id=request.service_id, attempt=0, request_nonce=nonce,
                request_ciphertext=ciphertext, created_at=now, updated_at=now))
        order = self.get(order_id)
        assert order is not None
        return order

    def transition(self, order_id: str, new_state: str, *,
                   expect: str | tuple[str, ...] | None = None,
                   reference: str | None = None, trace_no: str | None = None,
                   message_code: str | None = None, record_uuid: str | None = None,
                   next_attempt: bool = False,
                   detail: dict[str, Any] | None = None) -> Order:
        """Move the order to `new_state` and store the given fields, in one committed
        transaction (fsynced) that returns before the caller takes the step.
        `detail` is merged into the sealed detail. Raises IllegalTransition when the
        order is not in a state that may move there (or not in `expect`)."""
        if new_state not in ORDER_STATES:
            raise ValueError(f"unknown order state {new_state!r}")
        with self._tx("moving a payment order") as conn:
            row = conn.execute(select(payment_orders_table)
                               .where(payment_orders_table.c.id == order_id)).first()
            if row is None:
                raise OrderError(f"no payment order {order_id}")
            allowed = (expect,) if isinstance(expect, str) else expect
            if (allowed is not None and row.state not in allowed) \
                    or new_state not in TRANSITIONS[row.state]:
                raise IllegalTransition(f"order {order_id} is {row.state}; it cannot "
                                        f"become {new_state}")
            values: dict[str, Any] = {"state": new_state, "updated_at": self._now()}
            for name, value in (("reference", reference), ("trace_no", trace_no),
                                ("message_code", message_code),
                                ("record_uuid", record_uuid)):
                if value is not None:
                    values[name] = value
            if next_attempt:
                values["attempt"] = row.attempt + 1
            if detail:
                merged = self._open("detail", order_id, row.detail_nonce,
                                    row.detail_ciphertext) | detail
                values["detail_nonce"], values["detail_ciphertext"] = self._seal(
                    "detail", order_id, merged)
            conn.execute(update(payment_orders_table)
                         .where(payment_orders_table.c.id == order_id).values(**values))
        order = self.get(order_id)
        assert order is not None
        return order

    def annotate(self, order_id: str, *, detail: dict[str, Any] | None = None,
                 message_code: str | None = None) -> Order:
        """Store facts without a state change (e.g. the vouchers printed later)."""
        with self._tx("annotating a payment order") as conn:
            row = conn.execute(select(payment_orders_table)
                               .where(payment_orders_table.c.id == order_id)).first()
            if row is None:
                raise OrderError(f"no payment order {order_id}")
            values: dict[str, Any] = {"updated_at": self._now()}
            if message_code is not None:
                values["message_code"] = message_code
            if detail:
                merged = self._open("detail", order_id, row.detail_nonce,
                                    row.detail_ciphertext) | detail
                values["detail_nonce"], values["detail_ciphertext"] = self._seal(
                    "detail", order_id, merged)
            conn.execute(update(payment_orders_table)
                         .where(payment_orders_table.c.id == order_id).values(**values))
        order = self.get(order_id)
        assert order is not None
        return order

    def set_record(self, order_id: str, record_uuid: str) -> Order:
        """Store the uuid of the order's queued tax.payment record (after the enqueue
        committed; a crash in between re-queues it, and central books an order once)."""
        with self._tx("storing the record of a payment order") as conn:
            conn.execute(update(payment_orders_table)
                         .where(payment_orders_table.c.id == order_id)
                         .values(record_uuid=record_uuid, updated_at=self._now()))
        order = self.get(order_id)
        if order is None:
            raise OrderError(f"no payment order {order_id}")
        return order

    # -- reads ------------------------------------------------------------------------

    def _order(self, row: Any) -> Order:
        request = PaymentRequest.from_json(
            self._open("request", row.id, row.request_nonce, row.request_ciphertext))
        return Order(id=row.id, method=row.method, state=row.state,
                     amount_fen=row.amount_fen, service_id=row.service_id,
                     attempt=row.attempt, reference=row.reference, trace_no=row.trace_no,
                     message_code=row.message_code, record_uuid=row.record_uuid,
                     request=request,
                     detail=self._open("detail", row.id, row.detail_nonce,
                                       row.detail_ciphertext),
                     created_at=datetime.fromisoformat(row.created_at),
                     updated_at=datetime.fromisoformat(row.updated_at))

    def get(self, order_id: str) -> Order | None:
        with self._tx("reading a payment order") as conn:
            row = conn.execute(select(payment_orders_table)
                               .where(payment_orders_table.c.id == order_id)).first()
        return None if row is None else self._order(row)

    def all(self, limit: int = 500) -> list[Order]:
        """The newest `limit` orders, oldest first."""
        with self._tx("listing payment orders") as conn:
            rows = conn.execute(select(payment_orders_table)
                                .order_by(payment_orders_table.c.created_at.desc(),
                                          payment_orders_table.c.id.desc())
                                .limit(limit)).all()
        return [self._order(r) for r in reversed(rows)]

    def unresolved(self, method: str | None = None) -> list[Order]:
        """Orders not in a final state, oldest first (optionally of one method)."""
        query = select(payment_orders_table).where(
            payment_orders_table.c.state.not_in(sorted(FINAL_STATES)))
        if method is not None:
            query = query.where(payment_orders_table.c.method == method)
        with self._tx("listing unresolved payment orders") as conn:
            rows = conn.execute(query.order_by(payment_orders_table.c.created_at,
                                               payment_orders_table.c.id)).all()
        return [self._order(r) for r in rows]

    def awaiting_record(self) -> list[Order]:
        """Approved orders whose tax.payment record is queued: money taken, waiting
        for central (not counted against the offline exposure limits)."""
        return [o for o in self.unresolved() if o.state == "approved"
                and o.record_uuid is not None]

    def status_json(self) -> dict[str, Any]:
        """`kiosk payments status --json`: every order (newest 500) and the ids of
        those not in a final state."""
        orders = self.all()
        return {"unresolved": [o.id for o in self.unresolved()],
                "orders": [o.to_status_json() for o in orders]}
