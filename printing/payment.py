"""The payment printouts (issue #11) as `Document`s for the receipt printer.

- `payment_voucher`: the 电子缴款凭证 after a recorded payment, with the fields of
  services.md §2.3: 打印日期, 凭证序号, 防伪码, 纳税人识别号 and 纳税人全称 (masked by the
  caller), 银行账号 (the card, masked), one block per line with 系统税票号, 税(费)种,
  所属时期, 实缴金额 and 缴款日期, the total in capitals (大写) and the fixed note;
- `payment_slip`: after a payment that did not end recorded but touched the card:
  "未扣款 / Not charged", "已冲正 / Reversed", "已扣款，待税务确认 / Paid, awaiting
  confirmation", or "结果待核实 / Outcome being checked", with the order number, the
  amount, the card's last four digits and the bank's sentence.

Callers pass personal data masked already (kiosk.domain.masking). Chinese titles in
every language; English slips add the English below, as the other slips do.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from .chinese_amount import amount_in_chinese_capitals
from .document import Cut, Document, Feed, Heading, KeyValue, QrCode, Rule, Text
from .templates import Lang

VOUCHER_TITLE_ZH = "税收电子缴款凭证"
VOUCHER_TITLE_EN = "Electronic tax payment voucher"
VOUCHER_NOTE_ZH = ("本缴款凭证仅作为纳税人记账核算凭证使用，电子缴款的，需与银行对账单电子划缴记录"
                   "核对一致方有效。纳税人如需汇总开具正式完税证明，请凭税务登记证或身份证明到"
                   "主管税务机关开具。")
VOUCHER_NOTE_EN = ("For the taxpayer's accounts only; valid when it matches the bank "
                   "statement. For a formal tax payment certificate, apply at the tax "
                   "office with your registration or identity document.")

#: Slip kind -> (Chinese headline, English headline)
SLIP_HEADLINES: dict[str, tuple[str, str]] = {
    "declined": ("未扣款", "Not charged"),
    "voided": ("已冲正", "Reversed"),
    "approved": ("已扣款，待税务确认", "Paid, awaiting confirmation"),
    "unknown": ("结果待核实", "Outcome being checked"),
}

_L: dict[str, tuple[str, str]] = {
    "printed_on": ("打印日期", "Printed on"),
    "serial": ("凭证序号", "Voucher serial"),
    "check": ("防伪码", "Check code"),
    "tin": ("纳税人识别号", "Taxpayer ID"),
    "name": ("纳税人全称", "Taxpayer"),
    "account": ("银行账号", "Bank card"),
    "voucher_no": ("系统税票号", "Tax voucher no."),
    "tax_kind": ("税(费)种", "Tax"),
    "period": ("所属时期", "Period"),
    "amount": ("实缴金额", "Amount paid"),
    "paid_on": ("缴款日期", "Paid on"),
    "prints": ("打印次数", "Prints"),
    "total": ("合计", "Total"),
    "capitals": ("大写（合计）金额", "Total in words"),
    "order": ("订单号", "Order no."),
    "card": ("银行卡", "Card"),
    "bank": ("银行应答", "Bank's answer"),
    "at": ("时间", "Time"),
    "kiosk": ("终端编号", "Terminal"),
    "keep": ("请妥善保管本凭证", "Please keep this voucher"),
}


def _label(key: str, lang: Lang) -> str:
    zh, en = _L[key]
    return zh if lang == "zh" else f"{zh} {en}"


def _yuan(amount: Decimal) -> str:
    return f"¥{amount:,.2f}"


@dataclass(frozen=True)
class VoucherLine:
    voucher_no: str
    tax_kind: str
    period: str  # YYYYMM
    amount: Decimal


def check_code(serial: str, lines: list[VoucherLine]) -> str:
    """The 防伪码: 16 hex digits of SHA-256 over the serial and every line, so a
    changed amount or number no longer matches what central can recompute."""
    import hashlib

    text = serial + "|" + "|".join(f"{ln.voucher_no}:{ln.amount:.2f}" for ln in lines)
    return hashlib.sha256(text.encode()).hexdigest()[:16].upper()


def payment_voucher(*, lang: Lang, serial: str, tin_masked: str, name_masked: str,
                    card_masked: str, lines: list[VoucherLine], paid_on: str,
                    prints: int, printed_at: datetime, kiosk_id: str) -> Document:
    total = sum((ln.amount for ln in lines), Decimal("0.00"))
    blocks: list = [Heading(VOUCHER_TITLE_ZH)]
    if lang == "en":
        blocks.append(Text(VOUCHER_TITLE_EN, bold=True, align="center"))
    blocks += [
        KeyValue(_label("printed_on", lang), printed_at.strftime("%Y年%m月%d日")),
        KeyValue(_label("serial", lang), serial, bold=True),
        KeyValue(_label("check", lang), check_code(serial, lines)),
        Rule(),
        KeyValue(_label("tin", lang), tin_masked),
        KeyValue(_label("name", lang), name_masked),
        KeyValue(_label("account", lang), card_masked or "-"),
    ]
    for ln in lines:
        period = f"{ln.period[:4]}-{ln.period[4:]}"
        blocks += [Rule(),
                   KeyValue(_label("voucher_no", lang), ln.voucher_no),
                   KeyValue(_label("tax_kind", lang), ln.tax_kind),
                   KeyValue(_label("period", lang), period),
                   KeyValue(_label("amount", lang), _yuan(ln.amount), bold=True),
                   KeyValue(_label("paid_on", lang), paid_on)]
    blocks += [
        Rule(),
        KeyValue(_label("total", lang), _yuan(total), bold=True),
        KeyValue(_label("capitals", lang), amount_in_chinese_capitals(total)),
        KeyValue(_label("prints", lang), str(prints)),
        Rule(),
        Text(VOUCHER_NOTE_ZH),
    ]
    if lang == "en":
        blocks.append(Text(VOUCHER_NOTE_EN))
    blocks += [QrCode(f"TAXKIOSK:VOUCHER:{serial}:{check_code(serial, lines)}", size_mm=22),
               KeyValue(_label("kiosk", lang), kiosk_id),
               Text(_label("keep", lang), align="center"), Feed(1), Cut()]
    return Document(blocks, title=f"{VOUCHER_TITLE_ZH} {serial}")


def payment_slip(*, lang: Lang, kind: str, order_id: str, amount: Decimal,
                 card_last4: str | None, bank_text: str | None, note: str,
                 printed_at: datetime, kiosk_id: str) -> Document:
    """The slip of a payment that did not end recorded (see the module docstring)."""
    zh, en = SLIP_HEADLINES[kind]
    blocks: list = [Heading("缴税结果" if lang == "zh" else "缴税结果 Payment result"),
                    Rule(), Text(zh if lang == "zh" else f"{zh} / {en}", bold=True,
                                 align="center"), Rule(),
                    KeyValue(_label("order", lang), order_id, bold=True),
                    KeyValue(_label("amount", lang), _yuan(amount))]
    if card_last4:
        blocks.append(KeyValue(_label("card", lang), f"**** {card_last4}"))
    if bank_text:
        blocks.append(KeyValue(_label("bank", lang), bank_text))
    blocks += [KeyValue(_label("at", lang), printed_at.strftime("%Y-%m-%d %H:%M:%S")),
               Rule(), Text(note), Rule(),
               KeyValue(_label("kiosk", lang), kiosk_id),
               Text(_label("keep", lang), align="center"), Feed(1), Cut()]
    return Document(blocks, title=f"{zh} {order_id}")
