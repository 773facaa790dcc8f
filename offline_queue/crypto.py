"""Record sealing: AES-GCM payloads bound to their place in the queue, a hash chain,
and Ed25519 signatures. Used by the kiosk's outbox and by the central ingest."""
from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

GENESIS_HASH = "0" * 64
SIGNING_KEY_FILE = "kiosk_signing.key"
DATA_KEY_FILE = "kiosk_data.key"


class RecordIntegrityError(ValueError):
    """A record fails decryption, its hash or its signature."""


def b64e(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64d(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def canonical_json(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str).encode("utf-8")


def content_digest(content: dict[str, Any]) -> str:
    """SHA-256 (hex) of a JSON object's canonical form without its "signature" field:
    what a kiosk signs for a heartbeat or a bundle. Stable across a JSON round trip."""
    unsigned = {k: v for k, v in content.items() if k != "signature"}
    return hashlib.sha256(canonical_json(unsigned)).hexdigest()


def associated_data(kiosk_id: str, seq: int, uuid: str) -> bytes:
    """AES-GCM associated data: a payload decrypts only in its own place in the queue."""
    return f"{kiosk_id}|{seq}|{uuid}".encode()


def record_hash(kiosk_id: str, seq: int, uuid: str, kind: str, created_at: datetime,
                prev_hash: str, nonce: bytes, ciphertext: bytes) -> str:
    header = f"{kiosk_id}\n{seq}\n{uuid}\n{kind}\n{created_at.isoformat()}\n{prev_hash}\n"
    return hashlib.sha256(header.encode() + nonce + ciphertext).hexdigest()


def encrypt_payload(data_key: bytes, payload: dict[str, Any], kiosk_id: str, seq: int,
                    uuid: str) -> tuple[bytes, bytes]:
    nonce = os.urandom(12)
    return nonce, AESGCM(data_key).encrypt(nonce, canonical_json(payload),
                                           associated_data(kiosk_id, seq, uuid))


def decrypt_payload(data_key: bytes, nonce: bytes, ciphertext: bytes, kiosk_id: str,
                    seq: int, uuid: str) -> dict[str, Any]:
    try:
        plain = AESGCM(data_key).decrypt(nonce, ciphertext,
                                         associated_data(kiosk_id, seq, uuid))
    except InvalidTag as exc:
        raise RecordIntegrityError("payload does not decrypt under this kiosk/seq/uuid") from exc
    value = json.loads(plain)
    if not isinstance(value, dict):
        raise RecordIntegrityError("payload is not an object")
    return value


def answer_associated_data(kiosk_id: str, sent_at: str) -> bytes:
    """AES-GCM associated data of a central answer: it opens only for the kiosk and the
    request (its sent_at) it was made for. The "answer|" prefix keeps it apart from a
    record's `kiosk_id|seq|uuid`."""
    return f"answer|{kiosk_id}|{sent_at}".encode()


def encrypt_for_kiosk(data_key: bytes, payload: dict[str, Any], kiosk_id: str,
                      sent_at: str) -> tuple[bytes, bytes]:
    """(nonce, ciphertext) of an answer from the central service to one kiosk, under
    that kiosk's data key: readable by nobody else, even over plain HTTP."""
    nonce = os.urandom(12)
    return nonce, AESGCM(data_key).encrypt(nonce, canonical_json(payload),
                                           answer_associated_data(kiosk_id, sent_at))


def decrypt_for_kiosk(data_key: bytes, nonce: bytes, ciphertext: bytes, kiosk_id: str,
                      sent_at: str) -> dict[str, Any]:
    """The answer sealed by `encrypt_for_kiosk`; RecordIntegrityError if it does not
    open under this key, kiosk and sent_at, or is not a JSON object."""
    try:
        plain = AESGCM(data_key).decrypt(nonce, ciphertext,
                                         answer_associated_data(kiosk_id, sent_at))
    except (InvalidTag, ValueError) as exc:  # ValueError: a nonce of the wrong size
        raise RecordIntegrityError("answer does not decrypt for this kiosk/request") from exc
    try:
        value = json.loads(plain)
    except ValueError as exc:
        raise RecordIntegrityError("answer is not JSON") from exc
    if not isinstance(value, dict):
        raise RecordIntegrityError("answer is not an object")
    return value


def verify_signature(public_key: bytes, hash_hex: str, signature: bytes) -> None:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, bytes.fromhex(hash_hex))
    except (InvalidSignature, ValueError) as exc:
        raise RecordIntegrityError("bad signature") from exc


@dataclass(frozen=True)
class KioskKeys:
    """The kiosk's identity key and data key, stored as 0600 files outside the database."""

    signing_key: Ed25519PrivateKey
    data_key: bytes

    @property
    def public_key(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self.signing_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    def sign(self, hash_hex: str) -> bytes:
        return self.signing_key.sign(bytes.fromhex(hash_hex))

    @classmethod
    def generate(cls) -> "KioskKeys":
        return cls(Ed25519PrivateKey.generate(), AESGCM.generate_key(bit_length=256))

    @classmethod
    def load_or_create(cls, key_dir: Path) -> "KioskKeys":
        from cryptography.hazmat.primitives import serialization

        key_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        sk_path, dk_path = key_dir / SIGNING_KEY_FILE, key_dir / DATA_KEY_FILE
        if sk_path.exists() and dk_path.exists():
            raw = sk_path.read_bytes()
            data_key = dk_path.read_bytes()
            if len(raw) != 32 or len(data_key) != 32:
                raise RecordIntegrityError(f"key files in {key_dir} are damaged")
            return cls(Ed25519PrivateKey.from_private_bytes(raw), data_key)
        keys = cls.generate()
        raw = keys.signing_key.private_bytes(serialization.Encoding.Raw,
                                             serialization.PrivateFormat.Raw,
                                             serialization.NoEncryption())
        _write_secret(sk_path, raw)
        _write_secret(dk_path, keys.data_key)
        return keys


def _write_secret(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
