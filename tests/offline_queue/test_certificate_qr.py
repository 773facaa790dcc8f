"""The certificate QR format (offline_queue.certificates): signing and offline
verification, and each way a QR fails: an altered amount, a QR signed by another key,
an unknown or retired key, a damaged text (issue #10 §4, §6)."""
from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.domain.masking import mask
from offline_queue.certificates import (
    QR_PREFIX,
    CertificateError,
    CertificateSummary,
    b64url,
    canonical_body,
    group_check_code,
    key_id,
    masked_taxpayer,
    new_check_code,
    normalise_check_code,
    paper_id_number,
    paper_name,
    parse_qr,
    public_key_bytes,
    reference_body,
    sign_summary,
    verify_qr,
)

ISSUER = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
KID = key_id(public_key_bytes(ISSUER))
KEYS = {KID: reference_body(public_key_bytes(ISSUER), date(2026, 1, 1))}


def summary(**changes: Any) -> CertificateSummary:
    fields: dict[str, Any] = dict(
        number="202606152123456789", kind="table", taxpayer="张*丰",
        taxpayer_id="1****************4", tax_kinds=("个人所得税",),
        period="202505-202604", total="14225.60", issued_on="2026-06-15",
        tax_office="国家税务总局北京市朝阳区税务局", key_id=KID)
    fields.update(changes)
    return CertificateSummary(**fields)


def test_a_signed_qr_verifies_with_the_issuers_public_key() -> None:
    qr = sign_summary(ISSUER, summary())
    assert qr.startswith(QR_PREFIX) and "=" not in qr and len(qr) < 1000
    assert verify_qr(qr, KEYS) == summary()


def test_an_altered_amount_fails_the_signature() -> None:
    qr = sign_summary(ISSUER, summary())
    _summary, body, signature = parse_qr(qr)
    data = json.loads(body)
    data["a"] = "94225.60"
    forged = f"{QR_PREFIX}{b64url(canonical_body(data))}.{b64url(signature)}"
    with pytest.raises(CertificateError) as info:
        verify_qr(forged, KEYS)
    assert info.value.code == "certificate.bad_signature"


def test_a_qr_signed_by_another_key_is_refused() -> None:
    stranger = Ed25519PrivateKey.generate()
    # Claims the issuer's key id but is signed by another key: the signature fails.
    body = canonical_body(summary().body())
    forged = f"{QR_PREFIX}{b64url(body)}.{b64url(stranger.sign(body))}"
    with pytest.raises(CertificateError) as info:
        verify_qr(forged, KEYS)
    assert info.value.code == "certificate.bad_signature"
    # Signed honestly by its own key, which this verifier does not hold.
    own = sign_summary(stranger, summary(key_id=key_id(public_key_bytes(stranger))))
    with pytest.raises(CertificateError) as info:
        verify_qr(own, KEYS)
    assert info.value.code == "certificate.unknown_key"


def test_a_retired_key_verifies_what_it_signed_before_and_nothing_after() -> None:
    retired = {KID: reference_body(public_key_bytes(ISSUER), date(2026, 1, 1),
                                   valid_until=date(2026, 6, 30))}
    assert verify_qr(sign_summary(ISSUER, summary(issued_on="2026-06-30")), retired)
    for day in ("2026-07-01", "2025-12-31"):
        with pytest.raises(CertificateError) as info:
            verify_qr(sign_summary(ISSUER, summary(issued_on=day)), retired)
        assert info.value.code == "certificate.key_expired"


def test_a_malformed_key_in_the_reference_data_verifies_nothing() -> None:
    qr = sign_summary(ISSUER, summary())
    with pytest.raises(CertificateError) as info:
        verify_qr(qr, {KID: {"public_key": "not base64!", "valid_from": "2026-01-01"}})
    assert info.value.code == "certificate.unknown_key"


@pytest.mark.parametrize("text", [
    "", "CERT1:", "CERT1:abc", "CERT1:a.b.c", "CERT1:!!!.AAAA", "CERT2:abc.def",
    f"CERT1:{b64url(b'not json')}.{b64url(bytes(64))}",
    f"CERT1:{b64url(b'[1,2]')}.{b64url(bytes(64))}",
    f"CERT1:{b64url(canonical_body({'n': '1'}))}.{b64url(bytes(64))}",
    "CERT1:" + "A" * 5000 + ".AAAA",
])
def test_damaged_texts_are_refused_as_damaged(text: str) -> None:
    with pytest.raises(CertificateError) as info:
        verify_qr(text, KEYS)
    assert info.value.code == "certificate.damaged"


def test_signing_with_a_key_the_summary_does_not_name_is_refused() -> None:
    with pytest.raises(ValueError):
        sign_summary(Ed25519PrivateKey.generate(), summary())


def test_check_codes() -> None:
    code = new_check_code()
    assert len(code) == 16 and normalise_check_code(code) == code
    grouped = group_check_code(code)
    assert len(grouped) == 19 and normalise_check_code(grouped.lower()) == code
    assert normalise_check_code(" ".join(grouped.split("-"))) == code
    for bad in ("", "ABCD", "0000111122223333", "ABCDEFGHJKMNPQR!", "A" * 17):
        assert normalise_check_code(bad) is None
    assert len({new_check_code() for _ in range(200)}) == 200


@pytest.mark.parametrize("name", ["张三丰", "张三", "欧阳娜娜", "买买提·艾力", "张", "John Smith"])
def test_paper_masking_matches_the_kiosk_table(name: str) -> None:
    assert paper_name(name) == mask("name", name, "paper")


@pytest.mark.parametrize("number", ["110105199001011234", "11010519491231002X"])
def test_paper_id_masking_matches_the_kiosk_table(number: str) -> None:
    assert paper_id_number(number) == mask("id_number", number, "paper")
    assert paper_id_number("110105199001011234") == "1****************4"


def test_an_enterprise_is_printed_in_full() -> None:
    assert masked_taxpayer("enterprise", "北京示例科技有限公司", "91110108MA01ABCD2X") == (
        "北京示例科技有限公司", "91110108MA01ABCD2X")
    assert masked_taxpayer("person", "张三丰", "110105199001011234") == (
        "张*丰", "1****************4")
