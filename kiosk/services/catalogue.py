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


@dataclass(frozen=True)
class ServiceSpec:
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


def claimants(kind: ScanKind, catalogue: tuple[ServiceSpec, ...] = CATALOGUE
              ) -> list[ServiceSpec]:
    """Services that take this kind of scan, in catalogue order."""
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
