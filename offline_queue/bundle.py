"""Hand-carried bundles: pending outbox records written to a file at the kiosk
(`kiosk queue export FILE`) and imported at the central service
(`kiosk central --import-bundle FILE`) during a long outage.

The records travel exactly as they would over the network (already encrypted, hash-
chained and signed one by one); the bundle adds an Ed25519 signature by the kiosk's key
over its canonical JSON, so a truncated or edited file is refused as a whole before
anything is stored. Importing is idempotent because the central service dedupes each
record by (kiosk id, seq) and UUID; the kiosk later syncs the same records normally
and gets "duplicate" answers.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from offline_queue import bounded_json
from offline_queue.crypto import (
    KioskKeys,
    RecordIntegrityError,
    b64d,
    b64e,
    content_digest,
    verify_signature,
)
from offline_queue.wire import WireRecord

FORMAT = "tax-kiosk-bundle"
VERSION = 1
MAX_BUNDLE_BYTES = 2 * 1024**3  # far beyond any real backlog; refuses absurd files
_FIELDS = {"format", "version", "kiosk_id", "created_at", "public_key", "records",
           "signature"}


class BundleError(ValueError):
    """The bundle file is unreadable, truncated, tampered with or not a bundle."""


@dataclass(frozen=True)
class Bundle:
    kiosk_id: str
    created_at: str
    public_key: bytes
    records: list[WireRecord]


def build_bundle(kiosk_id: str, records: list[WireRecord], keys: KioskKeys,
                 created_at: datetime) -> dict[str, Any]:
    """The bundle as a JSON-ready dict, signed with the kiosk's key."""
    for record in records:
        if record.kiosk_id != kiosk_id:
            raise BundleError(f"record seq {record.seq} belongs to another kiosk")
    content: dict[str, Any] = {
        "format": FORMAT, "version": VERSION, "kiosk_id": kiosk_id,
        "created_at": created_at.isoformat(), "public_key": b64e(keys.public_key),
        "records": [r.model_dump(mode="json") for r in records],
    }
    content["signature"] = b64e(keys.sign(content_digest(content)))
    return content


def write_bundle(path: Path, bundle: dict[str, Any]) -> None:
    """Write a new file (never overwrite: FileExistsError) and fsync it, so that the
    operator does not carry away a half-written file."""
    data = json.dumps(bundle, ensure_ascii=False, indent=1).encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise
    os.close(fd)


def read_bundle(path: Path) -> tuple[Bundle, dict[str, Any]]:
    """Parse and check the bundle's shape (not yet its signature: the signer's key
    must come from the central service's records, not from the file)."""
    try:
        size = path.stat().st_size
        if size > MAX_BUNDLE_BYTES:
            raise BundleError(f"{path} is too large to be a bundle ({size} bytes)")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BundleError(f"{path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BundleError(f"{path} cannot be read: {exc}") from None
    try:
        # Bounded: a deeply nested file is refused with the reason (a bundle is 4
        # levels deep), never a RecursionError.
        content = bounded_json.loads(text, max_chars=MAX_BUNDLE_BYTES, what="its JSON")
    except bounded_json.JsonLimitError as exc:  # truncated, edited, or not a bundle
        raise BundleError(f"{path} is not a readable bundle: {exc}") from None
    if not isinstance(content, dict) or content.get("format") != FORMAT:
        raise BundleError(f"{path} is not a kiosk queue bundle")
    if content.get("version") != VERSION:
        raise BundleError(f"bundle version {content.get('version')!r} is not supported")
    if set(content) != _FIELDS:
        raise BundleError("bundle fields are missing or unexpected: "
                          + ", ".join(sorted(set(content) ^ _FIELDS)))
    kiosk_id, records = content["kiosk_id"], content["records"]
    if not isinstance(kiosk_id, str) or not isinstance(records, list) \
            or not isinstance(content["created_at"], str):
        raise BundleError("bundle kiosk_id, created_at or records has the wrong type")
    try:
        public_key = b64d(str(content["public_key"]))
        wire = [WireRecord.model_validate(r) for r in records]
    except (ValueError, ValidationError) as exc:
        raise BundleError(f"bundle content is malformed: {str(exc)[:300]}") from None
    if any(r.kiosk_id != kiosk_id for r in wire):
        raise BundleError("bundle holds records of another kiosk")
    seqs = [r.seq for r in wire]
    if seqs != sorted(set(seqs)):
        raise BundleError("bundle records are not in strictly increasing seq order")
    return Bundle(kiosk_id, content["created_at"], public_key, wire), content


def verify_bundle(content: dict[str, Any], public_key: bytes) -> None:
    """Raise BundleError unless the bundle is signed by `public_key` (the key the
    central service enrolled for the bundle's kiosk)."""
    try:
        signature = b64d(str(content.get("signature", "")))
        verify_signature(public_key, content_digest(content), signature)
    except (RecordIntegrityError, ValueError):
        raise BundleError("bundle signature is not valid for this kiosk: the file was "
                          "changed or was not made by this kiosk") from None
