"""Wire models of the sync protocol, shared by the kiosk and the central service.

A kiosk sends its outbox records in sequence order, in batches. The central service
stores before it answers, and answers with a cumulative acknowledgement (the highest seq
below which every record is stored or parked) plus one result per record, except for
records after one that failed authentication in the same batch: those get no result
(nothing stored) and are sent again.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from offline_queue.ids import HALL_ID_PATTERN  # re-exported: central imports it here
from offline_queue.payloads import InvoiceQueryFields

MAX_BATCH = 500
MAX_CIPHERTEXT_B64 = 64 * 1024

RecordStatus = Literal["accepted", "duplicate", "rejected"]
# A record that fails authentication (hash or signature) is answered "rejected" with a
# reason starting with this word, and is not stored: the kiosk re-checks its own copy.
SIGNATURE_REASON = "signature"
# The kind of a signed tombstone that takes the seq of a record damaged on the kiosk;
# its payload: {"reason", "voided_uuid", "next_hash"} (docs/design.md).
VOID_KIND = "void"


class WireRecord(BaseModel):
    """One outbox record as it travels: the payload stays encrypted end to end."""

    model_config = ConfigDict(extra="forbid")

    kiosk_id: str = Field(min_length=1, max_length=64)
    seq: int = Field(ge=1)
    uuid: str = Field(min_length=32, max_length=36)
    kind: str = Field(min_length=1, max_length=64)
    created_at: datetime
    nonce: str = Field(min_length=16, max_length=24)  # base64 of 12 bytes
    ciphertext: str = Field(min_length=1, max_length=MAX_CIPHERTEXT_B64)  # base64
    prev_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    signature: str = Field(min_length=80, max_length=100)  # base64 of 64 bytes


class SyncBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kiosk_id: str = Field(min_length=1, max_length=64)
    records: list[WireRecord] = Field(max_length=MAX_BATCH)


class RecordResult(BaseModel):
    seq: int
    uuid: str
    status: RecordStatus
    reason: str | None = None
    # Business result computed by the central service (e.g. a verification outcome);
    # None for kinds that have no result.
    result: dict[str, Any] | None = None


class SyncAck(BaseModel):
    kiosk_id: str
    acked_through: int = Field(ge=0)
    results: list[RecordResult]


class EnrolRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kiosk_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    public_key: str = Field(min_length=40, max_length=48)  # base64 of 32 bytes (Ed25519)
    data_key: str = Field(min_length=40, max_length=48)  # base64 of 32 bytes (AES-256)
    token: str | None = None
    # The hall the kiosk stands in ([config] hall_id): staff accounts are served per
    # hall. With the enrolment token (or open enrolment) the kiosk is approved for it
    # at once; without, an operator approves it (and may name another hall).
    hall_id: str | None = Field(default=None, min_length=1, max_length=64,
                                pattern=HALL_ID_PATTERN)


# --- reference data (downloaded by cursor into the kiosk's inbox) -------------------

REFERENCE_PAGE = 500


class ReferenceItem(BaseModel):
    """One piece of reference data for `cache` services (announcement, policy, ...).
    `updated_seq` grows with every change; a deleted item comes once more with
    `deleted` true and no body, so kiosks drop it."""

    id: int
    kind: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    key: str = Field(min_length=1, max_length=200)
    body: dict[str, Any] | None = None
    deleted: bool = False
    updated_seq: int = Field(ge=1)


class ReferencePage(BaseModel):
    items: list[ReferenceItem]
    next_cursor: int = Field(ge=0)
    more: bool = False


# --- signed kiosk requests (heartbeat, staff accounts) -------------------------------

class _SignedRequest(BaseModel):
    """A kiosk's request signed with its Ed25519 key over
    `offline_queue.crypto.content_digest` of the other fields."""

    model_config = ConfigDict(extra="forbid")

    kiosk_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    # ISO 8601 with a UTC offset, kept as the text that was signed (a datetime would be
    # re-serialised differently, e.g. "+00:00" as "Z", and break the signature).
    sent_at: str = Field(min_length=19, max_length=40)
    signature: str = Field(default="", max_length=100)  # base64 of 64 bytes

    @field_validator("sent_at")
    @classmethod
    def _aware_iso(cls, value: str) -> str:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError("sent_at must be an ISO 8601 timestamp") from None
        if parsed.tzinfo is None:
            raise ValueError("sent_at needs a UTC offset")
        return value

    @property
    def sent_at_time(self) -> datetime:
        return datetime.fromisoformat(self.sent_at)


class Heartbeat(_SignedRequest):
    """A kiosk's periodic health report (signed)."""

    software_version: str = Field(max_length=64)
    queue_depth: int = Field(ge=0)
    oldest_pending_age_s: float | None = Field(default=None, ge=0)
    unconfirmed: int = Field(default=0, ge=0)
    devices: dict[str, Any] = Field(default_factory=dict, max_length=64)


