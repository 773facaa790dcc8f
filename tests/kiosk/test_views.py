"""Result view models (kiosk.services.views): one view, rendered by the screen and the
slip; the short reference people read, derived from the record's UUID; the flow kit's
field rules (ui/flow/fields.py, Qt-free)."""
from __future__ import annotations

import hashlib
import re
import uuid
from datetime import date
from decimal import Decimal

import pytest

from kiosk.domain import VerificationOutcome, VerificationQuery, VerificationResult
from kiosk.services.slips import slip_rows
from kiosk.services.views import short_reference, verification_view
from ui.flow.fields import FieldSpec, Kind, check_kind

QUERY = VerificationQuery("01", "3300231130", "00012345", date(2024, 5, 14), Decimal(100))


def test_short_reference_is_twelve_digits_in_groups_of_four_and_documented() -> None:
    ref = "7b616afb-b95e-4182-af0d-375c960db43b"
    short = short_reference(ref)
    assert re.fullmatch(r"\d{4} \d{4} \d{4}", short)
    digest = hashlib.sha256(uuid.UUID(ref).bytes).digest()
    assert short.replace(" ", "") == f"{int.from_bytes(digest[:5], 'big') % 10**12:012d}"
    # Same record, any spelling of its UUID: same reference.
    assert short_reference(ref.upper()) == short == short_reference(ref.replace("-", ""))


def test_short_references_rarely_collide() -> None:
    refs = {short_reference(str(uuid.UUID(int=i * 7919 + 1))) for i in range(20000)}
    assert len(refs) == 20000


def test_one_view_for_screen_and_slip() -> None:
    result = VerificationResult(VerificationOutcome.MISMATCH, mismatch_field="amount",
                                invoice={"amount": "100.00", "total": "113.00",
                                         "seller_name": "某某公司"})
    zh = verification_view(QUERY, result, "zh", "7b616afb-b95e-4182-af0d-375c960db43b")
    en = verification_view(QUERY, result, "en")
    assert zh.title == "不一致" and en.title == "Mismatch" and zh.tone == "bad"
    assert [r.key for r in zh.rows] == ["type", "code", "number", "issued_on", "amount",
                                        "total", "seller", "mismatch", "reference"]
    assert ("不一致的项目", "金额") in zh.pairs()
    # The slip prints the same rows, less the two its header shows itself.
    assert slip_rows(zh) == zh.pairs(skip={"type", "number"})
    assert ("Total incl. tax", "¥113.00") in slip_rows(en)


def test_notes_reach_the_slip_too() -> None:
    view = verification_view(QUERY, VerificationResult(VerificationOutcome.TOO_MANY_CHECKS),
                             "en")
    assert view.tone == "warning" and view.notes
    assert slip_rows(view)[-1] == ("Note", view.notes[0])
    assert view.notes[0] in view.text()


@pytest.mark.parametrize(("kind", "value", "code"), [
    (Kind.DIGITS, "", "required"), (Kind.DIGITS, "12a", "digits.invalid"),
    (Kind.DIGITS, "123", None), (Kind.AMOUNT, "1.234", "amount.invalid"),
    (Kind.AMOUNT, "1024.50", None), (Kind.AMOUNT, ".", "amount.invalid"),
    (Kind.DATE, "20230230", "date.invalid"), (Kind.DATE, "20240229", None),
    (Kind.CODE, "91350100M0001", None), (Kind.CODE, "9135-01", "code.invalid"),
    (Kind.TEXT, "张三", None),
])
def test_field_kinds(kind: Kind, value: str, code: str | None) -> None:
    assert check_kind(FieldSpec("f", kind), value) == code


def test_field_specs_refuse_bad_declarations() -> None:
    assert check_kind(FieldSpec("c", Kind.CHOICE, choices=("a",)), "b") == "choice.invalid"
    assert check_kind(FieldSpec("n", Kind.DIGITS, 3), "1234") == "too_long"
    assert check_kind(FieldSpec("o", Kind.TEXT, required=False), "") is None
    with pytest.raises(ValueError):
        FieldSpec("c", Kind.CHOICE)
    with pytest.raises(ValueError):
        FieldSpec("Bad name", Kind.TEXT)
