"""A fully-digital invoice (数电票) on A4 in the invoice layout (domain.md §1, issue #12
§4): title, 发票号码 and 开票日期, the buyer and seller blocks (名称, 统一社会信用代码/
纳税人识别号), one row per line (项目名称, 数量, 单价, 金额, 税率/征收率, 税额), 合计,
价税合计 in capitals and figures, 备注 and the invoice QR. Used for the paper copy of
`invoice.print_digital` (marked as a paper copy with its print count) and the preview
of `invoice.issue_on_behalf` (marked as a preview, no QR).

Privacy: this module prints what it is given; the caller masks a natural person's
name and ID number for paper (kiosk.domain.masking).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from .chinese_amount import amount_in_chinese_capitals
from .document import Columns, Document, Feed, Grid, GridCell, Heading, QrCode, Rule, Text

Lang = Literal["zh", "en"]
TITLE = "电子发票（普通发票）"
TITLE_ON_BEHALF = "电子发票（普通发票）（代开）"


def _yuan(value: Any) -> str:
    return f"{Decimal(str(value)):,.2f}"


def _rate(value: Any) -> str:
    rate = Decimal(str(value))
    return "免税" if rate == 0 else f"{(rate * 100).normalize():f}%"


def _lab(zh: str, en: str, lang: Lang) -> GridCell:
    return GridCell(zh if lang == "zh" else f"{zh} {en}", bold=True, shaded=True,
                    align="center")


def invoice_document(inv: Mapping[str, Any], *, lang: Lang = "zh", mark: str = "",
                     qr_text: str | None = None, printed_at: datetime | None = None,
                     kiosk_id: str = "") -> Document:
    """The A4 page of invoice `inv` ({number, issued_on, seller_name, seller_tin,
    buyer_name, buyer_tin, amount, tax, total, items: [{name, quantity, unit_price,
    amount, tax_rate}], on_behalf?, note?}). `mark` says what the paper is (纸质副本 ·
    第 n 次打印, or 预览); ValueError for a missing field."""
    try:
        items: Sequence[Mapping[str, Any]] = inv["items"]
        total = Decimal(str(inv["total"]))
        head = (str(inv["number"]), str(inv["issued_on"]))
        parties = (str(inv["buyer_name"]), str(inv.get("buyer_tin") or ""),
                   str(inv["seller_name"]), str(inv["seller_tin"]))
        amount, tax = inv["amount"], inv["tax"]
    except KeyError as exc:
        raise ValueError(f"the invoice has no {exc.args[0]!r}") from None
    doc = Document(title=f"{TITLE} {head[0]}")
    doc.add(Heading(TITLE_ON_BEHALF if inv.get("on_behalf") else TITLE))
    if lang == "en":
        doc.add(Text("Fully-digital invoice (ordinary VAT invoice)", align="center"))
    if mark:
        doc.add(Text(mark, bold=True, align="center"))
    doc.add(Columns((f"发票号码：{head[0]}", f"开票日期：{head[1]}"), widths=(1, 1),
                    aligns=("left", "right")))
    widths = (22, 8, 14, 14, 10, 14)  # 单价 excluding tax runs to 8 decimal places
    rows: list[tuple[GridCell, ...]] = [
        (_lab("购买方名称", "Buyer", lang), GridCell(parties[0], span=2),
         _lab("销售方名称", "Seller", lang), GridCell(parties[2], span=2)),
        (_lab("统一社会信用代码/纳税人识别号", "TIN", lang), GridCell(parties[1], span=2),
         _lab("统一社会信用代码/纳税人识别号", "TIN", lang), GridCell(parties[3], span=2)),
        tuple(_lab(zh, en, lang) for zh, en in (
            ("项目名称", "Item"), ("数量", "Qty"), ("单价", "Unit price"),
            ("金额", "Amount"), ("税率/征收率", "Rate"), ("税额", "Tax")))]
    for line in items:
        line_amount = Decimal(str(line["amount"]))
        line_tax = line.get("tax")
        if line_tax is None:
            line_tax = line_amount * Decimal(str(line["tax_rate"]))
        rows.append((GridCell(str(line["name"])),
                     GridCell(f"{Decimal(str(line['quantity'])).normalize():f}", align="right"),
                     GridCell(f"{Decimal(str(line['unit_price'])).normalize():f}", align="right"),
                     GridCell(_yuan(line_amount), align="right"),
                     GridCell(_rate(line["tax_rate"]), align="center"),
                     GridCell(_yuan(Decimal(str(line_tax)).quantize(Decimal("0.01"))),
                              align="right")))
    rows.append((_lab("合计", "Total", lang), GridCell("", span=2),
                 GridCell(f"¥{_yuan(amount)}", align="right"), GridCell(""),
                 GridCell(f"¥{_yuan(tax)}", align="right")))
    rows.append((_lab("价税合计（大写）", "Total incl. tax", lang),
                 GridCell(amount_in_chinese_capitals(total), span=3),
                 GridCell("（小写）", align="right"),
                 GridCell(f"¥{_yuan(total)}", bold=True, align="right")))
    rows.append((_lab("备注", "Remark", lang), GridCell(str(inv.get("note") or ""), span=5)))
    doc.add(Grid(widths, tuple(rows)))
    doc.add(Feed(1))
    if qr_text:
        doc.add(QrCode(qr_text, size_mm=28, ec="M", align="left",
                       caption="扫码查验（发票查验）" if lang == "zh"
                       else "扫码查验 Scan to verify"))
    doc.add(Rule())
    footer = ["电子发票的纸质打印件，与电子发票具有同等效力；以电子发票数据为准。"
              + (" A paper print of an electronic invoice; the electronic data prevail."
                 if lang == "en" else "")]
    parts = []
    if printed_at is not None:
        parts.append(f"打印时间：{printed_at.strftime('%Y-%m-%d %H:%M:%S')}")
    if kiosk_id:
        parts.append(f"自助办税终端：{kiosk_id}")
    if parts:
        footer.append("    ".join(parts))
    doc.add(Text("\n".join(footer), align="center"))
    return doc


__all__ = ["invoice_document"]
