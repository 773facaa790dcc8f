"""Tax certificates as A4 `Document`s: 税收完税证明 (文书式 for one payment, 表格式 for a
period) and a natural person's 纳税记录 (a period), with the fields of the real forms
(services.md §2.1, §2.2): 证明号, 填发日期, 税务机关, 纳税人识别号 / 名称, one row per
payment (原凭证号, 税种, 税款所属时期, 入(退)库日期, 实缴(退)金额), the total in figures
and in capitals (大写), the 验证码 and the signed QR.

Privacy: this module prints what it is given. The caller passes the certificate with
its personal data already masked for paper (kiosk.domain.masking, surface "paper":
张*丰, 1****************4); an enterprise's name and USCC are public register data.

The paper proves nothing by itself (a seal can be drawn by anyone): the document says
that its QR and 验证码 are what to check, and carries no seal.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from .chinese_amount import amount_in_chinese_capitals
from .document import Columns, Document, Feed, Grid, GridCell, Heading, QrCode, Rule, Text

Lang = Literal["zh", "en"]
KINDS = ("document", "table", "record")

TITLES: dict[str, tuple[str, str, str]] = {  # kind -> (title, form note, English title)
    "document": ("税收完税证明", "（文书式）", "Tax payment certificate (single payment)"),
    "table": ("税收完税证明", "（表格式）", "Tax payment certificate (for a period)"),
    "record": ("纳税记录", "", "Tax payment record"),
}
NOT_A_VOUCHER = "本证明不作为纳税人记账、抵扣凭证。"
RECORD_NOTE = "本纳税记录不作为纳税人记账、抵扣凭证。"
VERIFY_NOTE = ("电子证明，不加盖印章：请扫描二维码，或在自助办税终端「证明查验」中输入验证码，"
               "以查验结果为准。")
VERIFY_NOTE_EN = ("No seal: scan the QR code or type the code at a tax kiosk "
                  "(Verify a certificate); the check's answer is what counts.")


def yuan(amount: Decimal | str) -> str:
    """1234.5 -> "1,234.50" (figures as forms print them, without the sign)."""
    return f"{_decimal(amount):,.2f}"


def _decimal(amount: Decimal | str) -> Decimal:
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        raise ValueError(f"not an amount: {amount!r}") from None
    if not value.is_finite():
        raise ValueError(f"not an amount: {amount!r}")
    return value


def _cn_date(text: str) -> str:
    """2025-01-15 -> 2025年01月15日 (text passed through when it is not a date)."""
    try:
        d = date.fromisoformat(text)
    except (TypeError, ValueError):
        return str(text)
    return f"{d.year}年{d.month:02d}月{d.day:02d}日"


def _cn_month(period: str) -> str:
    """202401 -> 2024年01月; anything else as it is."""
    return f"{period[:4]}年{period[4:]}月" if len(period) == 6 and period.isdigit() else period


def period_text(period_from: str, period_to: str) -> str:
    if not period_from and not period_to:
        return ""
    if period_from == period_to:
        return _cn_month(period_from)
    return f"{_cn_month(period_from)} 至 {_cn_month(period_to)}"


def _label(zh: str, en: str, lang: Lang) -> str:
    return zh if lang == "zh" else f"{zh}\n{en}"


def certificate_document(cert: Mapping[str, Any], *, lang: Lang = "zh",
                         printed_at: datetime | None = None, kiosk_id: str = "") -> Document:
    """The A4 document of an issued certificate.

    `cert`: `{number, kind, check_code, issued_on (YYYY-MM-DD), tax_office, taxpayer:
    {tin, name, kind?}, rows: [{voucher_no, tax_kind, period, amount, paid_on,
    tax_office?}], total, qr_text, period_from?, period_to?}` with the taxpayer's name
    and number already masked for paper. `printed_at` (hall time) and `kiosk_id` go in
    the footer. ValueError for an unknown kind, a missing field or a bad amount.
    """
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    kind = str(cert.get("kind", ""))
    if kind not in KINDS:
        raise ValueError(f"not a certificate kind: {kind!r}")
    try:
        number = str(cert["number"])
        check_code = str(cert["check_code"])
        issued_on = str(cert["issued_on"])
        office = str(cert["tax_office"])
        taxpayer: Mapping[str, Any] = cert["taxpayer"]
        rows: Sequence[Mapping[str, Any]] = cert["rows"]
        total = _decimal(cert["total"])
        qr_text = str(cert["qr_text"])
    except KeyError as exc:
        raise ValueError(f"the certificate has no {exc.args[0]!r}") from None
    if not rows:
        raise ValueError("a certificate needs at least one payment")
    title, note, title_en = TITLES[kind]
    grouped_code = "-".join(check_code[i:i + 4] for i in range(0, len(check_code), 4))

    doc = Document(title=f"{title} {number}")
    doc.add(Text("中华人民共和国", bold=True, align="center"),
            Heading(title))
    subtitle = " ".join(part for part in (note, title_en if lang == "en" else "") if part)
    if subtitle:
        doc.add(Text(subtitle, align="center"))
    doc.add(Text(f"No. {number}", bold=True, align="right"))
    issued_label, office_label = (("填发日期", "税务机关") if lang == "zh"
                                  else ("填发日期 Issued on", "税务机关 Tax office"))
    doc.add(Columns((f"{issued_label}：{_cn_date(issued_on)}", f"{office_label}：{office}"),
                    widths=(2, 3), aligns=("left", "right")))

    total_words = amount_in_chinese_capitals(total)
    if kind == "record":
        doc.add(_record_grid(taxpayer, rows, cert, total, total_words, lang))
    else:
        doc.add(_payment_grid(kind, taxpayer, rows, cert, office, total, total_words, lang))
    doc.add(Feed(1))
    caption = (f"验证码：{grouped_code}\n{VERIFY_NOTE}" if lang == "zh" else
               f"验证码 Verification code：{grouped_code}\n{VERIFY_NOTE}\n{VERIFY_NOTE_EN}")
    doc.add(QrCode(qr_text, size_mm=32, ec="M", align="left", caption=caption))
    doc.add(Rule())
    footer = [(RECORD_NOTE if kind == "record" else NOT_A_VOUCHER)
              + (" Not an accounting or deduction voucher." if lang == "en" else "")]
    parts = []
    if printed_at is not None:
        parts.append(f"打印时间：{printed_at.strftime('%Y-%m-%d %H:%M:%S')}")
    if kiosk_id:
        parts.append(f"自助办税终端：{kiosk_id}")
    if parts:
        footer.append("    ".join(parts))
    doc.add(Text("\n".join(footer), align="center"))
    return doc


def _payment_grid(kind: str, taxpayer: Mapping[str, Any], rows: Sequence[Mapping[str, Any]],
                  cert: Mapping[str, Any], office: str, total: Decimal, total_words: str,
                  lang: Lang) -> Grid:
    """税收完税证明: taxpayer, 开具期间 (表格式), the 完税详单 rows, the totals, the
    issuing office and the remark."""
    widths = (22, 14, 16, 18, 18)

    def lab(zh: str, en: str) -> GridCell:  # a label cell
        return GridCell(_label(zh, en, lang), bold=True, shaded=True, align="center")

    out: list[tuple[GridCell, ...]] = [
        (lab("纳税人识别号", "TIN"), GridCell(str(taxpayer.get("tin", "")), span=4)),
        (lab("纳税人名称", "Taxpayer"), GridCell(str(taxpayer.get("name", "")), span=4)),
    ]
    if kind == "table":
        span = period_text(str(cert.get("period_from", "")), str(cert.get("period_to", "")))
        out.append((lab("开具期间", "Period"), GridCell(span, span=4)))
    out.append(tuple(lab(zh, en) for zh, en in (
        ("原凭证号", "Voucher no."), ("税种", "Tax kind"), ("税款所属时期", "Tax period"),
        ("入(退)库日期", "Paid on"), ("实缴(退)金额", "Amount (¥)"))))
    for row in rows:
        out.append((GridCell(str(row.get("voucher_no", "")), align="center"),
                    GridCell(str(row.get("tax_kind", "")), align="center"),
                    GridCell(_cn_month(str(row.get("period", ""))), align="center"),
                    GridCell(str(row.get("paid_on", "")), align="center"),
                    GridCell(yuan(row["amount"]), align="right")))
    out.append((lab("金额合计", "Total"), GridCell(f"（大写）{total_words}", span=3),
                GridCell(f"¥{yuan(total)}", bold=True, align="right")))
    out.append((lab("税务机关", "Tax office"), GridCell(f"{office}\n（电子证明，无需盖章）", span=2),
                lab("填票人", "Issued by"), GridCell("自助办税终端")))
    out.append((lab("备注", "Remark"), GridCell(NOT_A_VOUCHER + "妥善保管。", span=4)))
    return Grid(widths, tuple(out))


def _record_grid(taxpayer: Mapping[str, Any], rows: Sequence[Mapping[str, Any]],
                 cert: Mapping[str, Any], total: Decimal, total_words: str,
                 lang: Lang) -> Grid:
    """纳税记录: 纳税人姓名, 身份证件类型/号码, 开具期间, then one row per payment."""
    widths = (15, 15, 35, 15, 17)

    def lab(zh: str, en: str) -> GridCell:  # a label cell
        return GridCell(_label(zh, en, lang), bold=True, shaded=True, align="center")

    span = period_text(str(cert.get("period_from", "")), str(cert.get("period_to", "")))
    out: list[tuple[GridCell, ...]] = [
        (lab("纳税人姓名", "Name"), GridCell(str(taxpayer.get("name", "")), span=2),
         lab("身份证件类型", "ID type"), GridCell("居民身份证")),
        (lab("身份证件号码", "ID number"), GridCell(str(taxpayer.get("tin", "")), span=4)),
        (lab("开具期间", "Period"), GridCell(span, span=4)),
        tuple(lab(zh, en) for zh, en in (
            ("税款所属期", "Tax period"), ("入(退)库日期", "Paid on"),
            ("征收税务机关", "Tax office"), ("税种", "Tax kind"),
            ("实缴(退)金额", "Amount (¥)"))),
    ]
    office = str(cert.get("tax_office", ""))
    for row in rows:
        out.append((GridCell(_cn_month(str(row.get("period", ""))), align="center"),
                    GridCell(str(row.get("paid_on", "")), align="center"),
                    GridCell(str(row.get("tax_office") or office)),
                    GridCell(str(row.get("tax_kind", "")), align="center"),
                    GridCell(yuan(row["amount"]), align="right")))
    out.append((lab("金额合计", "Total"), GridCell(f"（大写）{total_words}", span=3),
                GridCell(f"¥{yuan(total)}", bold=True, align="right")))
    return Grid(widths, tuple(out))
