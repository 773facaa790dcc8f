"""Reference data for the kiosks' `cache` services: stored with a fleet-wide change
counter (`updated_seq`) so that kiosks download only what changed since their cursor.

Items are added or changed by an operator (`kiosk central --add-reference FILE.json` or
`POST /v1/admin/reference`); a JSON file holds one item or a list of them:
`{"kind": "announcement", "key": "hall-hours", "body": {...}}`, or with
`"deleted": true` (and no body) to withdraw one.
"""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central.db import ReferenceItem
from offline_queue import bounded_json
from offline_queue.wire import REFERENCE_PAGE, STAFF_KIND, ReferencePage, StaffAccountItem
from offline_queue.wire import ReferenceItem as WireReferenceItem

MAX_BODY_CHARS = 64 * 1024
MAX_ITEMS = 1000
# A full request or file: MAX_ITEMS bodies of MAX_BODY_CHARS, plus their keys.
MAX_FILE_BYTES = MAX_ITEMS * (MAX_BODY_CHARS + 1024)
_ATTEMPTS = 5


class ReferenceDataError(ValueError):
    """A reference item or file is malformed (exit 2 / HTTP 422)."""


class ReferenceInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    key: str = Field(min_length=1, max_length=200)
    body: dict[str, Any] | None = None
    deleted: bool = False

    @model_validator(mode="after")
    def _body_or_deleted(self) -> ReferenceInput:
        if self.deleted == (self.body is not None):
            raise ValueError("give a body, or deleted: true without a body")
        if self.body is not None and len(json.dumps(self.body, ensure_ascii=False)) \
                > MAX_BODY_CHARS:
            raise ValueError(f"body is larger than {MAX_BODY_CHARS} characters")
        return self


def parse_items(data: Any) -> list[ReferenceInput]:
    """One item or a list of items (JSON already decoded); ReferenceDataError if bad."""
    raw = data if isinstance(data, list) else [data]
    if not raw or len(raw) > MAX_ITEMS:
        raise ReferenceDataError(f"give 1 to {MAX_ITEMS} reference items")
    items = []
    for i, entry in enumerate(raw, 1):
        try:
            items.append(ReferenceInput.model_validate(entry))
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'item'}: {e['msg']}"
                                 for e in exc.errors())
            raise ReferenceDataError(f"item {i}: {problems}") from None
    return items


def load_items_file(path: Path) -> list[ReferenceInput]:
    """The items of a JSON file (one item or a list); ReferenceDataError if the file is
    missing, unreadable, not JSON, too large or too deeply nested."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise ReferenceDataError(f"{path} does not exist") from None
    except OSError as exc:
        raise ReferenceDataError(f"{path} is not readable: {exc.strerror or exc}") from None
    try:
        data = bounded_json.loads(raw, max_chars=MAX_FILE_BYTES, what="its content")
    except bounded_json.JsonLimitError as exc:
        raise ReferenceDataError(f"{path} is not a readable JSON file: {exc}") from None
    return parse_items(data)


def upsert_items(session: Session, items: list[ReferenceInput], now: datetime) -> list[int]:
    """Insert or change the items in one transaction (committed); returns their new
    updated_seq values. Concurrent writers collide on UNIQUE(updated_seq) and retry,
    so seqs are committed in order and a kiosk's cursor never skips a change."""
    for attempt in range(_ATTEMPTS):
        try:
            top = session.execute(select(func.max(ReferenceItem.updated_seq))).scalar() or 0
            seqs = []
            for item in items:
                top += 1
                row = session.execute(select(ReferenceItem).where(
                    ReferenceItem.kind == item.kind, ReferenceItem.key == item.key)
                ).scalar_one_or_none()
                if row is None:
                    row = ReferenceItem(kind=item.kind, key=item.key)
                    session.add(row)
                row.body = (None if item.body is None
                            else json.dumps(item.body, ensure_ascii=False, sort_keys=True))
                row.deleted = item.deleted
                row.updated_seq = top
                row.updated_at = now
                session.flush()
                seqs.append(top)
            session.commit()
            return seqs
        except IntegrityError:
            session.rollback()
            if attempt == _ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def page_after(session: Session, cursor: int, limit: int = REFERENCE_PAGE) -> ReferencePage:
    """The changes after `cursor`, oldest first, at most `limit` of them. Staff accounts
    (PIN hashes) are never in this public feed: every kiosk skips their seqs alike, so
    cursors stay correct; `staff_accounts` serves them to enrolled kiosks only."""
    rows = session.execute(select(ReferenceItem).where(ReferenceItem.updated_seq > cursor,
                                                       ReferenceItem.kind != STAFF_KIND)
                           .order_by(ReferenceItem.updated_seq).limit(limit + 1)
                           ).scalars().all()
    more = len(rows) > limit
    rows = rows[:limit]
    items = [WireReferenceItem(id=r.id, kind=r.kind, key=r.key,
                               body=json.loads(r.body) if r.body else None,
                               deleted=r.deleted, updated_seq=r.updated_seq) for r in rows]
    return ReferencePage(items=items, next_cursor=rows[-1].updated_seq if rows else cursor,
                         more=more)


def serves_hall(body: dict[str, Any], hall_id: str | None) -> bool:
    """Whether a staff account (its body) is valid in `hall_id`. Without `halls` (or
    with an empty list) it is valid in every hall; with a list, only in those; a
    malformed `halls` is valid nowhere (fail closed). A kiosk approved for no hall
    (hall_id None) gets only the accounts valid everywhere."""
    halls = body.get("halls")
    if halls is None or halls == []:
        return True
    if not isinstance(halls, list) or not all(isinstance(h, str) for h in halls):
        return False
    return hall_id is not None and hall_id in halls


def staff_accounts(session: Session, hall_id: str | None) -> list[StaffAccountItem]:
    """Every current (not withdrawn) staff account valid in `hall_id` (`serves_hall`):
    a full snapshot, small."""
    rows = session.execute(select(ReferenceItem).where(
        ReferenceItem.kind == STAFF_KIND, ReferenceItem.deleted.is_(False))
        .order_by(ReferenceItem.key)).scalars().all()
    items = [StaffAccountItem(key=r.key, body=json.loads(r.body)) for r in rows if r.body]
    return [item for item in items if serves_hall(item.body, hall_id)]


def staff_account(session: Session, card_key: str,
                  hall_id: str | None) -> dict[str, Any] | None:
    """The body of the current staff account of a card if it is valid in `hall_id`,
    else None (what a kiosk of that hall may know of the card: nothing)."""
    row = session.execute(select(ReferenceItem).where(
        ReferenceItem.kind == STAFF_KIND, ReferenceItem.key == card_key,
        ReferenceItem.deleted.is_(False))).scalar_one_or_none()
    if row is None or not row.body:
        return None
    body = json.loads(row.body)
    return body if isinstance(body, dict) and serves_hall(body, hall_id) else None
