"""Record payloads and request fields shared by the kiosk and the central service.

One definition of each field set: the kiosk builds its outbox payloads and online
requests from these, and the central service parses them with the same models
(`central.kinds`, `central.routes.verify`). Qt-free and I/O-free.

- `InvoiceQuery`: a verification query in typed form (what the rules compare), with
  `to_json` / `from_json` for its wire form.
- `InvoiceQueryFields`: the same fields as they travel (strings, bounded lengths); the
  kiosk's signed request (`wire.KioskVerifyRequest`) and the central's public request
  extend it.
- `InvoiceVerifyPayload`: the decrypted payload of an outbox record of kind
  `INVOICE_VERIFY_KIND`.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

#: The record kind of a queued invoice verification (kiosk service `invoice.verify`).
INVOICE_VERIFY_KIND = "invoice.verify"
#: How much of a record payload's optional `reference` the central echoes in the result.
REFERENCE_ECHO_MAX = 64


class InvoiceQueryFields(BaseModel):
    """A verification query's fields on the wire. Which ones are required depends on
    type_code (the central's `verification.parse_query` decides, with a message per
    field); fields the type does not need are accepted and ignored."""

    model_config = ConfigDict(extra="ignore")

    type_code: str = Field(max_length=8, examples=["10"])
    code: str | None = Field(default=None, max_length=32, examples=["033001800111"])
    number: str = Field(max_length=32, examples=["25672225"])
    issued_on: str = Field(max_length=32, examples=["2018-06-10"], description="YYYY-MM-DD")
    amount: str | None = Field(default=None, max_length=32,
                               description="before tax for 01/08, total incl. tax for "
                                           "31/32/51")
    check_code_last6: str | None = Field(default=None, max_length=32,
                                         description="required for 04/10/11/14")


#: An amount as a JSON number or text: accepted where people and scripts post queries
#: (the public check) and in record payloads (the central's rule parses both exactly).
LooseAmount = str | int | float | None


class InvoiceVerifyPayload(InvoiceQueryFields):
    """The payload of a record of kind INVOICE_VERIFY_KIND. `reference`: an optional
    label of the sender's, echoed (its first REFERENCE_ECHO_MAX characters) in the
    result; anything but text there is ignored, as before."""

    # Widened from the base (pydantic allows it; the rule parses numbers exactly).
    amount: LooseAmount = Field(default=None,  # type: ignore[assignment]
                                description="before tax for 01/08, total incl. tax for "
                                            "31/32/51")
    reference: str | None = None

    @field_validator("reference", mode="before")
    @classmethod
    def _text_only(cls, value: Any) -> Any:
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class InvoiceQuery:
    """Exactly what the verification service needs for one invoice, typed; `code` is ""
    for fully-digital invoices. The kiosk's `VerificationQuery` and the central's
    `VerifyQuery` are this class."""

    type_code: str
    code: str
    number: str
    issued_on: date
    amount: Decimal | None = None
    check_code_last6: str | None = None

    def to_fields(self) -> InvoiceQueryFields:
        return InvoiceQueryFields(
            type_code=self.type_code, code=self.code, number=self.number,
            issued_on=self.issued_on.isoformat(),
            amount=None if self.amount is None else str(self.amount),
            check_code_last6=self.check_code_last6)

    def to_json(self) -> dict[str, Any]:
        """The wire form: an outbox payload of kind INVOICE_VERIFY_KIND, or the query
        fields of a signed request."""
        return self.to_fields().model_dump(mode="json")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> InvoiceQuery:
        """A query from its wire form (as written by `to_json`); ValueError if the
        fields are not there or not well formed."""
        wire = InvoiceQueryFields.model_validate(dict(data))
        amount = wire.amount
        return cls(type_code=wire.type_code, code=wire.code or "", number=wire.number,
                   issued_on=date.fromisoformat(wire.issued_on),
                   amount=None if amount in (None, "") else Decimal(amount),
                   check_code_last6=wire.check_code_last6)


# --- taxpayer records (issue #10): queued by the kiosk, applied by the central --------

#: Consent to send the credit rating to a bank (银税互动), or its withdrawal.
CREDIT_CONSENT_KIND = "credit.consent"
#: An application for the 中国税收居民身份证明.
RESIDENCE_APPLICATION_KIND = "residence.application"
_TIN_PATTERN = r"^[0-9A-Z]{15,20}$"


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("needs a UTC offset")
    return value


class CreditConsentPayload(BaseModel):
    """`credit.consent`: the taxpayer (`tin`) grants (`granted` true) or withdraws
    (false) consent to send their credit rating to `bank`, at `at` (ISO with
    offset). The newest record per taxpayer counts."""

    model_config = ConfigDict(extra="ignore")

    tin: str = Field(pattern=_TIN_PATTERN)
    bank: str = Field(min_length=1, max_length=100)
    granted: bool
    at: datetime

    _at_aware = field_validator("at")(_aware)


class ResidenceApplicationPayload(BaseModel):
    """`residence.application`: tax residence certificate for `year` to show in
    `country` (country or region), with the `reason` and the `income_types`; `at`
    when it was submitted (ISO with offset). Its number is
    `residence_application_number(payload)`, which the kiosk prints at once."""

    model_config = ConfigDict(extra="ignore")

    tin: str = Field(pattern=_TIN_PATTERN)
    year: int = Field(ge=1990, le=2100)
    country: str = Field(min_length=1, max_length=100)
    reason: str = Field(min_length=1, max_length=500)
    income_types: list[str] = Field(min_length=1, max_length=20)
    at: datetime

    _at_aware = field_validator("at")(_aware)

    @field_validator("income_types")
    @classmethod
    def _short_texts(cls, value: list[str]) -> list[str]:
        if not all(0 < len(item.strip()) <= 50 for item in value):
            raise ValueError("each income type is 1-50 characters")
        return [item.strip() for item in value]


#: How many working days a residence certificate takes (the receipt's expected date).
RESIDENCE_WORKING_DAYS = 10
_CHINA = timezone(timedelta(hours=8))


def residence_application_number(payload: Mapping[str, Any]) -> str:
    """The application number of a `residence.application` payload, the same on the
    kiosk (printed at once, also offline) and in the central's register: "SR", the
    submission date in China (YYYYMMDD) and 8 digits of the SHA-256 of the payload's
    canonical JSON. The same payload always gets the same number (a resend is the
    same application)."""
    checked = ResidenceApplicationPayload.model_validate(dict(payload))
    canonical = json.dumps(checked.model_dump(mode="json"), sort_keys=True,
                           separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    digits = int.from_bytes(hashlib.sha256(canonical).digest()[:8], "big") % 10**8
    return f"SR{checked.at.astimezone(_CHINA):%Y%m%d}{digits:08d}"


def residence_expected_on(submitted: date) -> date:
    """When a residence certificate applied for on `submitted` is expected: after
    RESIDENCE_WORKING_DAYS working days (Monday to Friday; holidays not counted)."""
    day, left = submitted, RESIDENCE_WORKING_DAYS
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


# One field set: the typed query and its wire form name the same fields.
assert [f.name for f in fields(InvoiceQuery)] == list(InvoiceQueryFields.model_fields)


def readable_errors(errors: Iterable[Mapping[str, Any]]) -> str:
    """Pydantic (or FastAPI) validation errors as one line: `where: what; ...`, with
    the request part (body, query, path, header) left out of each location."""
    parts = []
    for error in errors:
        loc = [str(p) for p in error.get("loc", ())]
        if loc and loc[0] in ("body", "query", "path", "header"):
            loc = loc[1:]
        where = ".".join(loc) or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


# --- Consultation and ideas (issue #13 §3): queued records of `consult.callback` and
# `suggestion.box`. The kiosk builds these payloads; the central's record kinds
# (central/kinds/consult_callback.py, central/kinds/suggestion.py) parse them with the
# same models.

#: The record kind of a queued callback request (kiosk service `consult.callback`).
CONSULT_CALLBACK_KIND = "consult.callback"
#: The record kind of a queued suggestion (kiosk service `suggestion.box`).
SUGGESTION_KIND = "suggestion"
#: Topics a callback may be about (the screen names them in both languages).
CALLBACK_TOPICS = ("iit", "invoice", "vat", "social_insurance", "property", "other")
#: When the taxpayer wants to be called (hall time).
CALLBACK_WINDOWS = ("morning", "afternoon", "any")
#: What a suggestion is about.
SUGGESTION_CATEGORIES = ("service", "terminal", "hall", "policy", "idea")
CALLBACK_TEXT_MAX = 200
SUGGESTION_TEXT_MAX = 500
#: A mainland mobile number (11 digits from 13-19) or a landline with its area code.
PHONE_PATTERN = r"^(1[3-9][0-9]{9}|0[1-9][0-9]{8,10})$"
#: Prefixes of the numbers derived from a request: 工单号 and 意见受理号.
TICKET_PREFIX = "GD"
SUGGESTION_PREFIX = "YJ"
#: Digits after the prefix: 11 derived from the request id and 1 Luhn check digit.
DERIVED_DIGITS = 12


def _luhn_digit(digits: str) -> str:
    """The Luhn check digit of `digits` (catches every single-digit typo and most
    swaps of neighbours when a number is typed back on the keypad)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def derived_number(prefix: str, request_id: str) -> str:
    """The number a person reads, keeps and types back for a queued request, the same
    on the kiosk (printed at once, offline too) and on the central service (computed
    from the synced payload): `prefix` + 11 digits + 1 Luhn check digit.

    The 11 digits are the first 48 bits of SHA-256 over the 16 bytes of the request's
    UUID (`request_id`, a fresh uuid4 the kiosk puts in the payload) modulo 10^11, as
    for kiosk.services.views.short_reference; the hash is salted with the prefix, so a
    ticket and a suggestion never share digits. Collisions are possible (about
    n²/2·10⁻¹¹ among n requests); the central service then answers the number as
    ambiguous instead of showing one person's replies to another."""
    raw = uuid.UUID(request_id.strip()).bytes
    value = int.from_bytes(hashlib.sha256(prefix.encode() + raw).digest()[:6], "big")
    body = f"{value % 10 ** (DERIVED_DIGITS - 1):0{DERIVED_DIGITS - 1}d}"
    return prefix + body + _luhn_digit(body)


