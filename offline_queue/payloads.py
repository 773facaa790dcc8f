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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date
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
