"""Signed tax certificates: the QR format and its verification, shared by the central
service (which signs) and the kiosk (which verifies, offline if need be). Qt-free.

A certificate's QR is ``CERT1:<body>.<signature>``, both base64url without padding:

- body: the canonical JSON (sorted keys, no spaces, UTF-8) of the certified summary
  ``{n: number (证明号), k: kind, t: taxpayer name, i: ID number or TIN, x: [tax
  kinds], p: period, a: total (yuan, 2 decimals), d: issue date YYYY-MM-DD, o: tax
  office, kid: the signing key's id}``. Personal data in it is masked for paper
  (domain.md §9): a natural person's name 张*丰 and ID number 1****************4; an
  enterprise's name and USCC are public register data and stay in full.
- signature: Ed25519 by the issuing central service's certificate key over the body
  bytes exactly as they are in the QR.

The verifier's keys are reference data of kind ``certificate_key``: key = the key id
(the first 16 hex digits of the SHA-256 of the raw public key), body ``{public_key:
base64 of the 32 raw bytes, valid_from: YYYY-MM-DD, valid_until?: YYYY-MM-DD}``. A
certificate verifies only with the key its ``kid`` names, and only if its issue date
lies within that key's validity (a retired key signs nothing new).

The paper, its seal and its QR prove nothing by themselves (services.md §2.2): what the
verifier shows is the signed summary, never what is printed beside it.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

QR_PREFIX = "CERT1:"
REFERENCE_KIND = "certificate_key"
KINDS = ("document", "table", "record")  # 文书式, 表格式, 纳税记录
SUMMARY_KEYS = frozenset({"n", "k", "t", "i", "x", "p", "a", "d", "o", "kid"})
MAX_QR_CHARS = 4096  # kiosk.services.scans.MAX_SCAN_LENGTH
#: 验证码 alphabet: no 0/O, 1/I/L, so a code read off paper is typed right.
CHECK_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CHECK_CODE_LENGTH = 16
_B64URL = re.compile(r"^[A-Za-z0-9_-]+$")
_NUMBER = re.compile(r"^[0-9A-Z]{8,32}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_KEY_ID = re.compile(r"^[0-9a-f]{16}$")


class CertificateError(ValueError):
    """A certificate QR that cannot be verified; `code` is a ui/messages code:
    certificate.damaged (not a certificate QR or altered so it no longer parses),
    certificate.unknown_key (signed by a key this verifier does not hold),
    certificate.key_expired (issued outside the key's validity),
    certificate.bad_signature (forged or altered)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class CertificateSummary:
    """The signed summary of a certificate, as the issuer certified it."""

    number: str
    kind: str
    taxpayer: str  # masked for paper
    taxpayer_id: str  # masked for paper (a person), in full (an enterprise's USCC)
    tax_kinds: tuple[str, ...]
    period: str
    total: str
    issued_on: str
    tax_office: str
    key_id: str

    def as_dict(self) -> dict[str, Any]:
        return {"number": self.number, "kind": self.kind, "taxpayer": self.taxpayer,
                "taxpayer_id": self.taxpayer_id, "tax_kinds": list(self.tax_kinds),
                "period": self.period, "total": self.total, "issued_on": self.issued_on,
                "tax_office": self.tax_office}

    def body(self) -> dict[str, Any]:
        """The QR body's object (short keys)."""
        return {"n": self.number, "k": self.kind, "t": self.taxpayer, "i": self.taxpayer_id,
                "x": list(self.tax_kinds), "p": self.period, "a": self.total,
                "d": self.issued_on, "o": self.tax_office, "kid": self.key_id}

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> CertificateSummary:
        """The summary of a decoded body; CertificateError("certificate.damaged") if a
        field is missing or malformed."""
        if not isinstance(body, Mapping) or set(body) != SUMMARY_KEYS:
            raise CertificateError("certificate.damaged", "the certificate's fields are wrong")
        texts = ("n", "k", "t", "i", "p", "a", "d", "o", "kid")
        if not all(isinstance(body[k], str) for k in texts) or not isinstance(body["x"], list) \
                or not all(isinstance(x, str) for x in body["x"]):
            raise CertificateError("certificate.damaged", "the certificate's fields are wrong")
        if body["k"] not in KINDS or not _NUMBER.match(body["n"]) \
                or not _DATE.match(body["d"]) or not _KEY_ID.match(body["kid"]):
            raise CertificateError("certificate.damaged", "the certificate's fields are wrong")
        return cls(number=body["n"], kind=body["k"], taxpayer=body["t"],
                   taxpayer_id=body["i"], tax_kinds=tuple(body["x"]), period=body["p"],
                   total=body["a"], issued_on=body["d"], tax_office=body["o"],
                   key_id=body["kid"])


# -- encoding -------------------------------------------------------------------------

def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    if not _B64URL.match(text):
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64url") from exc


def canonical_body(body: Mapping[str, Any]) -> bytes:
    return json.dumps(dict(body), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def key_id(public_key: bytes) -> str:
    """A public key's id: the first 16 hex digits of SHA-256 of its 32 raw bytes."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def public_key_bytes(private_key: Ed25519PrivateKey) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def reference_body(public_key: bytes, valid_from: date,
                   valid_until: date | None = None) -> dict[str, Any]:
    """The body of a `certificate_key` reference item."""
    body: dict[str, Any] = {"public_key": base64.b64encode(public_key).decode("ascii"),
                            "valid_from": valid_from.isoformat()}
    if valid_until is not None:
        body["valid_until"] = valid_until.isoformat()
    return body


def format_total(amount: Decimal | str) -> str:
    """A total as the summary holds it: yuan with exactly two decimals."""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        raise ValueError(f"not an amount: {amount!r}") from None
    return f"{value.quantize(Decimal('0.01'))}"


def sign_summary(private_key: Ed25519PrivateKey, summary: CertificateSummary) -> str:
    """The QR text of `summary`, signed with `private_key` (whose id must be the
    summary's key_id)."""
    if key_id(public_key_bytes(private_key)) != summary.key_id:
        raise ValueError("the summary names another key than the one signing it")
    body = canonical_body(summary.body())
    return f"{QR_PREFIX}{b64url(body)}.{b64url(private_key.sign(body))}"


# -- verification ---------------------------------------------------------------------

def parse_qr(text: str) -> tuple[CertificateSummary, bytes, bytes]:
    """(summary, body bytes, signature) of a QR text, unverified; CertificateError
    ("certificate.damaged") when it is not a well-formed certificate QR."""
    raw = (text or "").strip()
    if len(raw) > MAX_QR_CHARS or not raw.startswith(QR_PREFIX):
        raise CertificateError("certificate.damaged", "not a certificate QR")
    parts = raw[len(QR_PREFIX):].split(".")
    if len(parts) != 2:
        raise CertificateError("certificate.damaged", "not a certificate QR")
    try:
        body = b64url_decode(parts[0])
        signature = b64url_decode(parts[1])
        decoded = json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise CertificateError("certificate.damaged", "the certificate QR is damaged") from None
    if len(signature) != 64:
        raise CertificateError("certificate.damaged", "the certificate QR is damaged")
    return CertificateSummary.from_body(decoded), body, signature


def verify_qr(text: str, keys: Mapping[str, Mapping[str, Any]]) -> CertificateSummary:
    """The certified summary of a certificate QR whose signature is good under the key
    it names, among `keys` (key id -> `certificate_key` reference body); raises
    CertificateError with the reason otherwise. Needs no network."""
    summary, body, signature = parse_qr(text)
    entry = keys.get(summary.key_id)
    if not isinstance(entry, Mapping):
        raise CertificateError("certificate.unknown_key",
                               "signed by a key this kiosk does not know")
    try:
        public = base64.b64decode(str(entry.get("public_key", "")), validate=True)
        key = Ed25519PublicKey.from_public_bytes(public)
    except (ValueError, binascii.Error):
        raise CertificateError("certificate.unknown_key",
                               "the issuer's key in the reference data is malformed") from None
    if key_id(public) != summary.key_id:
        raise CertificateError("certificate.unknown_key", "the key's id does not match it")
    try:
        key.verify(signature, body)
    except InvalidSignature:
        raise CertificateError("certificate.bad_signature",
                               "the signature does not match: forged or altered") from None
    valid_from = str(entry.get("valid_from") or "")
    valid_until = str(entry.get("valid_until") or "")
    if (valid_from and summary.issued_on < valid_from) \
            or (valid_until and summary.issued_on > valid_until):
        raise CertificateError("certificate.key_expired",
                               "issued outside the validity of the issuer's key")
    return summary


# -- codes and masking ----------------------------------------------------------------

def new_check_code() -> str:
    """A 验证码: 16 characters of CHECK_CODE_ALPHABET (about 79 bits)."""
    return "".join(secrets.choice(CHECK_CODE_ALPHABET) for _ in range(CHECK_CODE_LENGTH))


def normalise_check_code(text: str) -> str | None:
    """A typed 验证码 without spaces and dashes, in upper case; None unless it is 16
    characters of the alphabet."""
    code = re.sub(r"[\s-]", "", text or "").upper()
    if len(code) != CHECK_CODE_LENGTH or any(c not in CHECK_CODE_ALPHABET for c in code):
        return None
    return code


def group_check_code(code: str) -> str:
    """The 验证码 as printed: four groups of four (XXXX-XXXX-XXXX-XXXX)."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def check_code_digest(code: str) -> str:
    """What the register stores of a 验证码 (SHA-256 hex): a copied database does not
    hand out the codes."""
    return hashlib.sha256(code.encode("ascii")).hexdigest()


# The paper rules of domain.md §9 (kiosk.domain.masking, which central may not import;
# a test holds both to the same vectors).

def paper_name(name: str) -> str:
    """张三丰 -> 张*丰, 张三 -> *三; Latin names J*** S****."""
    name = name.strip()
    if not name:
        return ""
    if name.isascii():
        return " ".join(w[0] + "*" * (len(w) - 1) for w in name.split())
    if len(name) <= 2:
        return "*" + name[1:] if len(name) == 2 else "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def paper_id_number(number: str) -> str:
    """110105199001011234 -> 1****************4 (first and last kept)."""
    number = number.strip()
    if len(number) <= 2:
        return "*" * len(number)
    return number[0] + "*" * (len(number) - 2) + number[-1]


def masked_taxpayer(kind: str, name: str, tin: str) -> tuple[str, str]:
    """(name, ID) as a certificate prints them: a natural person masked, an
    enterprise (public register data) in full."""
    if kind == "person":
        return paper_name(name), paper_id_number(tin)
    return name.strip(), tin.strip()
