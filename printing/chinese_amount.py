"""Amounts in Chinese capital numerals (大写金额), as printed on invoices and cheques.

The capitals exist so an amount cannot be altered by adding a stroke; the rules below
follow the People's Bank of China settlement rules (《支付结算办法》附件一) and the
accounting practice the tax invoice software uses:

- digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟 within a group of four, groups 万 亿 万亿;
- 壹拾 is written out (never a bare 拾), so nothing can be prefixed;
- a run of zeros inside the number is one 零; zeros at the end of a group are dropped;
- when the yuan digit is 0 but 角 is not, one 零 follows 元 (100.10 -> 壹佰元零壹角);
  when 角 is 0 but 分 is not, one 零 stands for it (1.05 -> 壹元零伍分);
- 整 follows 元 when there are no 角 and 分 (1130.00 -> 壹仟壹佰叁拾元整), and nothing
  follows 角 (12.30 -> 壹拾贰元叁角);
- below one yuan the 元 is left out (0.05 -> 伍分); zero is 零元整;
- a negative amount (a red-letter invoice) starts with 负.

Amounts must be exact to the fen: 1.005 is refused rather than rounded, because a
rounding rule is the caller's business (and the tax authority's), not the printer's.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

DIGITS = "零壹贰叁肆伍陆柒捌玖"
_IN_GROUP = ("", "拾", "佰", "仟")
_GROUPS = ("", "万", "亿", "万亿")
MAX_AMOUNT = Decimal("9999999999999999.99")  # up to 万亿 groups


def amount_in_chinese_capitals(amount: Decimal | int | str, *, yuan: str = "元") -> str:
    """`amount` (in yuan, exact to the fen) written in Chinese capitals.

    `yuan` is the unit character: 元, or 圆 as some invoice forms print it.
    Raises ValueError for amounts that are not numbers, not exact to the fen, or
    beyond 万亿.
    """
    if isinstance(amount, float):
        raise ValueError("pass money as Decimal, int or str, not float")
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(f"not an amount: {amount!r}") from None
    if not value.is_finite():
        raise ValueError(f"not an amount: {amount!r}")
    fen_total = value * 100
    if fen_total != fen_total.to_integral_value():
        raise ValueError(f"{amount} is not exact to the fen (0.01)")
    if abs(value) > MAX_AMOUNT:
        raise ValueError(f"{amount} is too large")
    sign = "负" if value < 0 else ""
    fen_total_int = abs(int(fen_total))
    yuan_part, cents = divmod(fen_total_int, 100)
    jiao, fen = divmod(cents, 10)

    if yuan_part == 0 and cents == 0:
        return f"零{yuan}整"
    out = ""
    if yuan_part:
        out = _integer_capitals(yuan_part) + yuan
    if cents == 0:
        return sign + out + "整"
    if jiao:
        if yuan_part and yuan_part % 10 == 0:
            out += "零"
        out += DIGITS[jiao] + "角"
    elif yuan_part:  # 角 is zero, 分 is not: one 零 stands for the missing 角
        out += "零"
    if fen:
        out += DIGITS[fen] + "分"
    return sign + out


def _integer_capitals(n: int) -> str:
    """A positive integer in capitals, groups of four digits from the right."""
    groups: list[int] = []
    while n:
        n, group = divmod(n, 10000)
        groups.append(group)
    out = ""
    need_zero = False  # a zero was skipped since the last digit written
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            need_zero = bool(out)
            continue
        if out and (need_zero or group < 1000):
            out += "零"
        out += _group_capitals(group) + _GROUPS[index]
        need_zero = False
    return out


def _group_capitals(group: int) -> str:
    """1..9999 within one group: interior zeros become one 零, trailing ones vanish."""
    digits = f"{group:04d}".lstrip("0")
    out = ""
    pending_zero = False
    for pos, ch in enumerate(digits):
        unit = _IN_GROUP[len(digits) - 1 - pos]
        if ch == "0":
            pending_zero = True
            continue
        if pending_zero:
            out += "零"
            pending_zero = False
        out += DIGITS[int(ch)] + unit
    return out
