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

from offline_queue import bounded_json

GENESIS_HASH = "0" * 64
SIGNING_KEY_FILE = "kiosk_signing.key"
DATA_KEY_FILE = "kiosk_data.key"
# systemd credential names (LoadCredentialEncrypted=<name>:...; `systemd-creds encrypt
# --name=<name>` binds the blob to this name). Same raw 32 bytes as the key files.
SIGNING_KEY_CREDENTIAL = "kiosk-signing-key"
DATA_KEY_CREDENTIAL = "kiosk-data-key"
# Where the keys come from (config `key_source`): "auto" = the systemd credentials when
# $CREDENTIALS_DIRECTORY holds them, else the files in key_dir.
KEY_SOURCES = ("auto", "files", "credentials")
KEY_BYTES = 32


class RecordIntegrityError(ValueError):
    """A record fails decryption, its hash or its signature."""


class KeyStoreError(RecordIntegrityError):
    """The kiosk's keys cannot be loaded from where the configuration says; the
    message names the place, never key material."""


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


def result_associated_data(kiosk_id: str, seq: int, uuid: str) -> bytes:
    """AES-GCM associated data of a record's stored business result: bound to the
    record's place like its payload, and the "result|" purpose label keeps the two
    apart (kiosk ids contain no "|"), so a result cannot be swapped with a payload."""
    return f"result|{kiosk_id}|{seq}|{uuid}".encode()


def encrypt_result(data_key: bytes, result: dict[str, Any], kiosk_id: str, seq: int,
                   uuid: str) -> tuple[bytes, bytes]:
    """(nonce, ciphertext) of the central service's result for one record, as the
    outbox keeps it at rest."""
    nonce = os.urandom(12)
    return nonce, AESGCM(data_key).encrypt(nonce, canonical_json(result),
                                           result_associated_data(kiosk_id, seq, uuid))


def decrypt_result(data_key: bytes, nonce: bytes, ciphertext: bytes, kiosk_id: str,
                   seq: int, uuid: str) -> dict[str, Any]:
    """The result sealed by `encrypt_result`; RecordIntegrityError if it does not open
    for this record (tampered, moved, or a payload put in its place)."""
    try:
        plain = AESGCM(data_key).decrypt(nonce, ciphertext,
                                         result_associated_data(kiosk_id, seq, uuid))
        value = json.loads(plain)
    except (InvalidTag, ValueError) as exc:  # ValueError: bad nonce size or not JSON
        raise RecordIntegrityError("result does not decrypt for this record") from exc
    if not isinstance(value, dict):
        raise RecordIntegrityError("result is not an object")
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


def call_associated_data(purpose: str, kiosk_id: str, sent_at: str) -> bytes:
    """AES-GCM associated data of a sealed kiosk call (wire.SealedCall): its request
    opens only for the route it was made for (`purpose`, e.g. "identity.id_card"),
    the kiosk and the sent_at it was signed with. The "call|" prefix keeps it apart
    from records and answers (purposes and kiosk ids contain no "|")."""
    return f"call|{purpose}|{kiosk_id}|{sent_at}".encode()


def seal_call(data_key: bytes, payload: dict[str, Any], purpose: str, kiosk_id: str,
              sent_at: str) -> tuple[bytes, bytes]:
    """(nonce, ciphertext) of a sealed call's request JSON object under the kiosk's
    data key: personal data crosses the wire readable only by the kiosk and the
    central service, even over plain HTTP."""
    nonce = os.urandom(12)
    return nonce, AESGCM(data_key).encrypt(nonce, canonical_json(payload),
                                           call_associated_data(purpose, kiosk_id,
                                                                sent_at))


