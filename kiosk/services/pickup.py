"""Use case `invoice.pickup` (issue #12 §1): a taxpayer collects the paper invoices
they applied for, at the dispenser, and the logistics staff's courier dispatch uses the
same dispensing. Qt-free.

- Look-up (online): by 取票码 or the taxpayer's pending 02 applications, through the
  sealed call `invoices/pickup` with the identity session; the answer carries the 验旧
  rows, the caps and a refusal code (offline_queue.invoice_rules.REFUSALS).
- Stock: the dispenser's cassettes of the order's kind that no reconciliation
  difference blocks (`DispenseJournal.open_blocks`), in slot order; a quantity is
  planned as jobs of at most 50 sheets (the device's per-job limit).
- Dispensing (`PickupDispenser.dispense`): the pickup is journalled ('open') before
  the first job, each job before its frame is written (drivers.dispenser), each box
  presented and waited for (taken, or retracted into the reject bin after
  `[dispenser] retract_s`); then one `invoice.issue` record is queued and the pickup
  marked 'recorded'. `recover()` (before any new pickup) reconciles open jobs with the
  device, waits out sheets still in the slot and queues the record of any pickup a
  crash left open: the central marks a pickup's ranges once (by pickup id), so a record
  sent twice issues nothing twice.
"""
from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from drivers.dispenser import CassetteState, DispenseJob, DispenseJournal
from drivers.dispenser.frame import MAX_SHEETS_PER_JOB
from drivers.errors import DeviceError, DeviceErrorCode
from offline_queue.invoice_rules import (
    METHOD_TERMINAL,
    REFUSALS,
    refusal_text,
    split_jobs,
)
from offline_queue.payloads import INVOICE_ISSUE_KIND

from .. import log
from ..domain.errors import DomainError
from ..domain.masking import mask
from .exposure import check_room

if TYPE_CHECKING:
    from .context import ServiceContext

_log = log.get("session")

SERVICE_ID = "invoice.pickup"
DEFAULT_RETRACT_S = 60


class PickupError(DomainError):
    """A pickup that cannot go on; `code` names why (REFUSALS, KIOSK_TEXTS, or a
    ui/messages.py code: service.network, session.expired, queue.limit)."""

    code = "pickup.device"

    def __init__(self, message: str, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message, code, field)


# What the kiosk itself refuses or reports, in both languages (the central's refusals
# are offline_queue.invoice_rules.REFUSALS).
KIOSK_TEXTS: dict[str, tuple[str, str]] = {
    "pickup.device": ("发票机暂不可用，请至窗口领取或联系工作人员",
                      "The invoice dispenser is not available; please go to a counter "
                      "or ask the hall staff"),
    "pickup.recovering": ("发票机正在核对上一笔领用，请稍候或联系工作人员",
                          "The dispenser is settling an earlier pickup; please wait or "
                          "ask the hall staff"),
    "pickup.not_cached": ("网络中断，本机没有您可领取的申请，请稍后再试或至窗口办理",
                          "The tax service cannot be reached and this terminal holds no "
                          "application for you; please try later or go to a counter"),
    "pickup.retracted": ("您未及时取走发票，发票已被回收，请联系工作人员",
                         "The invoices were not taken in time and went back into the "
                         "machine; please ask the hall staff"),
}


def pickup_text(code: str, lang: str) -> str:
    """The words for a pickup refusal or kiosk code, in `lang`."""
    if code in KIOSK_TEXTS:
        zh, en = KIOSK_TEXTS[code]
        return zh if lang == "zh" else en
    return refusal_text(code, lang)


@dataclass(frozen=True)
class Caps:
    balance: int
    per_pickup_max: int
    holding_max: int
    monthly_max: int
    month_left: int
    max_now: int
    reason: str | None

    def text(self, lang: str) -> str:
        """label.caps: 结存 / 本次最高可领 / 本月剩余, and why 本次最高可领 is 0."""
        if lang == "zh":
            line = (f"结存 {self.balance} 份 / 本次最高可领 {self.max_now} 份 / "
                    f"本月剩余 {self.month_left} 份")
            why = {"holding": f"您已持有 {self.balance} 份未使用，持票上限 {self.holding_max} 份",
                   "month": f"本月已达领用上限 {self.monthly_max} 份",
                   "per_pickup": f"每次最高 {self.per_pickup_max} 份"}
        else:
            line = (f"Unused held {self.balance} / max this time {self.max_now} / "
                    f"left this month {self.month_left}")
            why = {"holding": f"You hold {self.balance} unused, the holding limit is "
                              f"{self.holding_max}",
                   "month": f"This month's limit of {self.monthly_max} is reached",
                   "per_pickup": f"At most {self.per_pickup_max} per pickup"}
        return line if self.reason is None else f"{line}\n{why[self.reason]}"


