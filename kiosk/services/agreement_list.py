"""Use case `agreement.list` 三方协议 (Qt-free): the identified taxpayer's tax–bank–
taxpayer agreements and their verification state, read-only (verification happens at
the bank). Accounts arrive from the central service masked to their last 4 digits."""
from __future__ import annotations

from dataclasses import dataclass

from .context import ServiceContext
from .taxpayer_lookup import TaxpayerLookup, day
from .views import ListItemView, ResultView, Row, pick

SERVICE_ID = "agreement.list"

STATES: dict[str, tuple[str, str, str]] = {
    "verified": ("已验证", "Verified", "good"),
    "unverified": ("未验证", "Not verified", "warning"),
    "revoked": ("已撤销", "Revoked", "neutral"),
}
LABELS: dict[str, tuple[str, str]] = {
    "protocol_no": ("协议号", "Agreement number"),
    "bank": ("开户银行", "Bank"),
    "account": ("缴款账号", "Account"),
    "state": ("验证状态", "State"),
    "signed_on": ("签订日期", "Signed on"),
    "note": ("三方协议账号验证在银行办理；验证通过后方可用于扣缴税款。",
             "Agreements are verified at the bank; only a verified agreement can be "
             "used to pay tax by deduction."),
    "none": ("您没有三方协议", "You have no tax payment agreement"),
}


@dataclass(frozen=True)
class Agreement:
    protocol_no: str
    bank: str
    account: str  # masked by the central service
    state: str
    signed_on: str


class AgreementService(TaxpayerLookup):
    service_id = SERVICE_ID

    def agreements(self) -> list[Agreement]:
        answer = self.call("taxpayer.agreements", "taxpayer/agreements")
        out = []
        for row in self.listed(answer):
            signed = day(row.get("signed_on"))
            out.append(Agreement(protocol_no=str(row.get("protocol_no") or ""),
                                 bank=str(row.get("bank") or ""),
                                 account=str(row.get("account") or ""),
                                 state=str(row.get("state") or ""),
                                 signed_on=signed.isoformat() if signed else ""))
        return out

    def items(self, agreements: list[Agreement], lang: str) -> list[ListItemView]:
        return [ListItemView(key=a.protocol_no, title=f"{a.bank} {a.account[-4:]}",
                             summary=pick(STATES.get(a.state, (a.state, a.state, ""))[:2],
                                          lang),
                             detail=self.view(a, lang)) for a in agreements]

    def view(self, a: Agreement, lang: str) -> ResultView:
        zh, en, tone = STATES.get(a.state, (a.state, a.state, "neutral"))
        return ResultView(title=pick((zh, en), lang), tone=tone,  # type: ignore[arg-type]
                          rows=tuple(Row(k, pick(LABELS[k], lang), v) for k, v in (
                              ("protocol_no", a.protocol_no), ("bank", a.bank),
                              ("account", a.account), ("signed_on", a.signed_on))),
                          notes=(pick(LABELS["note"], lang),))


def build(ctx: ServiceContext) -> AgreementService:
    return AgreementService.from_context(ctx)
