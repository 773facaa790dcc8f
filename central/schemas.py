"""Request and response models of the central service's HTTP API (OpenAPI at
/openapi.json). Wire models shared with the kiosk live in offline_queue.wire and
offline_queue.payloads; error bodies in central.errors."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from central.verification import OUTCOMES, PUBLIC_OUTCOMES, QUEUED_INVOICE_FIELDS
from offline_queue.payloads import InvoiceQueryFields, LooseAmount
from offline_queue.wire import HALL_ID_PATTERN


class VerifyRequest(InvoiceQueryFields):
    """The public check's request (`payloads.InvoiceQueryFields`, the amount also as a
    JSON number); which fields are required depends on type_code."""

    # Widened from the base (pydantic allows it; the rule parses numbers exactly).
    amount: LooseAmount = Field(  # type: ignore[assignment]
        default=None, description="before tax for 01/08, total incl. tax for 31/32/51")
    kiosk_id: str | None = Field(default=None, max_length=64)


class InvoiceView(BaseModel):
    type_code: str
    code: str
    number: str
    issued_on: str
    amount: str
    total: str
    seller_name: str | None
    buyer_name: str | None


Outcome = Literal["genuine", "mismatch", "not_found", "void", "red_flushed", "abnormal",
                  "too_many_checks", "out_of_period"]
MismatchField = Literal["amount", "check_code", "issued_on"]


class VerifyResponse(BaseModel):
    """A kiosk's full answer: counted check, mismatched field, registry details."""

    outcome: Outcome
    mismatch_field: MismatchField | None
    invoice: InvoiceView | None
    checks_today: int


class PublicVerifyResponse(BaseModel):
    """The public check's coarse answer (central.verification.PUBLIC_OUTCOMES):
    "no_match" stands for both a wrong field and an unknown invoice."""

    outcome: Literal["genuine", "void", "red_flushed", "abnormal", "no_match",
                     "out_of_period"]


class QueuedInvoiceView(BaseModel):
    amount: str | None
    total: str | None
    seller_name: str | None


class QueuedResult(BaseModel):
    """A queued check's result as anyone holding its UUID sees it: what the kiosk
    shows (no buyer, no other invoice details)."""

    outcome: Outcome
    mismatch_field: MismatchField | None
    checks_today: int | None
    invoice: QueuedInvoiceView | None


assert set(get_args(Outcome)) == set(OUTCOMES)
assert set(get_args(PublicVerifyResponse.model_fields["outcome"].annotation)) == \
    set(PUBLIC_OUTCOMES)
assert tuple(QueuedInvoiceView.model_fields) == QUEUED_INVOICE_FIELDS


class EnrolResponse(BaseModel):
    kiosk_id: str
    enrolled_at: datetime
    acked_through: int
    approved: bool = Field(description="false: waits for an operator's approval "
                                       "(POST /v1/admin/kiosks/{id}/approve)")
    hall_id: str | None
    key_fingerprint: str = Field(description="what the operator's approval must name")


class VerificationStatus(BaseModel):
    uuid: str
    status: Literal["accepted", "rejected"]
    reason: str | None
    result: QueuedResult | None
    received_at: datetime


class AuditRecord(BaseModel):
    seq: int
    uuid: str | None
    kind: str
    received_at: datetime
    status: Literal["accepted", "rejected"]
    reason: str | None


class OutOfServiceNotice(BaseModel):
    """What a terminal out of service shows (central/out_of_service.py)."""

    reason_zh: str
    reason_en: str
    alternative_zh: str
    alternative_en: str
    since: datetime


class HeartbeatAck(BaseModel):
    kiosk_id: str
    received_at: datetime
    # Set while the fleet side keeps the terminal out of service (issue #14 §2).
    out_of_service: OutOfServiceNotice | None = None


class KioskView(BaseModel):
    kiosk_id: str
    enrolled_at: datetime
    acked_through: int
    last_seen: datetime | None
    last_heartbeat: dict[str, Any] | None
    approved: bool
    approved_at: datetime | None
    hall_id: str | None
    key_fingerprint: str


class ApproveRequest(BaseModel):
    """An operator's approval of an enrolled kiosk, for a hall. `key_fingerprint`
    is what `kiosk enroll` printed on the terminal: an approval of a kiosk id whose
    enrolment was replaced by someone else's keys fails. `hall_id` left out: the hall
    the kiosk asked for; null: no hall (only the accounts valid in every hall)."""

    model_config = ConfigDict(extra="forbid")

    key_fingerprint: str = Field(min_length=1, max_length=64)
    hall_id: str | None = Field(default=None, min_length=1, max_length=64,
                                pattern=HALL_ID_PATTERN)


class ReferenceAdded(BaseModel):
    updated_seq: list[int]


class ImportRowError(BaseModel):
    line: int
    reason: str


class ImportReportOut(BaseModel):
    imported: int
    updated: int
    errors: list[ImportRowError]


class RegistryRowError(BaseModel):
    section: str
    index: int
    reason: str


class RegistryReportOut(BaseModel):
    """What a taxpayer registry import did: rows added and updated per list, and
    every refused row with its list, its index in that list and the reason."""

    imported: dict[str, int]
    updated: dict[str, int]
    errors: list[RegistryRowError]
