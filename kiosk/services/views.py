"""View models of results, built once in the Qt-free core and rendered by both the
screen (ui/flow) and the printed slip (kiosk.services.slips): the two can no longer
say different things about the same result.

A view is built for one language (`lang` is "zh" or "en"); a screen builds it again
from the same state when the language switches, so nothing it shows stays in the old
language. Also here: the short reference a taxpayer reads out or writes down.
"""
from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from ..domain import (
    FIELD_LABELS,
    VerificationOutcome,
    VerificationQuery,
    VerificationResult,
    outcome_label,
    type_name,
)

Tone = Literal["good", "warning", "bad", "neutral"]


@dataclass(frozen=True)
class Row:
    """One (label, value) line; `key` lets a renderer leave out what it shows elsewhere
    (the slip prints the invoice type and number in its own header lines)."""

    key: str
    label: str
    value: str


@dataclass(frozen=True)
class ResultView:
    title: str  # the headline, e.g. the platform's outcome name
    tone: Tone
    rows: tuple[Row, ...] = ()
    notes: tuple[str, ...] = ()  # whole sentences under the rows
    note_label: str = ""  # the label a slip prints before each note

    def pairs(self, *, skip: frozenset[str] | set[str] = frozenset()) -> list[tuple[str, str]]:
        return [(r.label, r.value) for r in self.rows if r.key not in skip]

    def text(self) -> str:
        """Rows and notes as lines, as the screen shows them."""
        return "\n".join([f"{r.label}: {r.value}" for r in self.rows] + list(self.notes))


@dataclass(frozen=True)
class ListItemView:
    """One entry of a list/detail screen: its tile shows title and summary, the detail
    pane the view."""

    key: str
    title: str
    summary: str
    detail: ResultView = field(default_factory=lambda: ResultView("", "neutral"))


def pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def labeller(table: Mapping[str, tuple[str, str]], lang: str) -> Callable[[str], str]:
    """`label(key)`: the `lang` words of `table[key]` (a service's LABELS, zh and en)."""
    return lambda key: pick(table[key], lang)


def surface_of(surface: str) -> Literal["paper", "screen"]:
    """A view's `surface` as masking knows it: paper, or else the screen."""
    return "paper" if surface == "paper" else "screen"


# Labels of the verification rows (zh, en).
LABELS: dict[str, tuple[str, str]] = {
    "type": ("发票种类", "Invoice type"),
    "amount": ("金额（不含税）", "Amount before tax"),
    "total": ("价税合计", "Total incl. tax"),
    "seller": ("销售方", "Seller"),
    "mismatch": ("不一致的项目", "Field that does not match"),
    "note": ("说明", "Note"),
    "reference": ("受理编号", "Reference"),
}
NOTES: dict[VerificationOutcome, tuple[str, str]] = {
    VerificationOutcome.TOO_MANY_CHECKS: (
        "同一张发票每天最多查验 5 次。请明天再试。",
        "An invoice can be checked at most 5 times a day. Please try again tomorrow."),
    VerificationOutcome.OUT_OF_PERIOD: (
        "发票可在开具次日起 5 年内查验。",
        "Invoices can be checked from the day after issue and for 5 years."),
}
_GOOD = frozenset({VerificationOutcome.GENUINE})
_BAD = frozenset({VerificationOutcome.MISMATCH, VerificationOutcome.NOT_FOUND,
                  VerificationOutcome.VOID, VerificationOutcome.RED_FLUSHED,
                  VerificationOutcome.ABNORMAL})


def verification_view(query: VerificationQuery, result: VerificationResult, lang: str,
                      reference: str | None = None) -> ResultView:
    """What a verification result says, for the screen and the slip alike. `reference`
    is the record's UUID when the result came back through the queue; people see its
    short form."""
    def label(key: str) -> str:
        return pick(LABELS[key], lang)

    def field_label(key: str) -> str:
        return pick(FIELD_LABELS[key], lang)

    rows = [Row("type", label("type"), type_name(query.type_code, lang))]
    if query.code:
        rows.append(Row("code", field_label("code"), query.code))
    rows += [Row("number", field_label("number"), query.number),
             Row("issued_on", field_label("issued_on"), query.issued_on.isoformat())]
    invoice = result.invoice or {}
    if invoice.get("amount"):
        rows.append(Row("amount", label("amount"), f"¥{invoice['amount']}"))
    if invoice.get("total"):
        rows.append(Row("total", label("total"), f"¥{invoice['total']}"))
    if invoice.get("seller_name"):
        rows.append(Row("seller", label("seller"), str(invoice["seller_name"])))
    if result.mismatch_field:
        name = result.mismatch_field
        rows.append(Row("mismatch", label("mismatch"),
                        field_label(name) if name in FIELD_LABELS else name))
    if reference:
        rows.append(Row("reference", label("reference"), short_reference(reference)))
    notes = (pick(NOTES[result.outcome], lang),) if result.outcome in NOTES else ()
    tone: Tone = ("good" if result.outcome in _GOOD else
                  "bad" if result.outcome in _BAD else "warning")
    return ResultView(outcome_label(result.outcome, lang), tone, tuple(rows), notes,
                      label("note"))


SHORT_REFERENCE_DIGITS = 12


def short_reference(record_uuid: str) -> str:
    """The short reference of a queued record: 12 decimal digits in groups of 4
    ("4821 0937 5516"), for people to read out, write down or type.

    Derivation: the first 40 bits (5 bytes) of SHA-256 over the UUID's 16 raw bytes, as
    an unsigned big-endian integer, modulo 10^12, zero-padded to 12 digits. The same
    UUID always gives the same reference, in either spelling (with or without hyphens,
    any case). The UUID stays the record's identity: the slip's QR and every lookup
    carry it. Two records share a short reference with a chance of about n²/2·10⁻¹²
    (n records on one kiosk), so a person-facing lookup by short reference must be
    confirmed against the record; it never replaces the UUID. Text that is not a UUID
    (never produced by the outbox) is hashed as given, so the function never fails.
    """
    try:
        raw = uuid.UUID(record_uuid.strip()).bytes
    except (ValueError, AttributeError):
        raw = str(record_uuid).encode()
    number = int.from_bytes(hashlib.sha256(raw).digest()[:5], "big") % 10**SHORT_REFERENCE_DIGITS
    digits = f"{number:0{SHORT_REFERENCE_DIGITS}d}"
    return " ".join(digits[i:i + 4] for i in range(0, SHORT_REFERENCE_DIGITS, 4))