# --- staff accounts (never in the public reference feed) ------------------------------

# Reference items of this kind hold PIN hashes: `GET /v1/reference` never serves them;
# an enrolled kiosk fetches them with a signed StaffRequest, encrypted to its data key.
STAFF_KIND = "staff"
STAFF_WINDOW_S = 300  # how far a StaffRequest's sent_at may be from the central's clock


class StaffRequest(_SignedRequest):
    """`POST /v1/kiosks/{kiosk_id}/staff`: kiosk_id, sent_at and the signature only."""


class KioskVerifyRequest(InvoiceQueryFields, _SignedRequest):
    """`POST /v1/kiosks/{kiosk_id}/verify`: one online invoice check by an enrolled
    kiosk, counted toward the invoice's 5 checks a day. sent_at must be within
    STAFF_WINDOW_S of the central's clock, and a signature is answered only once
    (replays are refused). The query fields are `payloads.InvoiceQueryFields`; which
    are required depends on type_code."""

    # Both bases have a config and the last one would win: a signed request takes no
    # field it does not sign.
    model_config = ConfigDict(extra="forbid")

    @property
    def query_fields(self) -> dict[str, Any]:
        """The query part of the request, as the verification rule reads it."""
        return self.model_dump(include=set(InvoiceQueryFields.model_fields))


class StaffAccountItem(BaseModel):
    key: str = Field(min_length=1, max_length=200)
    body: dict[str, Any]


class StaffSnapshot(BaseModel):
    """The plaintext of a SealedAnswer: every current staff account, and the request's
    sent_at echoed (also bound as associated data)."""

    accounts: list[StaffAccountItem]
    sent_at: str


class SealedAnswer(BaseModel):
    """A JSON object encrypted with AES-GCM under the asking kiosk's data key
    (`offline_queue.crypto.encrypt_for_kiosk`)."""

    nonce: str = Field(min_length=16, max_length=24)  # base64 of 12 bytes
    ciphertext: str = Field(min_length=1)  # base64


# --- sealed kiosk calls (personal data both ways, e.g. taxpayer identity) ---------------

#: Largest base64 ciphertext of a sealed call's request.
MAX_CALL_CIPHERTEXT_B64 = 64 * 1024


class SealedCall(_SignedRequest):
    """`POST /v1/kiosks/{kiosk_id}/<route>` carrying personal data: the request JSON
    object sealed with `crypto.seal_call` under the kiosk's data key (associated data:
    the route's purpose, kiosk_id and sent_at), and the kiosk's signature over every
    other field. sent_at must be within STAFF_WINDOW_S of the central's clock and each
    signature is answered once. The answer is a SealedAnswer (`crypto.encrypt_for_kiosk`,
    bound to kiosk_id and this sent_at)."""

    nonce: str = Field(min_length=16, max_length=24)  # base64 of 12 bytes
    ciphertext: str = Field(min_length=1, max_length=MAX_CALL_CIPHERTEXT_B64)  # base64