@dataclass(frozen=True)
class VerifyRow:
    """One holding under 验旧: used pieces must all be uploaded."""

    invoice_kind: str
    code: str
    first: str
    last: str
    count: int
    used: int
    uploaded: int
    verified: bool

    def text(self, lang: str) -> str:
        mark = ("✓ 已验旧" if lang == "zh" else "✓ verified") if self.verified else \
            ("✗ 未验旧" if lang == "zh" else "✗ not verified")
        used = f"已用 {self.used} / 已上传 {self.uploaded}" if lang == "zh" else \
            f"used {self.used} / uploaded {self.uploaded}"
        return f"{self.code} {self.first}–{self.last}  {used}  {mark}"


@dataclass(frozen=True)
class Order:
    application_no: str
    invoice_kind: str
    quantity: int
    method: str
    tin: str
    name: str
    verify_rows: tuple[VerifyRow, ...]
    caps: Caps | None
    refusal: str | None
    pickup_code: str = ""
    offline: bool = False  # from the kiosk's cache (central unreachable): 验旧 as of `as_of`
    as_of: str = ""

    def refusal_text(self, lang: str) -> str | None:
        if self.refusal is None:
            return None
        text = refusal_text(self.refusal, lang)
        if self.refusal == "pickup.over_cap" and self.caps is not None:
            text = f"{text}\n{self.caps.text(lang)}"
        return text

    def verify_summary(self, lang: str) -> str:
        ok = sum(1 for r in self.verify_rows if r.verified)
        if lang == "zh":
            return f"验旧 {ok}/{len(self.verify_rows)} 项通过" if self.verify_rows else "无需验旧"
        return (f"Used invoices verified: {ok} of {len(self.verify_rows)}"
                if self.verify_rows else "Nothing to verify")


def order_from(data: dict[str, Any], *, offline: bool = False, as_of: str = "") -> Order:
    caps = data.get("caps")
    return Order(
        application_no=str(data["application_no"]), invoice_kind=str(data["invoice_kind"]),
        quantity=int(data["quantity"]), method=str(data.get("method", METHOD_TERMINAL)),
        tin=str(data.get("tin", "")), name=str(data.get("name", "")),
        verify_rows=tuple(VerifyRow(str(r["invoice_kind"]), str(r["code"]), str(r["first"]),
                                    str(r["last"]), int(r["count"]), int(r["used"]),
                                    int(r["uploaded"]), bool(r["verified"]))
                          for r in data.get("verify_rows", ())),
        caps=Caps(**{k: caps[k] for k in ("balance", "per_pickup_max", "holding_max",
                                          "monthly_max", "month_left", "max_now", "reason")})
        if caps else None,
        refusal=data.get("refusal") if data.get("refusal") in REFUSALS else
        (None if data.get("refusal") is None else "pickup.no_eligibility"),
        pickup_code=str(data.get("pickup_code", "")), offline=offline, as_of=as_of)


@dataclass(frozen=True)
class Box:
    """One job's range: what the 领用凭条 and the record list per box."""

    cassette: int
    invoice_kind: str
    code: str
    first: int
    last: int
    taken: bool

    @property
    def count(self) -> int:
        return self.last - self.first + 1

    def payload(self) -> dict[str, Any]:
        return {"invoice_kind": self.invoice_kind, "code": self.code, "first": self.first,
                "last": self.last, "taken": self.taken, "cassette": self.cassette}

    def text(self, lang: str) -> str:
        state = "" if self.taken else ("（已回收）" if lang == "zh" else " (retracted)")
        unit = "份" if lang == "zh" else "pcs"
        return (f"{self.invoice_kind} {self.code} {self.first:08d}-{self.last:08d} "
                f"{self.count} {unit}{state}")


@dataclass
class PickupOutcome:
    pickup_id: str
    application_no: str
    boxes: list[Box] = field(default_factory=list)
    record_uuid: str | None = None

    @property
    def taken(self) -> int:
        return sum(b.count for b in self.boxes if b.taken)


def boxes_of(jobs: Sequence[DispenseJob]) -> list[Box]:
    """The boxes a pickup's journalled jobs issued (sheets that left the cassette)."""
    out = []
    for job in jobs:
        if job.slot is None or not job.dispensed or job.first_no is None:
            continue
        out.append(Box(job.slot, job.kind or "", job.code or "", job.first_no,
                       job.first_no + job.dispensed - 1, job.presentation == "taken"))
    return out