def number_shape_ok(prefix: str, number: str) -> bool:
    """Whether `number` has the shape `derived_number` makes (prefix, 12 digits, the
    check digit right): typed numbers are checked before any look-up."""
    digits = number[len(prefix):] if number.upper().startswith(prefix) else number
    return (len(digits) == DERIVED_DIGITS and digits.isdigit()
            and _luhn_digit(digits[:-1]) == digits[-1])


def normalise_number(prefix: str, typed: str) -> str:
    """A typed number in its printed form: digits only get the prefix, spaces go."""
    text = "".join(typed.split()).upper()
    return text if text.startswith(prefix) else prefix + text


class CallbackPayload(BaseModel):
    """The payload of a record of kind CONSULT_CALLBACK_KIND: the 12366 callback
    request. `phone` travels in full (the central service must call it back); every
    screen and slip masks it (kiosk.domain.masking)."""

    model_config = ConfigDict(extra="forbid")

    request_id: str = Field(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                                    r"[0-9a-f]{12}$",
                            description="a fresh UUID; the 工单号 is derived from it")
    topic: str
    phone: str = Field(pattern=PHONE_PATTERN)
    window: str
    text: str = Field(default="", max_length=CALLBACK_TEXT_MAX)
    lang: str = Field(default="zh", pattern=r"^(zh|en)$")
    at: str = Field(max_length=40, description="when it was asked, ISO 8601")

    @field_validator("topic")
    @classmethod
    def _topic(cls, value: str) -> str:
        if value not in CALLBACK_TOPICS:
            raise ValueError(f"one of {', '.join(CALLBACK_TOPICS)}")
        return value

    @field_validator("window")
    @classmethod
    def _window(cls, value: str) -> str:
        if value not in CALLBACK_WINDOWS:
            raise ValueError(f"one of {', '.join(CALLBACK_WINDOWS)}")
        return value

    @property
    def ticket(self) -> str:
        return derived_number(TICKET_PREFIX, self.request_id)