#: Every sealed call: its purpose (bound into the sealed request) -> its path under
#: /v1/kiosks/{kiosk_id}/ (`CentralClient.sealed_call(keys, purpose, path, payload)`).
SEALED_ROUTES: dict[str, str] = {
    "identity.id_card": "identity/id-card",
    "identity.qr": "identity/qr",
    "identity.qr_poll": "identity/qr/poll",
    "identity.password": "identity/password",
    "identity.enterprise": "identity/enterprise",
    "identity.logout": "identity/logout",
    "taxpayer.info": "taxpayer/info",
    "taxpayer.credit": "taxpayer/credit",
    "taxpayer.arrears": "taxpayer/arrears",
    "taxpayer.progress": "taxpayer/progress",
    "taxpayer.notices": "taxpayer/notices",
    "taxpayer.notice_read": "taxpayer/notice-read",
    "taxpayer.payments": "taxpayer/payments",
    "taxpayer.voucher_printed": "taxpayer/voucher-printed",
    "certificate.issue": "certificate/issue",
    # The tax school (central.routes.school), with a session; its `school.seats`
    # ("school/seats") takes no payload and is left out of this table.
    "school.bookings": "school/bookings",
    "school.book": "school/book",
    "school.cancel": "school/cancel",
    "school.evaluate": "school/evaluate",
    # Payment QR and the paying services' look-ups (central.routes.payments, #11).
    "payments.qr": "payments/qr",
    "payments.qr_poll": "payments/qr/poll",
    "payments.qr_close": "payments/qr/close",
    "payments.code": "payments/code",
    "payments.code_query": "payments/code/query",
    "payments.code_reverse": "payments/code/reverse",
    "taxpayer.vehicles": "taxpayer/vehicles",
    "taxpayer.iit_prefill": "taxpayer/iit-prefill",
    "taxpayer.social_insurance": "taxpayer/social-insurance",
    "taxpayer.agreements": "taxpayer/agreements",
    # Paper-invoice pickup and stock (central.routes.invoices, #12); its
    # `invoices.courier` ("invoices/courier") and `invoices.pickup_cache`
    # ("invoices/pickup-cache") take an empty payload and are left out of this table.
    "invoices.pickup": "invoices/pickup",
    "invoices.stock_check": "invoices/stock-check",
    # 数电票, the invoice lottery and 代开 (central.routes.lottery and
    # central.routes.digital_invoices, #12 §3-§4); all with the taxpayer's session.
    "lottery.enter": "lottery/enter",
    "digital_invoices.list": "digital-invoices/list",
    "digital_invoices.print": "digital-invoices/print",
    "on_behalf.address_book": "on-behalf/address-book",
    "on_behalf.quote": "on-behalf/quote",
    "on_behalf.issue": "on-behalf/issue",
    "on_behalf.applications": "on-behalf/applications",
}


# --- online PIN check (failures counted per card across the fleet) ----------------------

PinResult = Literal["ok", "wrong", "locked", "unknown"]


def pin_request_label(card: str, sent_at: str) -> str:
    """What a PinCheckRequest's sealed PIN is bound to, passed as `sent_at` to
    `crypto.encrypt_for_kiosk`: the card and the request, and apart from every other
    sealed answer (whose sent_at is a bare timestamp)."""
    return f"pin-check|{card}|{sent_at}"


def pin_verdict_label(card: str, sent_at: str) -> str:
    """The same for the central's sealed PinVerdict (so a request never opens as an
    answer, and an answer only for its own card and request)."""
    return f"pin-verdict|{card}|{sent_at}"


class PinCheckRequest(_SignedRequest):
    """`POST /v1/kiosks/{kiosk_id}/staff/pin`: a staff login attempt, checked by the
    central service. `card` is the account's key (the card UID's digest, never the
    UID); the PIN travels only sealed under the kiosk's data key (`nonce`,
    `ciphertext`: `{"pin": ...}` bound to `pin_request_label`), also over plain HTTP."""

    card: str = Field(pattern=r"^[0-9a-f]{64}$")
    nonce: str = Field(min_length=16, max_length=24)  # base64 of 12 bytes
    ciphertext: str = Field(min_length=1, max_length=512)  # base64


class PinVerdict(BaseModel):
    """The plaintext of the central's answer to a PinCheckRequest (a SealedAnswer
    bound to `pin_verdict_label`). `attempts_left`: wrong PINs left before the card
    locks (wrong); `locked_until`: ISO UTC time the card unlocks (locked); `staff_id`
    and `roles`: the account (ok)."""

    result: PinResult
    card: str
    sent_at: str
    attempts_left: int | None = None
    locked_until: str | None = None
    staff_id: str | None = None
    roles: list[str] | None = None


def key_fingerprint(public_key: bytes) -> str:
    """A kiosk public key's fingerprint for people to compare (96 bits of SHA-256, in
    groups of four hex digits): `kiosk enroll` prints it when the enrolment waits for
    approval, and the operator's approval must name it."""
    digest = hashlib.sha256(b"kiosk-key|" + public_key).hexdigest()[:24]
    return "-".join(digest[i:i + 4] for i in range(0, len(digest), 4))


def same_fingerprint(given: str, public_key: bytes) -> bool:
    """Whether `given` is the key's fingerprint (case, dashes, colons and spaces
    ignored)."""
    clean = "".join(c for c in given.lower() if c not in "-: ")
    return hmac.compare_digest(clean.encode("utf-8", "surrogatepass"),
                               key_fingerprint(public_key).replace("-", "").encode())
