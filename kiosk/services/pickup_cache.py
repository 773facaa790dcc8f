"""The offline pickup cache (issue #12 §1): the pending terminal pickup orders of this
kiosk's hall, refreshed from the central service's `invoices/pickup-cache` (a sealed
call the kiosk makes by itself after a sync pass, like the staff accounts), so that a
taxpayer identified by ID card can collect during an outage. Qt-free.

Each order names a taxpayer and carries their ID number: the order is sealed with
AES-GCM under the kiosk's data key, bound to the kiosk and the application number,
in table `pickup_cache` of the outbox file (kiosk migration 0005). The holder is
found by an HMAC of the ID number under a key derived from the data key, so the file
holds no ID number in clear and no unkeyed hash of one. A refresh replaces the whole
table in one transaction: an order collected or withdrawn at the central service
disappears at the next refresh.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine, delete, insert, select

from offline_queue.crypto import canonical_json
from offline_queue.db import make_engine, pickup_cache_table
from offline_queue.migrate import upgrade_database

from .. import log
from .pickup import Order, order_from

_log = log.get("sync")
MAX_CACHED_ORDERS = 5000  # a hall's pending terminal orders; more is a central bug


class PickupCacheError(RuntimeError):
    """The cache cannot be stored or read (database failure, a row that does not open)."""


class PickupCache:
    """Table pickup_cache of one kiosk's outbox file. Thread-safe (SQLite transactions)."""

    def __init__(self, db_path: Path, kiosk_id: str, data_key: bytes) -> None:
        self.db_path = Path(db_path)
        self.kiosk_id = kiosk_id
        self._aead = AESGCM(data_key)
        # A key of its own for the holder hash: the data key itself never keys a MAC.
        self._mac_key = hmac.new(data_key, b"tax-kiosk pickup holder v1",
                                 hashlib.sha256).digest()
        upgrade_database(self.db_path)  # a no-op when the outbox opened it already
        self._engine: Engine = make_engine(self.db_path)

    @classmethod
    def for_outbox(cls, outbox: Any, keys: Any) -> PickupCache:
        return cls(outbox.db_path, outbox.kiosk_id, keys.data_key)

    def close(self) -> None:
        self._engine.dispose()

    # -- keys ---------------------------------------------------------------------------
    def _hash(self, purpose: str, value: str) -> str:
        return hmac.new(self._mac_key, f"{purpose}|{value}".encode(), hashlib.sha256).hexdigest()

    def _aad(self, application_no: str) -> bytes:
        return f"pickup-cache|{self.kiosk_id}|{application_no}".encode()

    # -- refresh ------------------------------------------------------------------------
    def replace(self, snapshot: dict[str, Any]) -> int:
        """Replace the cache with the central's snapshot (`{orders, as_of}`); returns
        how many orders it holds. Orders without an ID number (an enterprise's) cannot
        be collected by ID card and are left out. A malformed snapshot changes nothing."""
        orders = snapshot.get("orders")
        as_of = snapshot.get("as_of")
        if not isinstance(orders, list) or not isinstance(as_of, str) \
                or len(orders) > MAX_CACHED_ORDERS:
            raise PickupCacheError("malformed pickup cache snapshot")
        rows = []
        for item in orders:
            if not isinstance(item, dict):
                raise PickupCacheError("malformed pickup cache order")
            id_number = item.get("id_number")
            if not isinstance(id_number, str) or not id_number:
                continue
            try:
                order_from(item)  # refuse what could not be shown later
            except (KeyError, TypeError, ValueError):
                raise PickupCacheError("malformed pickup cache order") from None
            application_no = str(item["application_no"])
            nonce = os.urandom(12)
            rows.append({
                "application_no": application_no,
                "holder": self._hash("id", id_number.upper()),
                "pickup_code_hash": self._hash("code", str(item.get("pickup_code", "")).upper()),
                "nonce": nonce,
                "ciphertext": self._aead.encrypt(nonce, canonical_json(item),
                                                 self._aad(application_no)),
                "as_of": as_of[:40]})
        with self._engine.begin() as conn:
            conn.execute(delete(pickup_cache_table))
            if rows:
                conn.execute(insert(pickup_cache_table), rows)
        return len(rows)

    # -- look-up ------------------------------------------------------------------------
    def orders_for(self, id_number: str, pickup_code: str | None = None) -> list[Order]:
        """The cached orders of the ID card's holder (with `pickup_code`: that one),
        marked offline with the snapshot's date."""
        query = select(pickup_cache_table).where(
            pickup_cache_table.c.holder == self._hash("id", id_number.upper()))
        if pickup_code:
            query = query.where(pickup_cache_table.c.pickup_code_hash
                                == self._hash("code", pickup_code.upper()))
        with self._engine.connect() as conn:
            rows = conn.execute(query.order_by(pickup_cache_table.c.application_no)).all()
        return [self._open(r) for r in rows]

    def _open(self, row: Any) -> Order:
        try:
            plain = self._aead.decrypt(row.nonce, row.ciphertext, self._aad(row.application_no))
        except (InvalidTag, ValueError) as exc:
            raise PickupCacheError(f"cached order {row.application_no} does not open "
                                   "(tampered or another kiosk's file)") from exc
        item = json.loads(plain)
        return order_from(item, offline=True, as_of=row.as_of)

    def count(self) -> int:
        with self._engine.connect() as conn:
            return len(conn.execute(select(pickup_cache_table.c.application_no)).all())

    def application_numbers(self) -> Iterable[str]:
        with self._engine.connect() as conn:
            return [r[0] for r in conn.execute(select(pickup_cache_table.c.application_no))]


def refresh(cache: PickupCache, central: Any, keys: Any,
            as_enrolled: Any = lambda call: call()) -> int:
    """Fetch the hall's snapshot (sealed call `invoices/pickup-cache`) and replace the
    cache; returns how many orders it holds. Failures raise and change nothing."""
    answer = as_enrolled(lambda: central.sealed_call(keys, "invoices.pickup_cache",
                                                     "invoices/pickup-cache", {}))
    if not isinstance(answer, dict):
        raise PickupCacheError("unreadable pickup cache answer")
    held = cache.replace(answer)
    _log.info("pickup cache refreshed: %d order(s)", held)
    return held