class SuggestionPayload(BaseModel):
    """The payload of a record of kind SUGGESTION_KIND (意见建议 / 创意征集); `contact`
    (a phone number) is optional and masked wherever it is shown."""

    model_config = ConfigDict(extra="forbid")

    request_id: str = Field(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                                    r"[0-9a-f]{12}$")
    category: str
    text: str = Field(min_length=1, max_length=SUGGESTION_TEXT_MAX)
    contact: str | None = Field(default=None, pattern=PHONE_PATTERN)
    at: str = Field(max_length=40)

    @field_validator("category")
    @classmethod
    def _category(cls, value: str) -> str:
        if value not in SUGGESTION_CATEGORIES:
            raise ValueError(f"one of {', '.join(SUGGESTION_CATEGORIES)}")
        return value

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value

    @property
    def receipt(self) -> str:
        return derived_number(SUGGESTION_PREFIX, self.request_id)


# --- The tax school (税务学堂): reference data of kind `course` -------------------------

#: Reference-data kind of a course (key: the course id, e.g. "2026-iit-annual").
COURSE_KIND = "course"
#: Booking numbers (online, assigned by the central service): "KC" + 12 digits.
BOOKING_PREFIX = "KC"


class CourseBody(BaseModel):
    """The body of a reference item of kind COURSE_KIND, as the central service stores
    it and the kiosk shows it: titles and summaries in both languages, the day and
    time (hall time), where (a room of the hall, or online with a link text), and the
    seats. Seats left are counted by the central service, never in the item."""

    model_config = ConfigDict(extra="ignore")

    title_zh: str = Field(min_length=1, max_length=100)
    title_en: str = Field(min_length=1, max_length=200)
    summary_zh: str = Field(default="", max_length=400)
    summary_en: str = Field(default="", max_length=800)
    date: _dt.date
    start: str = Field(pattern=r"^[0-2][0-9]:[0-5][0-9]$")
    end: str = Field(pattern=r"^[0-2][0-9]:[0-5][0-9]$")
    online: bool = False
    place_zh: str = Field(default="", max_length=100)
    place_en: str = Field(default="", max_length=200)
    teacher_zh: str = Field(default="", max_length=50)
    teacher_en: str = Field(default="", max_length=100)
    seats: int = Field(ge=1, le=100_000)


