"""Certificates on A4 (printing.certificate): the real forms' fields are in the PDF's
text as a reader extracts it, the total in figures and in capitals, the QR reads back
from the rendered page, and the preview PNG shows the same page (issue #10 §4)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bench.certificate import sample_certificate
from printing.certificate import certificate_document, yuan
from printing.chinese_amount import amount_in_chinese_capitals
from printing.pdf_read import pdf_pages_text, pdf_qr_codes, pdf_text
from printing.pdf_render import page_count, render_pdf
from printing.preview import render_a4_png

PRINTED = datetime(2026, 1, 15, 10, 30)


@pytest.fixture(autouse=True)
def _application(qapp: object) -> None:
    """pytest-qt's QApplication first: rendering would otherwise make a bare
    QGuiApplication, which the widget tests after this module cannot use."""


def person_record() -> dict[str, Any]:
    cert = sample_certificate()
    cert |= {"kind": "record", "taxpayer": {"tin": "1****************4", "name": "张*丰"},
             "rows": cert["rows"][:3], "period_from": "202501", "period_to": "202503"}
    cert["total"] = str(sum(Decimal(r["amount"]) for r in cert["rows"]))
    return cert


@pytest.mark.parametrize(("amount", "words"), [
    ("1234.56", "壹仟贰佰叁拾肆元伍角陆分"), ("100.10", "壹佰元零壹角"),
    ("1.05", "壹元零伍分"), ("1130.00", "壹仟壹佰叁拾元整"), ("10000.00", "壹万元整"),
    ("0.05", "伍分")])
def test_capitals_vectors(amount: str, words: str) -> None:
    assert amount_in_chinese_capitals(amount) == words


def test_a_table_certificate_carries_the_real_fields(tmp_path: Path) -> None:
    cert = sample_certificate()
    pdf = render_pdf(certificate_document(cert, printed_at=PRINTED, kiosk_id="K-1"),
                     tmp_path / "c.pdf")
    pages = pdf_pages_text(pdf)
    assert len(pages) == 1  # 12 payments fit one A4 page
    text = pages[0]
    for field in ("税收完税证明", "（表格式）", f"No. {cert['number']}", "填发日期：2026年01月15日",
                  "税务机关：国家税务总局北京市朝阳区税务局", "纳税人识别号", "91110105MA01DEMO9X",
                  "纳税人名称", "北京示例科技有限公司", "2025年01月 至 2025年12月", "原凭证号",
                  "税种", "税款所属时期", "入(退)库日期", "实缴(退)金额", "金额合计",
                  "验证码：ABCD-2345-EFGH-6789", "K-1"):
        assert field in text, field
    total = Decimal(cert["total"])
    assert f"（大写）{amount_in_chinese_capitals(total)}" in text
    assert f"¥{yuan(total)}" in text
    for row in cert["rows"]:
        assert row["voucher_no"] in text and yuan(row["amount"]) in text
    assert pdf_qr_codes(pdf) == [cert["qr_text"]]


def test_a_document_certificate_and_its_capitals(tmp_path: Path) -> None:
    cert = sample_certificate()
    cert |= {"kind": "document", "rows": [dict(cert["rows"][0], amount="1234.56")],
             "total": "1234.56"}
    text = pdf_text(render_pdf(certificate_document(cert), tmp_path / "d.pdf"))
    assert "（文书式）" in text and "壹仟贰佰叁拾肆元伍角陆分" in text
    assert "¥1,234.56" in text and "2025年01月" in text


def test_a_record_prints_the_masked_person_and_english_labels(tmp_path: Path) -> None:
    cert = person_record()
    text = pdf_text(render_pdf(certificate_document(cert, lang="en"), tmp_path / "r.pdf"))
    for field in ("纳税记录", "Tax payment record", "纳税人姓名", "张*丰", "居民身份证",
                  "1****************4", "2025年01月 至 2025年03月", "Verification code",
                  "本纳税记录不作为纳税人记账、抵扣凭证。"):
        assert field in text, field


def test_many_payments_continue_on_a_second_page(tmp_path: Path) -> None:
    cert = sample_certificate()
    cert["rows"] = cert["rows"] * 4
    cert["total"] = str(sum(Decimal(r["amount"]) for r in cert["rows"]))
    doc = certificate_document(cert)
    pdf = render_pdf(doc, tmp_path / "long.pdf")
    pages = pdf_pages_text(pdf)
    assert len(pages) == page_count(doc) == 2 and "1 / 2" in pages[0]
    assert sum(p.count(cert["rows"][0]["voucher_no"]) for p in pages) == 4


def test_the_preview_is_the_printed_page(tmp_path: Path) -> None:
    from PIL import Image

    png = render_a4_png(certificate_document(sample_certificate()), tmp_path / "p.png", dpi=96)
    with Image.open(png) as img:
        assert img.size == (794, 1123)  # A4 at 96 dpi
        assert img.convert("L").getextrema()[0] < 50  # something is drawn in black


@pytest.mark.parametrize("broken", [{"kind": "receipt"}, {"rows": []}, {"total": "abc"}])
def test_bad_certificates_are_refused(broken: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        certificate_document(sample_certificate() | broken)
