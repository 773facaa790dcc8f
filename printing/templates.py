"""The slips the kiosk prints, as `Document`s.

Privacy: templates print what they are given. Callers pass personal data already
masked (kiosk.domain.masking: 110***********002X); invoice numbers and company names
are not personal data. Slips carry the Chinese title in every language, because hall
staff read the slip too; English slips add the English title below it.
"""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from .document import Cut, Document, Feed, Heading, KeyValue, QrCode, Rule, Text

Lang = Literal["zh", "en"]

TITLE_VERIFY_ZH = "发票查验结果"
TITLE_VERIFY_EN = "Invoice verification result"
ACCEPTED_ZH = "已受理，联网后自动查验"
ACCEPTED_EN = "Accepted: it will be checked when the network is back"
SCAN_RESULT_ZH = "扫描此码查看结果"
SCAN_RESULT_EN = "Scan this code to see the result"

_LABELS: dict[str, tuple[str, str]] = {
    "invoice_number": ("发票号码", "Invoice number"),
    "invoice_type": ("发票类型", "Invoice type"),
    "outcome": ("查验结果", "Result"),
    "reference": ("受理编号", "Reference"),
    "printed_at": ("打印时间", "Printed at"),
    "kiosk": ("终端编号", "Terminal"),
    "scan_check": ("扫描此码复核查验结果", "Scan this code to check this result again"),
    "keep": ("请妥善保管本凭条", "Please keep this slip"),
    "test_page": ("打印机测试页", "Printer test page"),
}


def _label(key: str, lang: Lang) -> str:
    zh, en = _LABELS[key]
    return zh if lang == "zh" else en


def _check_lang(lang: str) -> None:
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")


def _title(lang: Lang, zh: str, en: str) -> list:
    blocks: list = [Heading(zh)]
    if lang == "en":
        blocks.append(Text(en, bold=True, align="center"))
    return blocks


def _local_time(moment: datetime) -> str:
    """The wall time as given: callers pass hall time (kiosk.hall_time.to_hall), never
    the machine's zone, which may be UTC on a terminal in Beijing."""
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _footer(lang: Lang, printed_at: datetime, kiosk_id: str) -> list:
    return [
        Rule(),
        KeyValue(_label("printed_at", lang), _local_time(printed_at)),
        KeyValue(_label("kiosk", lang), kiosk_id),
        Text(_label("keep", lang), align="center"),
        Feed(1),
        Cut(),
    ]


def verification_slip(
    *,
    lang: Lang,
    invoice_number: str,
    invoice_type: str,
    outcome_label: str,
    detail_rows: list[tuple[str, str]],
    qr_data: str,
    printed_at: datetime,
    kiosk_id: str,
) -> Document:
    """The result of an invoice verification. `detail_rows` are (label, value) pairs,
    already translated and masked by the caller."""
    _check_lang(lang)
    blocks: list = _title(lang, TITLE_VERIFY_ZH, TITLE_VERIFY_EN)
    blocks += [
        Rule(),
        KeyValue(_label("outcome", lang), outcome_label, bold=True),
        KeyValue(_label("invoice_type", lang), invoice_type),
        KeyValue(_label("invoice_number", lang), invoice_number),
    ]
    blocks += [KeyValue(label, value) for label, value in detail_rows]
    blocks += [
        Rule(),
        QrCode(qr_data, size_mm=30),
        Text(_label("scan_check", lang), align="center"),
    ]
    blocks += _footer(lang, printed_at, kiosk_id)
    return Document(blocks, title=f"{TITLE_VERIFY_ZH} {invoice_number}")


def queued_slip(
    *,
    lang: Lang,
    reference: str,
    invoice_number: str,
    qr_data: str,
    printed_at: datetime,
    kiosk_id: str,
) -> Document:
    """Proof that a verification request was accepted offline; scanning its QR code at
    any terminal later shows the result."""
    _check_lang(lang)
    blocks: list = _title(lang, TITLE_VERIFY_ZH, TITLE_VERIFY_EN)
    blocks += [
        Rule(),
        Text(ACCEPTED_ZH if lang == "zh" else ACCEPTED_EN, bold=True, align="center"),
        KeyValue(_label("reference", lang), reference, bold=True),
        KeyValue(_label("invoice_number", lang), invoice_number),
        Rule(),
        QrCode(qr_data, size_mm=30),
        Text(SCAN_RESULT_ZH if lang == "zh" else SCAN_RESULT_EN, align="center"),
    ]
    blocks += _footer(lang, printed_at, kiosk_id)
    return Document(blocks, title=f"{TITLE_VERIFY_ZH} {reference}")


def printer_test_page(*, profile_name: str, printed_at: datetime, kiosk_id: str) -> Document:
    """The maintenance-mode test print: character grid, Chinese text, QR, barcode."""
    return Document(
        [
            Heading(_LABELS["test_page"][0]),
            Text(_LABELS["test_page"][1], align="center"),
            Rule(),
            KeyValue("Profile", profile_name),
            Text("0123456789" * 5),
            Text("中文打印测试：发票查验 办税服务厅 国家税务总局"),
            Text("ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz"),
            Rule("="),
            QrCode(f"TAXKIOSK:TEST:{kiosk_id}", size_mm=25),
            *_footer("zh", printed_at, kiosk_id),
        ],
        title="test page",
    )


def receipt_slip(
    *,
    lang: Lang,
    title_zh: str,
    title_en: str,
    number_label: str,
    number: str,
    headline: str,
    rows: list[tuple[str, str]],
    notes: list[str],
    printed_at: datetime,
    kiosk_id: str,
    qr_data: str | None = None,
) -> Document:
    """A receipt for a request the taxpayer made here (a 12366 callback's 工单号, a
    suggestion's receipt number, a course booking): the number large enough to read
    out, what was asked (`rows`, masked by the caller), and what happens next
    (`notes`). `qr_data`, when given, lets any terminal look the number up again."""
    _check_lang(lang)
    blocks: list = _title(lang, title_zh, title_en)
    blocks += [
        Rule(),
        Text(headline, bold=True, align="center"),
        KeyValue(number_label, number, bold=True),
    ]
    blocks += [KeyValue(label, value) for label, value in rows]
    if notes:
        blocks.append(Rule())
        blocks += [Text(note) for note in notes]
    if qr_data:
        blocks += [Rule(), QrCode(qr_data, size_mm=25)]
    blocks += _footer(lang, printed_at, kiosk_id)
    return Document(blocks, title=f"{title_zh} {number}")