# --- Payments (issue #11): the queued record of money taken at the kiosk --------------

#: The record kind that tells the central service what a kiosk payment paid
#: (kiosk.payments.record builds it, central/kinds/tax_payment.py books it).
TAX_PAYMENT_KIND = "tax.payment"
#: Item kinds a payment may settle (kiosk.payments.model.ITEM_KINDS).
PAYMENT_ITEM_KINDS = ("arrear", "vehicle", "iit_annual", "social_insurance", "on_behalf")
_MONEY_PATTERN = r"^[0-9]{1,12}(\.[0-9]{1,2})?$"


class TaxPaymentItemFields(BaseModel):
    """One paid item: its kind and key (`ref`; for an arrear the tax kind), the period
    (YYYYMM), the tax and the 滞纳金 in yuan as text, and the label the voucher
    prints as 税(品)目."""

    model_config = ConfigDict(extra="ignore")

    kind: str
    ref: str = Field(min_length=1, max_length=64)
    period: str = Field(pattern=r"^[0-9]{4}(0[1-9]|1[0-2])$")
    tax: str = Field(pattern=_MONEY_PATTERN)
    late_fee: str = Field(default="0", pattern=_MONEY_PATTERN)
    label_zh: str = Field(min_length=1, max_length=50)
    label_en: str = Field(default="", max_length=100)
    due_on: str | None = Field(default=None, max_length=10)

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if value not in PAYMENT_ITEM_KINDS:
            raise ValueError(f"one of {', '.join(PAYMENT_ITEM_KINDS)}")
        return value


class TaxPaymentPayload(BaseModel):
    """The payload of a record of kind TAX_PAYMENT_KIND: money the kiosk has taken
    (`method` card or qr) for `tin`, order `order_id` (the kiosk's; the central
    records each order once). `paid_fen` is the amount charged: deliberately not
    named `amount_fen`, which the offline exposure sums (money already taken is not
    a risk the limits cap). `bank`: the terminal's or acquirer's fields (masked card,
    trace, reference, ...); `business`: what the service files with it (a return, a
    vehicle filing, social insurance months)."""

    model_config = ConfigDict(extra="ignore")

    order_id: str = Field(pattern=r"^[0-9A-Za-z_-]{8,32}$")
    tin: str = Field(pattern=_TIN_PATTERN)
    service_id: str = Field(min_length=1, max_length=64)
    method: str = Field(pattern=r"^(card|qr)$")
    paid_fen: int = Field(ge=1, le=10**10 - 1)
    paid_at: datetime
    items: list[TaxPaymentItemFields] = Field(min_length=1, max_length=50)
    business: dict[str, Any] = Field(default_factory=dict)
    bank: dict[str, str | None] = Field(default_factory=dict)

    _at_aware = field_validator("paid_at")(_aware)

    @field_validator("bank")
    @classmethod
    def _masked_only(cls, value: dict[str, str | None]) -> dict[str, str | None]:
        card = value.get("card_masked") or ""
        # Only the masked form may travel: first 6, stars, last 4 (or nothing).
        if card and not (len(card) <= 19 and card[:6].isdigit() and card[-4:].isdigit()
                         and set(card[6:-4]) <= {"*"} and "*" in card):
            raise ValueError("card_masked must be masked (621483******9012)")
        if any(v is not None and len(v) > 64 for v in value.values()):
            raise ValueError("bank fields are at most 64 characters")
        return value

    def items_total_fen(self) -> int:
        return sum(int((Decimal(i.tax) + Decimal(i.late_fee)) * 100) for i in self.items)