def open_call(data_key: bytes, nonce: bytes, ciphertext: bytes, purpose: str,
              kiosk_id: str, sent_at: str) -> dict[str, Any]:
    """The request sealed by `seal_call`; RecordIntegrityError if it does not open
    under this key, purpose, kiosk and sent_at, or is not a JSON object."""
    try:
        plain = AESGCM(data_key).decrypt(nonce, ciphertext,
                                         call_associated_data(purpose, kiosk_id, sent_at))
    except (InvalidTag, ValueError) as exc:  # ValueError: a nonce of the wrong size
        raise RecordIntegrityError("the call does not open for this kiosk/route/request"
                                   ) from exc
    try:
        value = bounded_json.loads(plain, what="the sealed call")
    except ValueError as exc:
        raise RecordIntegrityError(str(exc)) from exc
    if not isinstance(value, dict):
        raise RecordIntegrityError("the sealed call is not a JSON object")
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
    def generate(cls) -> KioskKeys:
        return cls(Ed25519PrivateKey.generate(), AESGCM.generate_key(bit_length=256))

    def signing_key_bytes(self) -> bytes:
        """The raw 32-byte private key, as the key file and the credential hold it."""
        from cryptography.hazmat.primitives import serialization

        return self.signing_key.private_bytes(serialization.Encoding.Raw,
                                              serialization.PrivateFormat.Raw,
                                              serialization.NoEncryption())

    @classmethod
    def load_or_create(cls, key_dir: Path) -> KioskKeys:
        from offline_queue.filemodes import private_dir, restrict_file

        private_dir(key_dir)  # also repairs an older install's 0755 folder
        sk_path, dk_path = key_dir / SIGNING_KEY_FILE, key_dir / DATA_KEY_FILE
        if sk_path.exists() and dk_path.exists():
            restrict_file(sk_path)
            restrict_file(dk_path)
            raw = sk_path.read_bytes()
            data_key = dk_path.read_bytes()
            if len(raw) != KEY_BYTES or len(data_key) != KEY_BYTES:
                raise RecordIntegrityError(f"key files in {key_dir} are damaged")
            return cls(Ed25519PrivateKey.from_private_bytes(raw), data_key)
        keys = cls.generate()
        _write_secret(sk_path, keys.signing_key_bytes())
        _write_secret(dk_path, keys.data_key)
        return keys

    @classmethod
    def from_credentials(cls, folder: Path | None) -> KioskKeys:
        """The keys systemd decrypted into ``folder`` ($CREDENTIALS_DIRECTORY) from
        ``LoadCredentialEncrypted=kiosk-signing-key:...`` and ``kiosk-data-key``.
        Never creates keys: credentials are made at enrolment (deploy/credentials.md)."""
        if folder is None:
            raise KeyStoreError(
                "key_source is \"credentials\" but $CREDENTIALS_DIRECTORY is not set: "
                "start the kiosk from its systemd unit (LoadCredentialEncrypted=), or "
                "set key_source = \"files\" for development")
        values = []
        for name in (SIGNING_KEY_CREDENTIAL, DATA_KEY_CREDENTIAL):
            path = Path(folder) / name
            try:
                value = path.read_bytes()
            except FileNotFoundError:
                raise KeyStoreError(f"systemd credential {name!r} is missing from "
                                    f"$CREDENTIALS_DIRECTORY ({folder}): add "
                                    f"LoadCredentialEncrypted={name}:... to the unit"
                                    ) from None
            except OSError as exc:
                raise KeyStoreError(f"systemd credential {name!r} cannot be read: "
                                    f"{exc.strerror or type(exc).__name__}") from None
            if len(value) != KEY_BYTES:
                raise KeyStoreError(f"systemd credential {name!r} is not a "
                                    f"{KEY_BYTES}-byte key ({len(value)} bytes); "
                                    f"re-create it from the key file (deploy/credentials.md)")
            values.append(value)
        return cls(Ed25519PrivateKey.from_private_bytes(values[0]), values[1])


def credentials_directory() -> Path | None:
    """$CREDENTIALS_DIRECTORY, where systemd puts a unit's decrypted credentials."""
    value = os.environ.get("CREDENTIALS_DIRECTORY")
    return Path(value) if value else None


def has_key_credentials(folder: Path | None) -> bool:
    """Whether ``folder`` holds either key credential (a half pair is an error that
    ``KioskKeys.from_credentials`` reports, not a reason to fall back to files)."""
    return folder is not None and any(
        os.path.lexists(Path(folder) / name)
        for name in (SIGNING_KEY_CREDENTIAL, DATA_KEY_CREDENTIAL))


def load_kiosk_keys(key_dir: Path, source: str = "auto",
                    credentials: Path | None = None) -> KioskKeys:
    """The kiosk's keys from ``source`` (see KEY_SOURCES): systemd credentials from
    ``credentials`` (default $CREDENTIALS_DIRECTORY), or the 0600 files in
    ``key_dir`` (created at first use, for development and before enrolment)."""
    if source not in KEY_SOURCES:
        raise KeyStoreError(f"key_source must be one of {', '.join(KEY_SOURCES)}")
    folder = credentials if credentials is not None else credentials_directory()
    if source == "credentials" or (source == "auto" and has_key_credentials(folder)):
        return KioskKeys.from_credentials(folder)
    return KioskKeys.load_or_create(key_dir)


def _write_secret(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
