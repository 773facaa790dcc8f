"""The registry of record kinds: how the ingest (central.ingest) treats each kind of
outbox record once it is authenticated, in its place in the chain and decrypted.

A kind is a `RecordKind` subclass registered once with `register(MyKind())`, in its own
module under `central/kinds/` (imported by `central/kinds/__init__.py`):

- `check(payload)` validates the decrypted payload; it raises `BadPayload` to store the
  record as rejected ("bad payload: <message>", the kiosk parks it) and returns what
  `results` needs.
- `results(session, checked, batch)` computes the business results of one batch's
  accepted records of this kind together, in seq order, inside the ingest's
  transaction (e.g. a batch of invoice verifications in a constant number of
  statements; `batch` names the sending kiosk, the day in China and the time it was
  received); each result is stored with its record and answered to the kiosk.
- `names_next_link` / `next_link(payload)`: for a kind whose payload names the hash the
  record after it links to (the `void` tombstone); other kinds link by their own hash.

Kinds nobody registered are stored as accepted with no result: a kiosk may queue a
record kind before its central handler exists (a newer kiosk, an older central), and
the record must still be kept (the kiosk's queue drains, the audit lists it). Its
payload is checked once a handler exists and reads it.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy.orm import Session


class BadPayload(ValueError):
    """A record's decrypted payload is not what its kind needs: the record is stored
    as rejected with the reason "bad payload: <message>"."""


@dataclass(frozen=True, slots=True)
class BatchInfo:
    """What every record of one ingested batch shares: the authenticated kiosk that sent
    it, the day in China its rules count by (the 5-per-day limit) and when it arrived."""

    kiosk_id: str
    today: date
    received_at: datetime


class RecordKind:
    """How the ingest handles one record kind (see the module's docstring)."""

    #: The kind's name, as the kiosk writes it in the record (e.g. "invoice.verify").
    kind: ClassVar[str]
    #: Whether the payload names the hash the next seq links to (`next_link`).
    names_next_link: ClassVar[bool] = False

    def check(self, payload: dict[str, Any]) -> Any:
        """Validate a decrypted payload (raise BadPayload); the return value is what
        `results` gets for this record."""
        return payload

    def results(self, session: Session, checked: Sequence[Any],
                batch: BatchInfo) -> Sequence[dict[str, Any] | None]:
        """The results of this batch's accepted records of this kind, in order (one
        per item of `checked`; None: no result). Runs in the ingest's transaction."""
        return [None] * len(checked)

    def next_link(self, payload: dict[str, Any]) -> str:
        """With `names_next_link`: the hash the next seq must link to, from a payload
        `check` accepted."""
        raise NotImplementedError(f"{self.kind} links by its own hash")


_KINDS: dict[str, RecordKind] = {}


def register(handler: RecordKind) -> RecordKind:
    """Make `handler` the one for its kind; a second handler for a kind is a mistake
    (two modules claiming it), so it raises ValueError."""
    kind = handler.kind
    if not kind or len(kind) > 64:
        raise ValueError(f"record kind {kind!r}: 1-64 characters (wire.WireRecord)")
    if kind in _KINDS and _KINDS[kind] is not handler:
        raise ValueError(f"record kind {kind!r} is already registered "
                         f"({type(_KINDS[kind]).__name__})")
    _KINDS[kind] = handler
    return handler


def unregister(kind: str) -> None:
    """Drop a kind's handler (tests that register their own)."""
    _KINDS.pop(kind, None)


def handler_for(kind: str) -> RecordKind | None:
    """The registered handler of `kind`, or None (stored as accepted, no result)."""
    return _KINDS.get(kind)


def registered_kinds() -> list[str]:
    return sorted(_KINDS)
