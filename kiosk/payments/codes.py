"""Bank response codes (银联 Q/CUP 006.6-2014 appendix A.2, services.md §4.3) as the
sentence the standard recommends the terminal show, in Chinese and English. Qt-free:
the screen and the slips both read it. An unknown code is "交易失败 / Transaction
failed" with the code, as POS implementations do."""
from __future__ import annotations

#: code -> (终端显示（推荐）, English)
RESPONSE_TEXTS: dict[str, tuple[str, str]] = {
    "00": ("交易成功", "Transaction approved"),
    "01": ("请持卡人与发卡银行联系", "Please contact your card issuer"),
    "03": ("无效商户", "Invalid merchant"),
    "04": ("此卡为无效卡", "This card is not valid"),
    "05": ("持卡人认证失败", "Cardholder verification failed"),
    "12": ("无效交易", "Invalid transaction"),
    "13": ("无效金额", "Invalid amount"),
    "14": ("无效卡号", "Invalid card number"),
    "25": ("原交易不存在", "Original transaction not found"),
    "45": ("请使用芯片", "Please use the chip"),
    "51": ("可用余额不足", "Insufficient funds"),
    "54": ("该卡已过期", "This card has expired"),
    "55": ("密码错", "Incorrect PIN"),
    "57": ("不允许此卡交易", "This card may not be used for this transaction"),
    "58": ("发卡方不允许该卡在本终端进行此交易",
           "The issuer does not allow this card on this terminal"),
    "61": ("交易金额超限", "Amount over the card's limit"),
    "62": ("受限制的卡", "Restricted card"),
    "65": ("超出取款次数限制", "Too many transactions on this card"),
    "68": ("交易超时，请重试", "Transaction timed out, please try again"),
    "75": ("密码错误次数超限", "Too many incorrect PIN entries"),
    "90": ("系统日切，请稍后重试", "Bank cut-off in progress, please try later"),
    "91": ("发卡方状态不正常，请稍后重试", "Card issuer unavailable, please try later"),
    "92": ("发卡方线路异常，请稍后重试", "Card issuer unreachable, please try later"),
    "94": ("拒绝，重复交易，请稍后重试", "Declined: duplicate transaction, try later"),
    "96": ("拒绝，交换中心异常，请稍后重试", "Declined: network error, try later"),
    "97": ("终端号未登记", "Terminal not registered"),
    "98": ("发卡方超时", "Card issuer timed out"),
    "99": ("PIN 格式错，请重新签到", "PIN format error, terminal must sign in again"),
    "A0": ("MAC 校验错，请重新签到", "MAC check failed, terminal must sign in again"),
    "TO": ("未插卡或刷卡，交易取消", "No card presented: cancelled"),
    "UC": ("持卡人取消交易", "Cancelled by the cardholder"),
    "Z1": ("终端未签到，请联系工作人员", "The card terminal is not signed in: please ask staff"),
}
UNKNOWN_TEXT = ("交易失败", "Transaction failed")


def response_text(code: str, lang: str) -> str:
    """The sentence for a response code in `lang` ("zh" or "en")."""
    zh, en = RESPONSE_TEXTS.get(code, UNKNOWN_TEXT)
    text = zh if lang == "zh" else en
    return text if code in RESPONSE_TEXTS else f"{text} ({code})"


def card_touched(code: str) -> bool:
    """Whether a declined sale reached the card (it was read and sent for approval):
    then the taxpayer gets a "未扣款 / Not charged" slip."""
    return code not in ("TO", "UC", "")
