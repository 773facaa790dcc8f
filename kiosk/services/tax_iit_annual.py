"""Use case `tax.iit_annual` 个人所得税综合所得年度汇算, simple path (Qt-free): the
prefilled figures of last year from the central service (wages, labour remuneration,
royalties, tax withheld, special additional deductions, social insurance), the
deductions the taxpayer confirms or edits, the computation (kiosk.domain.iit_return,
the annual table of domain.md) and the result: a refund to the account registered at
the central service (shown masked), a payment (card or QR), or nothing to pay,
including the legal exemption (annual income ≤ 120,000 or an amount due ≤ 400).

Filing queues the return (record kind `iit.annual_return`, delivered by the outbox;
its 申报序号 is derived from the return's id, so the 申报回执 prints at once); a payment
due then goes through kiosk.payments with the return's number in `business`.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from offline_queue.payloads import IIT_ANNUAL_RETURN_KIND, iit_return_number

from ..domain.calculators import CalculatorInputError, render_steps
from ..domain.iit_return import AnnualReturn, Prefill, compute
from ..payments.model import PaymentItem, PaymentRequest
from .context import ServiceContext
from .taxpayer_lookup import LookupFailed, TaxpayerLookup, decimal, money, subject_rows
from .views import ResultView, Row, pick

SERVICE_ID = "tax.iit_annual"
TAX_KIND_ZH = "个人所得税"
TAX_KIND_EN = "Individual income tax"
FIGURES = ("wages", "labour", "royalties", "withheld", "special_additional",
           "social_insurance")

LABELS: dict[str, tuple[str, str]] = {
    "title": ("个人所得税年度汇算 申报回执", "Annual IIT return: receipt"),
    "number": ("申报序号", "Return number"),
    "year": ("所得年度", "Tax year"),
    "wages": ("工资薪金", "Wages"),
    "labour": ("劳务报酬", "Labour remuneration"),
    "royalties": ("特许权使用费", "Royalties"),
    "withheld": ("已预缴税额", "Tax withheld"),
    "special_additional": ("专项附加扣除", "Special additional deductions"),
    "social_insurance": ("专项扣除（社保、公积金）", "Social insurance and housing fund"),
    "refund": ("应退税额 %s", "Refund %s"),
    "pay": ("应补税额 %s", "Tax to pay %s"),
    "nothing": ("无需补税或退税", "Nothing to pay or refund"),
    "exempt": ("依法免于补税", "Exempt from paying by law"),
    "refund_to": ("退税账户", "Refund to"),
    "no_account": ("未登记退税账户，请到窗口办理退税", "No refund account is registered: "
                   "ask at the counter for the refund"),
    "result": ("汇算结果", "Result"),
    "filed_note": ("申报已提交，可凭申报序号在“办理进度”中查询。",
                   "The return is filed; look it up by its number under Progress."),
    "refund_note": ("退税经税务机关审核后退至上述账户。",
                    "The refund goes to the account above once the tax office has "
                    "reviewed the return."),
    "pay_note": ("请继续缴纳应补税款。", "Please go on to pay the tax due."),
}


@dataclass(frozen=True)
class IitStart:
    """What the first screen shows: the year, its prefilled figures, the refund
    account (masked), or None when the central service has nothing for the year."""

    year: int
    prefill: Prefill | None
    refund_bank: str
    refund_account: str | None


@dataclass(frozen=True)
class Filed:
    number: str
    record_uuid: str
    ret: AnnualReturn


class IitAnnualService(TaxpayerLookup):
    service_id = SERVICE_ID

    def __init__(self, *, outbox: Any = None, on_queued: Any = None, **kw: Any) -> None:
        super().__init__(**kw)
        self._outbox = outbox
        self._on_queued = on_queued or (lambda: None)

    def start(self) -> IitStart:
        """Blocking: last year's prefilled figures (sealed `taxpayer/iit-prefill`)."""
        year = self.today().year - 1
        answer = self.call("taxpayer.iit_prefill", "taxpayer/iit-prefill", {"year": year})
        raw = answer.get("prefill")
        prefill = None
        if isinstance(raw, dict):
            prefill = Prefill(**{name: decimal(raw.get(name)) for name in FIGURES})
        account = answer.get("refund_account")
        return IitStart(year=year, prefill=prefill,
                        refund_bank=str(answer.get("refund_bank") or ""),
                        refund_account=account if isinstance(account, str) else None)

    @staticmethod
    def compute(start: IitStart, special_additional: str | None = None) -> AnnualReturn:
        """The return with the deductions as typed (None: as prefilled);
        CalculatorInputError for an amount that is not one."""
        if start.prefill is None:
            raise LookupFailed("no prefilled figures", "iit.no_prefill")
        special = None
        if special_additional is not None and special_additional.strip():
            special = Decimal(special_additional.strip()) \
                if _looks_like_money(special_additional) else None
            if special is None:
                raise CalculatorInputError("not an amount", "calc.not_a_number",
                                           "special_additional")
        return compute(start.year, start.prefill, special)

    def file(self, ret: AnnualReturn) -> Filed:
        """Queue the return (committed before this returns) and answer its number."""
        who = self.who()
        if self._outbox is None:
            raise LookupFailed("no outbox", "service.unavailable")
        r, p = ret.result, ret.prefill
        return_id = uuid.uuid4().hex
        payload = {"return_id": return_id, "tin": who.subject.tin, "year": ret.year,
                   **{name: str(getattr(p, name)) for name in FIGURES if name not in (
                       "special_additional",)},
                   "special_additional": str(r.special_additional),
                   "income": str(r.income), "taxable": str(r.taxable), "tax": str(r.tax),
                   "balance": str(r.balance), "result": ret.outcome,
                   "amount": str(ret.amount), "exempt_reason": r.exempt_reason,
                   "at": self._now().isoformat()}
        record = self._outbox.enqueue(IIT_ANNUAL_RETURN_KIND, payload)
        self._on_queued()
        return Filed(number=iit_return_number(payload), record_uuid=record.uuid, ret=ret)

    def payment(self, filed: Filed) -> PaymentRequest:
        """The payment of a return with tax due."""
        who = self.who()
        item = PaymentItem(kind="iit_annual", ref=filed.number, label_zh=TAX_KIND_ZH,
                           label_en=TAX_KIND_EN, period=f"{filed.ret.year:04d}12",
                           tax=filed.ret.amount)
        return PaymentRequest(service_id=SERVICE_ID, tin=who.subject.tin, items=(item,),
                              business={"kind": "iit_annual", "return_number": filed.number,
                                        "year": filed.ret.year})

    # -- what is shown and printed -----------------------------------------------------
    def result_text(self, ret: AnnualReturn, start: IitStart, lang: str) -> str:
        if ret.outcome == "pay":
            head = pick(LABELS["pay"], lang) % money(ret.amount)
        elif ret.outcome == "refund":
            head = pick(LABELS["refund"], lang) % money(ret.amount)
        elif ret.result.exempt:
            head = pick(LABELS["exempt"], lang)
        else:
            head = pick(LABELS["nothing"], lang)
        if ret.outcome == "refund":
            account = (f"{start.refund_bank} {start.refund_account}" if start.refund_account
                       else pick(LABELS["no_account"], lang))
            head += f"\n{pick(LABELS['refund_to'], lang)}: {account}"
        return head

    @staticmethod
    def steps_text(ret: AnnualReturn, lang: str) -> str:
        return "\n".join(f"{label}: {value}" for label, value in
                         render_steps(ret.result.steps, lang))

    def figures_text(self, start: IitStart, lang: str) -> str:
        if start.prefill is None:
            return ""
        return "\n".join(f"{pick(LABELS[name], lang)}: {money(getattr(start.prefill, name))}"
                         for name in FIGURES)

    def receipt_view(self, filed: Filed, start: IitStart, lang: str) -> ResultView:
        ret = filed.ret
        result, _, account = self.result_text(ret, start, lang).partition("\n")
        rows = [Row("number", pick(LABELS["number"], lang), filed.number),
                *subject_rows(self.who(), lang, "paper"),
                Row("year", pick(LABELS["year"], lang), str(ret.year)),
                Row("result", pick(LABELS["result"], lang), result)]
        if account:
            label, _, value = account.partition(": ")
            rows.append(Row("refund_to", label, value))
        notes = [pick(LABELS["filed_note"], lang)]
        if ret.outcome == "refund":
            notes.append(pick(LABELS["refund_note"], lang))
        elif ret.outcome == "pay":
            notes.append(pick(LABELS["pay_note"], lang))
        return ResultView(title=pick(LABELS["title"], lang), tone="good", rows=tuple(rows),
                          notes=tuple(notes))

    def print_receipt(self, filed: Filed, start: IitStart, lang: str) -> None:
        view = self.receipt_view(filed, start, lang)
        self._slips.print_receipt(
            lang=lang, title=LABELS["title"], number_label=pick(LABELS["number"], lang),
            number=filed.number,
            headline=next(r.value for r in view.rows if r.key == "result"),
            rows=[(r.label, r.value) for r in view.rows if r.key not in ("number", "result")],
            notes=list(view.notes), qr_data=None)


def _looks_like_money(text: str) -> bool:
    import re

    return re.fullmatch(r"[0-9]{1,9}(\.[0-9]{1,2})?", text.strip()) is not None


def build(ctx: ServiceContext) -> IitAnnualService:
    return IitAnnualService(central=ctx.central, keys=ctx.keys, connectivity=ctx.connectivity,
                            identity=ctx.identity, slips=ctx.slips, now=ctx.clock.now,
                            as_enrolled=ctx.as_enrolled, outbox=ctx.outbox,
                            on_queued=ctx.on_queued)