def plan(kind: str, quantity: int, cassettes: Sequence[CassetteState],
         blocked: set[int]) -> list[tuple[int, int]]:
    """(slot, count) jobs for `quantity` pieces of `kind`, from the unblocked cassettes
    in slot order, each job at most MAX_SHEETS_PER_JOB; [] when the stock is short."""
    jobs: list[tuple[int, int]] = []
    need = quantity
    for c in cassettes:
        if need <= 0:
            break
        if c.kind_name != kind or c.slot in blocked or c.remaining <= 0:
            continue
        take = min(need, c.remaining)
        jobs += [(c.slot, n) for n in split_jobs(take, MAX_SHEETS_PER_JOB)]
        need -= take
    return jobs if need <= 0 else []


class PickupDispenser:
    """Dispensing with its journal and the record, shared by pickup and courier
    dispatch. `driver` is the InvoiceDispenser, `enqueue(kind, payload) -> uuid`."""

    def __init__(self, driver: Any, journal: DispenseJournal,
                 enqueue: Callable[[str, dict[str, Any]], str], *,
                 retract_s: int = DEFAULT_RETRACT_S,
                 now: Callable[[], datetime] = datetime.now) -> None:
        self._driver = driver
        self._journal = journal
        self._enqueue = enqueue
        self.retract_s = retract_s
        self._now = now

    def stock_plan(self, kind: str, quantity: int) -> list[tuple[int, int]]:
        return plan(kind, quantity, self._driver.cassettes(), set(self._journal.open_blocks()))

    def recover(self, busy_wait_s: float = 30.0) -> list[PickupOutcome]:
        """Settle what a crash left: reconcile open jobs with the device, wait until
        sheets still in the slot are taken or retracted, then queue the record of every
        open pickup. PickupError(pickup.recovering) when a job needs a person. A device
        still feeding the job a killed process started is waited for (`busy_wait_s`)."""
        deadline = time.monotonic() + busy_wait_s
        while True:
            try:
                self._driver.reconcile()
                break
            except DeviceError as exc:
                if exc.code is not DeviceErrorCode.BUSY or time.monotonic() >= deadline:
                    raise
                time.sleep(0.05)
        for job in self._journal.open_presentations():
            self._driver.await_presentation(job.job_id, (job.retract_s or self.retract_s) + 5)
        if self._journal.open_jobs() or self._journal.open_presentations():
            raise PickupError("the dispenser has unsettled jobs", "pickup.recovering")
        done = []
        for row in self._journal.pickups("open"):
            pickup_id = str(row["pickup_id"])
            jobs = self._journal.pickup_jobs(pickup_id)
            if any(j.state == "manual_check" for j in jobs):
                raise PickupError("a dispense job needs a manual check", "pickup.recovering")
            outcome = PickupOutcome(pickup_id, str(row["application_no"]), boxes_of(jobs))
            self._record(outcome, str(row["method"]), str(row["waybill"]), bool(row["offline"]))
            done.append(outcome)
        return done

    def dispense(self, order: Order, *, on_box: Callable[[int, int, Box | None], None]
                 = lambda i, n, box: None, waybill: str = "", offline: bool = False,
                 quantity: int | None = None) -> PickupOutcome:
        """Issue `quantity` (default: the order's) pieces box by box. `on_box(i, n,
        None)` before box i of n moves, `on_box(i, n, box)` once it waits in the slot
        (the screen says "请取走发票 / Please take your invoices"); the
        call returns when the last box was taken (or retracted) and the record is
        queued. A retracted box ends the pickup (the taxpayer left)."""
        self.recover()
        count = order.quantity if quantity is None else quantity
        jobs = self.stock_plan(order.invoice_kind, count)
        if not jobs:
            raise PickupError("this dispenser does not hold enough of the kind",
                              "pickup.not_stocked")
        pickup_id = uuid.uuid4().hex
        self._journal.open_pickup(pickup_id, order.application_no, order.method,
                                  order.invoice_kind, count, offline=offline)
        if waybill:
            self._journal.set_waybill(pickup_id, waybill)
        outcome = PickupOutcome(pickup_id, order.application_no)
        for index, (slot, n) in enumerate(jobs):
            on_box(index, len(jobs), None)
            job_id = f"{pickup_id}-{index}"
            try:
                self._driver.issue(slot, n, job_id, retract_s=self.retract_s, pickup=pickup_id)
            except Exception:
                # what did leave the machine is journalled: record it, then report
                self._driver.await_presentation(job_id, self.retract_s + 5)
                outcome.boxes = boxes_of(self._journal.pickup_jobs(pickup_id))
                self._record(outcome, order.method, waybill, offline)
                raise
            presented = boxes_of(self._journal.pickup_jobs(pickup_id))
            on_box(index, len(jobs), presented[-1] if presented else None)  # "please take"
            state = self._driver.await_presentation(job_id, self.retract_s + 5)
            outcome.boxes = boxes_of(self._journal.pickup_jobs(pickup_id))
            if state != "taken":
                break
        self._record(outcome, order.method, waybill, offline)
        return outcome

    def _record(self, outcome: PickupOutcome, method: str, waybill: str, offline: bool) -> None:
        if outcome.boxes:
            outcome.record_uuid = self._enqueue(INVOICE_ISSUE_KIND, {
                "pickup_id": outcome.pickup_id, "application_no": outcome.application_no,
                "method": method, "boxes": [b.payload() for b in outcome.boxes],
                "waybill": waybill, "offline": offline, "at": self._now().isoformat()})
        self._journal.pickup_recorded(outcome.pickup_id, outcome.record_uuid or "")


