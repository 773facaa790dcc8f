"""Kind `void`: a signed tombstone a kiosk sends for a seq whose own copy was damaged.
Its payload `{"reason", "voided_uuid", "next_hash"}` names the hash the next seq links
to (docs/design.md, "Refused signatures and void tombstones")."""
from __future__ import annotations

import re
from typing import Any

from central.record_kinds import BadPayload, RecordKind, register
from offline_queue.wire import VOID_KIND

_HASH_RE = re.compile(r"^[0-9a-f]{64}$")
_UUID_MAX = 36
_REASON_MAX = 500


class VoidKind(RecordKind):
    kind = VOID_KIND
    names_next_link = True

    def check(self, payload: dict[str, Any]) -> dict[str, Any]:
        """A void needs a usable reason, the voided record's UUID and next_hash."""
        reason, voided, next_hash = (payload.get("reason"), payload.get("voided_uuid"),
                                     payload.get("next_hash"))
        if not isinstance(reason, str) or not reason.strip() or len(reason) > _REASON_MAX:
            raise BadPayload(f"a void needs a reason of 1-{_REASON_MAX} characters")
        if not isinstance(voided, str) or not 0 < len(voided) <= _UUID_MAX:
            raise BadPayload("a void needs the voided record's uuid")
        if not isinstance(next_hash, str) or not _HASH_RE.match(next_hash):
            raise BadPayload("a void needs next_hash, 64 hex digits")
        return payload

    def next_link(self, payload: dict[str, Any]) -> str:
        return str(self.check(payload)["next_hash"])


register(VoidKind())
