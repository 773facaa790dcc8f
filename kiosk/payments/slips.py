"""The printouts of a payment (printing/payment.py) from an order: the 电子缴款凭证
after it is recorded, else the slip of what happened to the card. Qt-free.

Only masked data reaches paper: the card as the terminal masked it (first 6, last 4),
the TIN masked like an ID number when it is one (a person's), the name masked."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from printing.document import Document
from printing.payment import VoucherLine, payment_slip, payment_voucher

from ..domain.masking import mask_id_number, mask_name
from .codes import card_touched, response_text
from .model import fen_to_yuan
from .orders import Order

_NOTES: dict[str, tuple[str, str]] = {
    "declined": ("本次交易未从您的银行卡扣款。", "Your card was not charged."),
    "voided": ("税务机关未能入账，扣款已冲正，款项将退回您的银行卡。",
               "The tax office could not record the payment; the charge was reversed and "
               "goes back to your card."),
    "approved": ("您的银行卡已扣款，税务确认后即完成缴款，请勿重复缴纳。凭本凭条可在大厅窗口查询。",
                 "Your card was charged. The payment completes once the tax office confirms "
                 "it; do not pay again. Show this slip at the counter if needed."),
    "unknown": ("终端将在下一笔交易前向银行卡终端核实结果，不会重复扣款。",
                "The terminal checks the outcome with the card terminal before the next "
                "payment; you are never charged twice."),
}


def _masked_tin(tin: str) -> str:
    # A natural person's TIN is the ID number: personal data. A USCC is public.
    return mask_id_number(tin) if len(tin) == 18 and tin[:17].isdigit() else tin


def slip_kind(order: Order) -> str | None:
    """Which slip an order that is not recorded gets (None: none, the card was never
    touched, e.g. no card presented or the terminal never got the sale)."""
    if order.state == "declined":
        code = (order.message_code or "").removeprefix("bank.")
        return "declined" if (order.message_code or "").startswith("bank.") \
            and card_touched(code) else None
    if order.state in ("voided", "voiding"):
        return "voided" if order.state == "voided" else "unknown"
    if order.state == "approved":
        return "approved"
    if order.state in ("unknown", "sent"):
        return "unknown"
    return None


def voucher_document(order: Order, *, lang: str, name: str, printed_at: datetime,
                     kiosk_id: str, prints: int = 1) -> Document:
    vouchers = order.detail.get("vouchers") or []
    lines = [VoucherLine(v["voucher_no"], v["tax_kind"], v["period"],
                         Decimal(str(v["amount"]))) for v in vouchers]
    bank = order.detail.get("bank", {})
    return payment_voucher(
        lang="zh" if lang == "zh" else "en", serial=order.id,
        tin_masked=_masked_tin(order.request.tin), name_masked=mask_name(name) if name else "-",
        card_masked=str(bank.get("card_masked") or ""), lines=lines,
        paid_on=str(order.detail.get("paid_on") or printed_at.date().isoformat()),
        prints=prints, printed_at=printed_at, kiosk_id=kiosk_id)


def outcome_document(order: Order, *, lang: str, name: str, printed_at: datetime,
                     kiosk_id: str) -> Document | None:
    """The document to print for `order` now (None: nothing to print)."""
    if order.state == "recorded":
        return voucher_document(order, lang=lang, name=name, printed_at=printed_at,
                                kiosk_id=kiosk_id)
    kind = slip_kind(order)
    if kind is None:
        return None
    bank = order.detail.get("bank", {})
    rc = bank.get("response_code")
    card = str(bank.get("card_masked") or "")
    zh, en = _NOTES[kind]
    return payment_slip(
        lang="zh" if lang == "zh" else "en", kind=kind, order_id=order.id,
        amount=fen_to_yuan(order.amount_fen),
        card_last4=card[-4:] if card[-4:].isdigit() else None,
        bank_text=(response_text(rc, "zh") if lang == "zh"
                   else f"{response_text(rc, 'zh')} / {response_text(rc, 'en')}")
        if rc else None,
        note=zh if lang == "zh" else f"{zh}\n{en}", printed_at=printed_at,
        kiosk_id=kiosk_id)


__all__ = ["outcome_document", "slip_kind", "voucher_document"]