def receipt_rows(order: Order, outcome: PickupOutcome, lang: str) -> list[tuple[str, str]]:
    """The 领用凭条's rows (taxpayer masked for paper): application, each box, 验旧."""
    zh = lang == "zh"
    rows = [("纳税人" if zh else "Taxpayer", mask("id_number", order.tin, "paper") or ""
             if len(order.tin) == 18 and order.tin[:17].isdigit() else
             (mask("uscc", order.tin, "paper") or "")),
            ("姓名" if zh else "Name", mask("name", order.name, "paper") or ""),
            ("申请号" if zh else "Application", order.application_no)]
    for i, box in enumerate(outcome.boxes, 1):
        rows.append(((f"第{i}盒" if zh else f"Box {i}"), box.text(lang)))
    rows.append(("验旧" if zh else "Verification", order.verify_summary(lang)))
    return rows


# -- the service the screens use --------------------------------------------------------

RECEIPT_TITLE = ("发票领用凭条", "Invoice pickup receipt")
RECEIPT_QR_PREFIX = "TAXKIOSK:PICKUP:"
# The central's refusal codes a look-up may raise (beside the session's).
CENTRAL_CODES = frozenset({"session.expired", "pickup.unknown_code"})


class PickupService:
    """`invoice.pickup` for the screens (every method blocks: call it off the GUI
    thread). Online the orders come from the central service with the taxpayer's
    session; with the central unreachable, a taxpayer identified by ID card gets the
    orders this kiosk cached for its hall (kiosk.services.pickup_cache), within the
    offline exposure limits, and the record is queued like every record."""

    service_id = SERVICE_ID

    def __init__(self, *, calls: Any, driver: Callable[[], Any], outbox: Any, limits: Any,
                 on_queued: Callable[[], None], slips: Any, identity: Any,
                 retract_s: int = DEFAULT_RETRACT_S, cache: Any = None,
                 now: Callable[[], datetime] = datetime.now) -> None:
        self.calls = calls
        self._driver = driver
        self._outbox = outbox
        self._limits = limits
        self._on_queued = on_queued
        self.slips = slips
        self.identity = identity
        self.retract_s = retract_s
        self.cache = cache
        self._now = now
        self._dispenser: PickupDispenser | None = None
        self._lock = threading.Lock()
        # Set once a recover() found nothing left open: until then no new pickup starts.
        self.ready = threading.Event()

    # -- the dispenser ---------------------------------------------------------------
    def pickup_dispenser(self) -> PickupDispenser:
        driver = self._driver()
        if driver is None or getattr(driver, "journal", None) is None:
            raise PickupError("no invoice dispenser on this terminal", "pickup.device")
        with self._lock:
            if self._dispenser is None or self._dispenser._driver is not driver:
                self._dispenser = PickupDispenser(driver, driver.journal, self._enqueue,
                                                  retract_s=self.retract_s, now=self._now)
            return self._dispenser

    def _enqueue(self, kind: str, payload: dict[str, Any]) -> str:
        record = self._outbox.enqueue(kind, payload)
        self._on_queued()
        return str(record.uuid)

    def recover(self) -> list[PickupOutcome]:
        """Settle what a crash left (PickupDispenser.recover); `ready` once done."""
        try:
            outcomes = self.pickup_dispenser().recover()
        except DeviceError as exc:
            raise PickupError(f"the dispenser does not answer: {exc.message}",
                              "pickup.device") from None
        self.ready.set()
        return outcomes

    # -- look-up -----------------------------------------------------------------------
    def _who(self) -> Any:
        return self.identity.current if self.identity is not None else None

    def orders(self, pickup_code: str | None = None) -> list[Order]:
        """The taxpayer's order with `pickup_code`, or their pending terminal orders;
        each with the central's refusal, or the kiosk's own (already collected here,
        not held in this dispenser)."""
        who = self._who()
        if who is None:
            raise PickupError("nobody is identified", "session.needed")
        code = pickup_code.strip().upper() if pickup_code else None
        if who.offline:
            found = self._cached(who, code)
        else:
            try:
                answer = self.calls.call("invoices.pickup", "invoices/pickup",
                                         {"pickup_code": code} if code else {})
            except DomainError as exc:
                if exc.code == "pickup.unknown_code":
                    raise PickupError(str(exc), "pickup.unknown_code") from None
                if exc.code == "service.network" and self.cache is not None \
                        and who.login.id_number:
                    found = self._cached(who, code)  # the link dropped: the cache serves
                else:
                    raise
            else:
                try:
                    found = [order_from(o) for o in answer.get("orders") or ()]
                except (KeyError, TypeError, ValueError):
                    raise PickupError("unreadable pickup answer", "service.network") from None
        return [self._local_check(o) for o in found]

    def _cached(self, who: Any, code: str | None) -> list[Order]:
        id_number = who.login.id_number if who.login.kind == "person" else None
        if self.cache is None or not id_number:
            raise PickupError("the tax service cannot be reached", "service.network")
        found = self.cache.orders_for(id_number, code)
        if not found:
            raise PickupError("no cached order for this person", "pickup.unknown_code"
                              if code else "pickup.not_cached")
        return found

    def _local_check(self, order: Order) -> Order:
        if order.refusal is not None:
            return order
        try:
            pd = self.pickup_dispenser()
            if order.offline and pd._journal.application_done(order.application_no):
                return replace(order, refusal="pickup.done")  # collected here already
            if not pd.stock_plan(order.invoice_kind, order.quantity):
                return replace(order, refusal="pickup.not_stocked")
        except DeviceError:
            raise PickupError("the dispenser does not answer", "pickup.device") from None
        return order

    # -- dispensing ------------------------------------------------------------------
    def dispense(self, order: Order, *, on_box: Callable[[int, int, Box | None], None]
                 = lambda i, n, box: None) -> PickupOutcome:
        """Issue the order box by box (PickupDispenser.dispense); offline only within
        the exposure limits (QueueLimitExceeded: `queue.limit`)."""
        if order.refusal is not None:
            raise PickupError(f"refused: {order.refusal}", order.refusal)
        if not self.ready.is_set():
            self.recover()
        if order.offline:
            check_room(self._outbox, self._limits)
        try:
            return self.pickup_dispenser().dispense(order, on_box=on_box,
                                                    offline=order.offline)
        except DeviceError as exc:
            _log.warning("pickup %s stopped: %s", order.application_no, exc.message)
            raise PickupError(f"the dispenser failed: {exc.message}", "pickup.device") from None

    def print_receipt(self, order: Order, outcome: PickupOutcome, lang: str) -> None:
        """The 领用凭条 on the receipt printer (PrintFailed when it cannot)."""
        zh = lang == "zh"
        self.slips.print_receipt(
            lang=lang, title=RECEIPT_TITLE, number_label="申请号" if zh else "Application",
            number=order.application_no,
            headline=(f"已领取 {outcome.taken} 份" if zh else f"{outcome.taken} pieces collected"),
            # the application number heads the slip already
            rows=[r for r in receipt_rows(order, outcome, lang) if r[1] != order.application_no],
            notes=[("离线领取，联网后上传" if zh else "Collected offline; recorded when the "
                    "link is back")] if order.offline else [],
            qr_data=f"{RECEIPT_QR_PREFIX}{outcome.pickup_id}")


def build(ctx: ServiceContext) -> PickupService:
    """The catalogue's factory for `invoice.pickup`."""
    from .certificate_print import session_calls
    from .pickup_cache import PickupCache

    cache = PickupCache.for_outbox(ctx.outbox, ctx.keys)
    return PickupService(
        calls=session_calls(ctx, error_type=PickupError, codes=CENTRAL_CODES),
        driver=lambda: ctx.driver("invoice_dispenser"), outbox=ctx.outbox,
        limits=ctx.limits, on_queued=ctx.on_queued, slips=ctx.slips, identity=ctx.identity,
        retract_s=ctx.config.dispenser.retract_s, cache=cache, now=ctx.clock.now)