def voucher_number(order_id: str, index: int) -> str:
    """The 税票号 (voucher number) of the `index`-th line (from 1) of a recorded
    payment: 16 digits derived from the order id and a 2-digit line number, so the
    same order always yields the same numbers (a resent record books nothing new)."""
    digest = int.from_bytes(hashlib.sha256(b"voucher|" + order_id.encode()).digest()[:8],
                            "big")
    return f"3{digest % 10**15:015d}{index:02d}"


# --- invoice pickup and courier dispatch (issue #12) ------------------------------------

INVOICE_ISSUE_KIND = "invoice.issue"
#: Invoice kinds the dispenser holds (offline_queue.invoice_rules.INVOICE_KINDS).
ISSUE_INVOICE_KINDS = ("增值税普通发票", "通用机打发票", "增值税专用发票", "定额发票")


class IssuedBox(BaseModel):
    """One range that left a cassette: taken by the taxpayer (or packed for the
    courier), or retracted into the reject bin."""

    model_config = ConfigDict(extra="forbid")

    invoice_kind: str
    code: str = Field(pattern=r"^([0-9]{10}|[0-9]{12})$")
    first: int = Field(ge=1, le=99_999_999)
    last: int = Field(ge=1, le=99_999_999)
    taken: bool
    cassette: int = Field(ge=1, le=4)

    @field_validator("invoice_kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if value not in ISSUE_INVOICE_KINDS:
            raise ValueError(f"one of {', '.join(ISSUE_INVOICE_KINDS)}")
        return value

    @field_validator("last")
    @classmethod
    def _order(cls, value: int, info: Any) -> int:
        first = info.data.get("first")
        if first is not None and value < first:
            raise ValueError("last must not be below first")
        return value


class InvoiceIssuePayload(BaseModel):
    """The payload of a record of kind INVOICE_ISSUE_KIND: a pickup at the terminal
    (method 02) or a courier dispatch (method 03, with the waybill). `pickup_id` makes
    the record idempotent: the central marks each pickup's ranges once."""

    model_config = ConfigDict(extra="forbid")

    pickup_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    application_no: str = Field(pattern=r"^[0-9A-Za-z-]{1,32}$")
    method: str = Field(pattern=r"^0[23]$")
    boxes: list[IssuedBox] = Field(min_length=1, max_length=200)
    waybill: str = Field(default="", pattern=r"^[0-9A-Za-z-]{0,40}$")
    offline: bool = False
    at: str = Field(max_length=40)


# --- 个人所得税综合所得年度汇算 (issue #11 §1, central/kinds/iit_return.py) -------------

IIT_ANNUAL_RETURN_KIND = "iit.annual_return"
IIT_RETURN_PREFIX = "SB"  # 申报序号: SB + 12 digits derived from the return's id
_SIGNED_MONEY = r"^-?[0-9]{1,12}(\.[0-9]{1,2})?$"


class IitAnnualReturnPayload(BaseModel):
    """The payload of a record of kind IIT_ANNUAL_RETURN_KIND: an annual return filed
    at the kiosk for `tin` and `year` with the figures the taxpayer confirmed and the
    computation shown (yuan as text; `balance` negative for a refund). `result` is
    pay | refund | nothing and `amount` what is paid or refunded. Its 申报序号 is
    `iit_return_number(payload)` (printed on the receipt at once); `return_id` makes
    the record idempotent."""

    model_config = ConfigDict(extra="forbid")

    return_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    tin: str = Field(pattern=_TIN_PATTERN)
    year: int = Field(ge=2019, le=2100)
    wages: str = Field(pattern=_MONEY_PATTERN)
    labour: str = Field(pattern=_MONEY_PATTERN)
    royalties: str = Field(pattern=_MONEY_PATTERN)
    withheld: str = Field(pattern=_MONEY_PATTERN)
    special_additional: str = Field(pattern=_MONEY_PATTERN)
    social_insurance: str = Field(pattern=_MONEY_PATTERN)
    income: str = Field(pattern=_MONEY_PATTERN)
    taxable: str = Field(pattern=_MONEY_PATTERN)
    tax: str = Field(pattern=_MONEY_PATTERN)
    balance: str = Field(pattern=_SIGNED_MONEY)
    result: str = Field(pattern=r"^(pay|refund|nothing)$")
    amount: str = Field(pattern=_MONEY_PATTERN)
    exempt_reason: str | None = Field(default=None, pattern=r"^(income|balance)$")
    at: datetime

    _at_aware = field_validator("at")(_aware)


def iit_return_number(payload: Mapping[str, Any]) -> str:
    """The 申报序号 of an `iit.annual_return` payload, the same on the kiosk's receipt
    and at the central service."""
    return derived_number(IIT_RETURN_PREFIX, str(payload.get("return_id", "")))
