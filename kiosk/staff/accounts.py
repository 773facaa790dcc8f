"""Staff accounts, distributed by the central service as reference data.

Kind "staff", key `card_key(uid)`, body `{"staff_id", "roles", "pin"}`: no names (no
personal data in the inbox) and no card UID in clear (a UID is a credential). A
withdrawn item means the account is gone. They never ride the public reference feed:
`KioskCore.download_staff` fetches them signed and encrypted to this kiosk.
"""
from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from drivers.staff_card import normalise_uid
from offline_queue.wire import STAFF_KIND

from .errors import UNKNOWN_CARD, StaffAuthError
from .pins import hash_pin

_log = logging.getLogger("kiosk.staff")

ROLES = ("hall", "logistics", "technician")
STAFF_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,32}")
_KEY_PREFIX = "staff-card:"


def card_key(uid: str) -> str:
    """The reference key of a card: sha256 hex of "staff-card:" + the normalised UID.
    StaffAuthError(staff.unknown_card) if `uid` is not a card UID."""
    norm = normalise_uid(uid) if isinstance(uid, str) else None
    if norm is None:
        raise StaffAuthError("not a staff card", UNKNOWN_CARD)
    return hashlib.sha256((_KEY_PREFIX + norm).encode("ascii")).hexdigest()


@dataclass(frozen=True)
class StaffAccount:
    staff_id: str
    roles: tuple[str, ...]
    pin_hash: str

    @classmethod
    def from_body(cls, body: Any) -> StaffAccount | None:
        """The account in a reference item's body; None (logged) if it is malformed."""
        try:
            staff_id, roles, pin = body["staff_id"], body["roles"], body["pin"]
            ok = (isinstance(staff_id, str) and STAFF_ID_RE.fullmatch(staff_id)
                  and isinstance(roles, list) and roles
                  and all(isinstance(r, str) and r in ROLES for r in roles)
                  and isinstance(pin, str))
        except (KeyError, TypeError):
            ok = False
        if not ok:
            _log.warning("a staff reference item is malformed; ignored")
            return None
        return cls(staff_id, tuple(dict.fromkeys(roles)), pin)


def check_roles(roles: Iterable[str]) -> list[str]:
    """The roles, deduplicated in order; ValueError if empty or one is unknown."""
    out = list(dict.fromkeys(roles))
    unknown = [r for r in out if r not in ROLES]
    if not out or unknown:
        raise ValueError(f"roles must be one or more of {', '.join(ROLES)}"
                         + (f" (unknown: {', '.join(unknown)})" if unknown else ""))
    return out


def staff_reference_item(staff_id: str, roles: Iterable[str], uid: str,
                         pin: str) -> dict[str, Any]:
    """The reference item ({kind, key, body}) that provisions one staff account, as
    `POST /v1/admin/reference` and `kiosk central --add-reference` take it. Raises
    ValueError (StaffAuthError for the card and the PIN) on bad input."""
    if not isinstance(staff_id, str) or not STAFF_ID_RE.fullmatch(staff_id):
        raise ValueError("staff id must be 1-32 characters of A-Z a-z 0-9 _ -")
    key = card_key(uid)
    body = {"staff_id": staff_id, "roles": check_roles(roles), "pin": hash_pin(pin)}
    return {"kind": STAFF_KIND, "key": key, "body": body}
