"""The service catalogue: every taxpayer and staff service, declared once (Qt-free).

A service is a `ServiceSpec`: what it is called, where it sits on the home screen, how
it behaves offline (enforced by the core, not by each screen), whom it must identify,
which devices it cannot work without, which staff role it needs, which record kinds it
queues and which scans it claims. The core builds each service from its spec and
computes availability from it; the home screen and `kiosk services` are built from the
catalogue. Adding a service = its service module, its screen module (if the flow kit is
not enough), its translations, and one line in `CATALOGUE`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from ..frozen import Frozen


class Policy(str, Enum):
    """How a service behaves while the central service is unreachable."""

    LOCAL = "local"  # needs no network at all (calculators, guidance on this machine)
    ONLINE_ONLY = "online-only"  # greyed with the reason while offline
    QUEUE = "queue"  # accepted offline with a printed reference; result after sync
    CACHE = "cache"  # served from reference data synced earlier, its date shown


class Group(str, Enum):
    """Home-screen groups, in display order."""

    INVOICES = "invoices"
    LOOKUP = "lookup"
    CERTIFICATES = "certificates"
    PAY = "pay"
    GUIDANCE = "guidance"
    STAFF = "staff"  # maintenance and logistics: never on the taxpayers' home screen


GROUP_TITLES: dict[Group, tuple[str, str]] = {
    Group.INVOICES: ("发票业务", "Invoices"),
    Group.LOOKUP: ("涉税查询", "Look up"),
    Group.CERTIFICATES: ("证明打印", "Certificates"),
    Group.PAY: ("申报缴税", "Pay"),
    Group.GUIDANCE: ("办税指引", "Guidance"),
    Group.STAFF: ("工作人员", "Staff"),
}


class Identity(str, Enum):
    """Who must be identified before the service starts."""

    NONE = "none"
    PERSON = "person"  # a natural person
    ENTERPRISE = "enterprise"  # a person acting for an enterprise they pick
    # Whoever is identified: a person for themself, or for an enterprise they act for
    # (the gate offers the choice when the person may act for any); look-ups of one's
    # own affairs.
    ANY = "any"


class IdentityMethod(str, Enum):
    ID_CARD = "id_card"
    QR = "qr"  # scan-to-login with the tax app
    PASSWORD = "password"  # TIN + password


class ScanKind(str, Enum):
    """What a scanned text is, decided once in the core (kiosk.services.scans)."""

    INVOICE_QR = "invoice_qr"
    SLIP_QR = "slip_qr"  # a slip this system printed (queued reference, result slip)
    CERTIFICATE_QR = "certificate_qr"
    PICKUP_CODE = "pickup_code"
    BOX_LABEL = "box_label"
    WAYBILL = "waybill"
    PAYMENT_CODE = "payment_code"  # the payer's payment code (WeChat / Alipay / UnionPay)
    UNKNOWN = "unknown"


@dataclass(frozen=True, repr=False, eq=False)
class ServiceSpec(Frozen):
    """One service's declaration. `entry_screen` is the screen id the UI opens first
    (`screen.<entry_screen>`); `icon` names an icon of ui/icons/; `factory` is
    "module:callable", called by the core with a `kiosk.services.context.ServiceContext`
    to build the service object (None: a screen-only service)."""

    id: str
    title_zh: str
    title_en: str
    summary_zh: str  # one line of what it does, under the tile's title
    summary_en: str
    group: Group
    policy: Policy
    entry_screen: str
    icon: str
    identity: Identity = Identity.NONE
    identity_methods: tuple[IdentityMethod, ...] = ()
    devices: tuple[str, ...] = ()  # device kinds it cannot work without
    staff_role: str | None = None  # kiosk.staff.roles action needed, for staff services
    record_kinds: tuple[str, ...] = ()  # outbox record kinds it queues
    scans: tuple[ScanKind, ...] = ()  # scans it takes; the first claimer opens on them
    factory: str | None = None
    order: int = 0  # position within its group
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title_en

    def summary(self, lang: str) -> str:
        return self.summary_zh if lang == "zh" else self.summary_en


INVOICE_VERIFY = ServiceSpec(
    id="invoice.verify", title_zh="发票查验", title_en="Invoice verification",
    summary_zh="扫描或输入发票，查验真伪", summary_en="Scan or type an invoice to check it",
    group=Group.INVOICES, policy=Policy.QUEUE, entry_screen="invoice.verify",
    icon="invoice-verify", record_kinds=("invoice.verify",),
    scans=(ScanKind.INVOICE_QR, ScanKind.SLIP_QR),
    factory="kiosk.services.invoice_verify:build")

# One line per service, in home-screen order within each group.
CATALOGUE: tuple[ServiceSpec, ...] = (
    INVOICE_VERIFY,
    # Paper invoices at the dispenser (issue #12 §1; docs/automation.md).
    ServiceSpec(id="invoice.pickup", title_zh="发票领取", title_en="Collect paper invoices", summary_zh="凭取票码领取已申领的纸质发票", summary_en="Collect the invoices you applied for, with your pickup code", group=Group.INVOICES, policy=Policy.QUEUE, entry_screen="invoice.pickup", icon="invoice-pickup", identity=Identity.ANY, identity_methods=(IdentityMethod.ID_CARD, IdentityMethod.QR, IdentityMethod.PASSWORD), devices=("invoice_dispenser",), record_kinds=("invoice.issue",), scans=(ScanKind.PICKUP_CODE,), factory="kiosk.services.pickup:build", order=20),
    # The invoice lottery, 数电票 on paper and 代开 (issue #12 §3-§4; docs/automation.md).
    # They claim invoice QRs only while open: invoice.verify, first in the catalogue,
    # keeps a scan on the home screen.
    ServiceSpec(id="invoice.lottery", title_zh="有奖发票", title_en="Invoice lottery", summary_zh="扫描数电普票二维码，即时开奖", summary_en="Scan your fully-digital invoice: instant draw", group=Group.INVOICES, policy=Policy.ONLINE_ONLY, entry_screen="invoice.lottery", icon="lottery", identity=Identity.PERSON, identity_methods=(IdentityMethod.ID_CARD,), scans=(ScanKind.INVOICE_QR,), factory="kiosk.services.lottery:build", order=30),
    ServiceSpec(id="invoice.print_digital", title_zh="数电票打印", title_en="Print a digital invoice", summary_zh="打印您开具或取得的数电票纸质件", summary_en="Print a fully-digital invoice you issued or received", group=Group.INVOICES, policy=Policy.ONLINE_ONLY, entry_screen="invoice.print_digital", icon="invoice-print", identity=Identity.ANY, identity_methods=(IdentityMethod.ID_CARD, IdentityMethod.QR, IdentityMethod.PASSWORD), devices=("a4_printer",), scans=(ScanKind.INVOICE_QR,), factory="kiosk.services.print_digital:build", order=40),
    ServiceSpec(id="invoice.issue_on_behalf", title_zh="代开发票", title_en="Invoice issued for you", summary_zh="自然人申请代开数电普票，缴税后开具", summary_en="Have an invoice issued for your sale: pay the tax, get it", group=Group.INVOICES, policy=Policy.ONLINE_ONLY, entry_screen="invoice.issue_on_behalf", icon="invoice-issue", identity=Identity.PERSON, identity_methods=(IdentityMethod.ID_CARD, IdentityMethod.QR, IdentityMethod.PASSWORD), devices=("a4_printer",), record_kinds=("tax.payment",), scans=(ScanKind.PAYMENT_CODE,), factory="kiosk.services.issue_on_behalf:build", order=50),
    ServiceSpec(id="certificate.verify", title_zh="证明查验", title_en="Verify a certificate", summary_zh="扫描证明二维码或输入验证码，查验真伪", summary_en="Scan a certificate's QR code or type its code", group=Group.CERTIFICATES, policy=Policy.CACHE, entry_screen="certificate.verify", icon="certificate-verify", scans=(ScanKind.CERTIFICATE_QR,), factory="kiosk.services.certificate_verify:build", order=20),
    # Certificates (issue #10 §4): print, reprint, apply (docs/automation.md).
    ServiceSpec(id="certificate.print", title_zh="完税证明打印", title_en="Print a tax certificate", summary_zh="税收完税证明（文书式、表格式）和纳税记录", summary_en="Tax payment certificates and payment records", group=Group.CERTIFICATES, policy=Policy.ONLINE_ONLY, entry_screen="certificate.print", icon="certificate-print", identity=Identity.ANY, identity_methods=(IdentityMethod.ID_CARD, IdentityMethod.QR, IdentityMethod.PASSWORD), devices=("a4_printer",), factory="kiosk.services.certificate_print:build", order=10),
    ServiceSpec(id="voucher.reprint", title_zh="缴款凭证补打", title_en="Reprint a payment voucher", summary_zh="查看已缴税票，补打缴款凭证", summary_en="See your paid vouchers and print one again", group=Group.CERTIFICATES, policy=Policy.ONLINE_ONLY, entry_screen="voucher.reprint", icon="voucher-reprint", identity=Identity.ANY, identity_methods=(IdentityMethod.ID_CARD, IdentityMethod.QR, IdentityMethod.PASSWORD), devices=("receipt_printer",), factory="kiosk.services.voucher_reprint:build", order=30),
    ServiceSpec(id="residence.certificate", title_zh="税收居民身份证明", title_en="Tax residence certificate", summary_zh="申请中国税收居民身份证明，打印受理回执", summary_en="Apply for a Chinese tax residence certificate", group=Group.CERTIFICATES, policy=Policy.QUEUE, entry_screen="residence.certificate", icon="residence-certificate", identity=Identity.PERSON, identity_methods=(IdentityMethod.ID_CARD, IdentityMethod.QR, IdentityMethod.PASSWORD), record_kinds=("residence.application",), factory="kiosk.services.residence:build", order=40),
    # Look-ups of the identified taxpayer's own affairs (issue #10 §3; docs/automation.md).
    ServiceSpec(id="taxpayer.info", title_zh="税务登记信息", title_en="Tax registration", summary_zh="登记状态、主管税务机关、税（费）种", summary_en="Status, tax office and the taxes you are registered for", group=Group.LOOKUP, policy=Policy.ONLINE_ONLY, entry_screen="taxpayer.info", icon="taxpayer-info", identity=Identity.ANY, identity_methods=(IdentityMethod.ID_CARD, IdentityMethod.QR, IdentityMethod.PASSWORD), factory="kiosk.services.taxpayer_info:build", order=10),
    ServiceSpec(id="credit.rating", title_zh="纳税信用等级", title_en="Tax credit rating", summary_zh="历年信用级别，银税互动授权", summary_en="Your rating by year; share it with a bank for a loan", group=Group.LOOKUP, policy=Policy.ONLINE_ONLY, entry_screen="credit.rating", icon="credit-rating", identity=Identity.ANY, identity_methods=(IdentityMethod.ID_CARD, IdentityMethod.QR, IdentityMethod.PASSWORD), record_kinds=("credit.consent",), factory="kiosk.services.credit_rating:build", order=20),
    # Paying services (issue #11): online-only, identified, greyed while payment orders a
    # crash left open are resolved ("tax.payment" in record_kinds).
    ServiceSpec(id="tax.pay", title_zh="缴纳税款", title_en="Pay tax", summary_zh="欠税和应缴税款，含滞纳金，刷卡或扫码缴纳", summary_en="What you owe, late fees included: pay by card or QR", group=Group.PAY, policy=Policy.ONLINE_ONLY, entry_screen="tax.pay", icon="pay-tax", identity=Identity.ANY, identity_methods=(IdentityMethod.ID_CARD, IdentityMethod.QR, IdentityMethod.PASSWORD), record_kinds=("tax.payment",), scans=(ScanKind.PAYMENT_CODE,), factory="kiosk.services.tax_pay:build", order=10),
    ServiceSpec(id="tax.vehicle", title_zh="车船税", title_en="Vehicle tax", summary_zh="自然人车船税申报缴纳，按排量和月份计算", summary_en="File and pay your car's tax, by engine size and months", group=Group.PAY, policy=Policy.ONLINE_ONLY, entry_screen="tax.vehicle", icon="pay-tax", identity=Identity.PERSON, identity_methods=(IdentityMethod.ID_CARD, IdentityMethod.QR, IdentityMethod.PASSWORD), record_kinds=("tax.payment",), scans=(ScanKind.PAYMENT_CODE,), factory="kiosk.services.tax_vehicle:build", order=20),
    ServiceSpec(id="tax.iit_annual", title_zh="个税年度汇算", title_en="Annual IIT return", summary_zh="确认预填数据，申报退税或补税", summary_en="Confirm the prefilled figures: refund or pay", group=Group.PAY, policy=Policy.ONLINE_ONLY, entry_screen="tax.iit_annual", icon="taxpayer-info", identity=Identity.PERSON, identity_methods=(IdentityMethod.ID_CARD, IdentityMethod.QR, IdentityMethod.PASSWORD), record_kinds=("iit.annual_return", "tax.payment"), scans=(ScanKind.PAYMENT_CODE,), factory="kiosk.services.tax_iit_annual:build", order=30),
    ServiceSpec(id="tax.social_insurance", title_zh="社保费缴纳", title_en="Social insurance", summary_zh="灵活就业人员选择缴费档次和月份缴费", summary_en="Flexible employment: choose a level and months, pay", group=Group.PAY, policy=Policy.ONLINE_ONLY, entry_screen="tax.social_insurance", icon="pay-tax", identity=Identity.PERSON, identity_methods=(IdentityMethod.ID_CARD, IdentityMethod.QR, IdentityMethod.PASSWORD), record_kinds=("tax.payment",), scans=(ScanKind.PAYMENT_CODE,), factory="kiosk.services.tax_social_insurance:build", order=40),
    ServiceSpec(id="agreement.list", title_zh="三方协议", title_en="Payment agreements", summary_zh="查看税库银三方协议及验证状态", summary_en="Your tax–bank agreements and whether they are verified", group=Group.PAY, policy=Policy.ONLINE_ONLY, entry_screen="agreement.list", icon="bank-card", identity=Identity.ANY, identity_methods=(IdentityMethod.ID_CARD, IdentityMethod.QR, IdentityMethod.PASSWORD), factory="kiosk.services.agreement_list:build", order=50),
    ServiceSpec(id="arrears.query", title_zh="欠税查询", title_en="Tax owed", summary_zh="未缴税款、滞纳金和应缴总额", summary_en="Unpaid tax, late fees and the total to pay", group=Group.LOOKUP, policy=Policy.ONLINE_ONLY, entry_screen="arrears.query", icon="arrears", identity=Identity.ANY, identity_methods=(IdentityMethod.ID_CARD, IdentityMethod.QR, IdentityMethod.PASSWORD), factory="kiosk.services.arrears:build", order=30),
    ServiceSpec(id="progress.query", title_zh="办理进度", title_en="Application progress", summary_zh="申请和退税办到哪一步了", summary_en="Where your applications and refunds stand", group=Group.LOOKUP, policy=Policy.ONLINE_ONLY, entry_screen="progress.query", icon="progress", identity=Identity.ANY, identity_methods=(IdentityMethod.ID_CARD, IdentityMethod.QR, IdentityMethod.PASSWORD), factory="kiosk.services.progress:build", order=40),
    ServiceSpec(id="notices", title_zh="我的消息", title_en="My messages", summary_zh="推送给您的政策提示和提醒", summary_en="Policy news and reminders for you", group=Group.LOOKUP, policy=Policy.ONLINE_ONLY, entry_screen="notices", icon="notices", identity=Identity.ANY, identity_methods=(IdentityMethod.ID_CARD, IdentityMethod.QR, IdentityMethod.PASSWORD), factory="kiosk.services.notices:build", order=50),
    ServiceSpec(id="identity.login", title_zh="登录", title_en="Sign in", summary_zh="刷身份证、扫码或输入密码登录", summary_en="ID card, tax app QR code or password", group=Group.LOOKUP, policy=Policy.LOCAL, entry_screen="identity.login", icon="identity", identity=Identity.PERSON, identity_methods=(IdentityMethod.ID_CARD, IdentityMethod.QR, IdentityMethod.PASSWORD), factory="kiosk.services.identity:build", order=-100),
    ServiceSpec(id="consult.callback", title_zh="预约回电", title_en="12366 callback", summary_zh="留下电话和问题，12366 回电答复", summary_en="Leave your number: 12366 calls you back", group=Group.GUIDANCE, policy=Policy.QUEUE, entry_screen="consult.callback", icon="callback", record_kinds=("consult.callback",), factory="kiosk.services.callback:build", order=60),
    ServiceSpec(id="consult.ticket", title_zh="工单查询", title_en="Ticket look-up", summary_zh="凭工单号查看回电进度和答复", summary_en="See the replies to your 12366 ticket", group=Group.GUIDANCE, policy=Policy.ONLINE_ONLY, entry_screen="consult.ticket", icon="progress", factory="kiosk.services.ticket:build", order=61),
    ServiceSpec(id="school.courses", title_zh="税务学堂", title_en="Tax school", summary_zh="查看课程，预约、取消和评价", summary_en="Courses: book a seat, cancel, give a score", group=Group.GUIDANCE, policy=Policy.CACHE, entry_screen="school.courses", icon="school", identity=Identity.PERSON, identity_methods=(IdentityMethod.ID_CARD, IdentityMethod.QR, IdentityMethod.PASSWORD), factory="kiosk.services.school:build", order=70),
    ServiceSpec(id="suggestion.box", title_zh="意见建议", title_en="Suggestions and ideas", summary_zh="意见建议和创意征集，可留联系电话", summary_en="Tell us what to improve, or share an idea", group=Group.GUIDANCE, policy=Policy.QUEUE, entry_screen="suggestion.box", icon="suggestion", record_kinds=("suggestion",), factory="kiosk.services.suggestion:build", order=80),
    # Guidance, information and consultation (issue #13; kinds in docs/automation.md).
    ServiceSpec(id="guide.catalogue", title_zh="办税导航", title_en="Tax guide", summary_zh="查事项：在哪办、带什么资料、多久办结", summary_en="Where to go, what to bring, how long it takes", group=Group.GUIDANCE, policy=Policy.CACHE, entry_screen="guide.catalogue", icon="guide", factory="kiosk.services.guide:build", order=10),
    ServiceSpec(id="consult.faq", title_zh="12366智能咨询", title_en="12366 questions", summary_zh="输入问题，查看答复和政策依据", summary_en="Type a question: answers with their policy basis", group=Group.GUIDANCE, policy=Policy.CACHE, entry_screen="consult.faq", icon="consult", factory="kiosk.services.faq:build", order=20),
    ServiceSpec(id="guide.calendar", title_zh="办税日历", title_en="Filing calendar", summary_zh="本月申报纳税期限和剩余天数", summary_en="This month's filing deadlines and days left", group=Group.GUIDANCE, policy=Policy.CACHE, entry_screen="guide.calendar", icon="calendar", factory="kiosk.services.calendar:build", order=30),
    ServiceSpec(id="info.announcements", title_zh="通知公告", title_en="Notices and policies", summary_zh="通知公告、政策法规、失信案件和A级名单", summary_en="Notices, policies, tax violators, A-rated list", group=Group.GUIDANCE, policy=Policy.CACHE, entry_screen="info.announcements", icon="announcements", factory="kiosk.services.announcements:build", order=40),
    ServiceSpec(id="guide.departure_refund", title_zh="离境退税", title_en="Tax refund for visitors", summary_zh="境外旅客退税：条件、金额、办理地点", summary_en="Who qualifies, how much, and where to go", group=Group.GUIDANCE, policy=Policy.CACHE, entry_screen="guide.departure_refund", icon="departure-refund", factory="kiosk.services.departure_refund:build", order=50),
    ServiceSpec(id="calc.iit_annual", title_zh="个税汇算计算器", title_en="IIT annual calculator", summary_zh="估算年度汇算应补或应退税额", summary_en="Estimate the annual balance to pay or refund", group=Group.GUIDANCE, policy=Policy.LOCAL, entry_screen="calc.iit_annual", icon="calculator", factory="kiosk.services.calculators_service:build", order=90),
    ServiceSpec(id="calc.iit_monthly", title_zh="工资个税计算器", title_en="Wage withholding calculator", summary_zh="累计预扣法计算本月应预扣税额", summary_en="This month's withholding, cumulative method", group=Group.GUIDANCE, policy=Policy.LOCAL, entry_screen="calc.iit_monthly", icon="calculator", factory="kiosk.services.calculators_service:build", order=91),
    ServiceSpec(id="calc.bonus", title_zh="年终奖计算器", title_en="Year-end bonus calculator", summary_zh="单独计税还是并入综合所得更省", summary_en="Taxed alone or combined: which costs less", group=Group.GUIDANCE, policy=Policy.LOCAL, entry_screen="calc.bonus", icon="calculator", factory="kiosk.services.calculators_service:build", order=92),
    ServiceSpec(id="calc.labour", title_zh="劳务报酬计算器", title_en="Labour fee calculator", summary_zh="计算一次劳务报酬的预扣税额", summary_en="Withholding on one labour remuneration payment", group=Group.GUIDANCE, policy=Policy.LOCAL, entry_screen="calc.labour", icon="calculator", factory="kiosk.services.calculators_service:build", order=93),
    ServiceSpec(id="calc.vehicle", title_zh="车船税计算器", title_en="Vehicle tax calculator", summary_zh="按排气量和月份计算乘用车车船税", summary_en="Car tax by engine size and months owned", group=Group.GUIDANCE, policy=Policy.LOCAL, entry_screen="calc.vehicle", icon="calculator", factory="kiosk.services.calculators_service:build", order=94),
)


class UnknownService(KeyError):
    pass


def spec(service_id: str, catalogue: tuple[ServiceSpec, ...] = CATALOGUE) -> ServiceSpec:
    for s in catalogue:
        if s.id == service_id:
            return s
    raise UnknownService(service_id)


def by_group(catalogue: tuple[ServiceSpec, ...] = CATALOGUE
             ) -> list[tuple[Group, list[ServiceSpec]]]:
    """Taxpayer groups in display order, each with its services in order (staff
    services and empty groups left out)."""
    out: list[tuple[Group, list[ServiceSpec]]] = []
    for group in Group:
        if group is Group.STAFF:
            continue
        members = sorted((s for s in catalogue if s.group is group), key=lambda s: s.order)
        if members:
            out.append((group, members))
    return out


#: Scan kinds only the open service takes; they never open one. A payer's payment code
#: pays the order on the open payment screen: scanned anywhere else it must not start
#: `tax.pay` (there is no order to pay yet).
OPEN_SERVICE_ONLY: frozenset[ScanKind] = frozenset({ScanKind.PAYMENT_CODE})


def claimants(kind: ScanKind, catalogue: tuple[ServiceSpec, ...] = CATALOGUE
              ) -> list[ServiceSpec]:
    """Services a scan of this kind opens, in catalogue order (none for the kinds in
    OPEN_SERVICE_ONLY: ServiceSpec.scans still lets the open service take them)."""
    if kind in OPEN_SERVICE_ONLY:
        return []
    return [s for s in catalogue if kind in s.scans]


def check_catalogue(catalogue: tuple[ServiceSpec, ...] = CATALOGUE) -> list[str]:
    """Problems in a catalogue (a test holds CATALOGUE to none): duplicate ids, empty
    titles, identity methods without identity, record kinds without a queue policy."""
    problems = []
    seen: set[str] = set()
    for s in catalogue:
        if s.id in seen:
            problems.append(f"{s.id}: declared twice")
        seen.add(s.id)
        if not all((s.title_zh, s.title_en, s.summary_zh, s.summary_en)):
            problems.append(f"{s.id}: a title or summary is empty")
        if s.identity is Identity.NONE and s.identity_methods:
            problems.append(f"{s.id}: identity methods without an identity requirement")
        if s.identity is not Identity.NONE and not s.identity_methods:
            problems.append(f"{s.id}: needs identity but names no method")
        if s.factory is not None and ":" not in s.factory:
            problems.append(f"{s.id}: factory must be 'module:callable'")
        if ScanKind.UNKNOWN in s.scans:  # the router gives unknown scans to nobody
            problems.append(f"{s.id}: cannot claim unknown scans")
    return problems
