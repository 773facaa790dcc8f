"""Logistics staff at the dispenser (issue #12 §2): box labels, stock loading and the
per-cassette reconciliation (loaded = issued + remaining). Qt-free.

- Box labels: `FPBOX,<invoice kind>,<code>,<first>,<last>` (docs/automation.md); a
  bureau with its own label format sets `[dispenser] box_label_parser =
  "module:function"` (a function `str -> BoxLabel`, raising ValueError for a label it
  does not accept).
- Reconciliation reads the device's cassettes and the dispense journal: per cassette
  what left it (device: next number − first), what the journal says left it (its
  jobs on that code and range), taken, retracted (reject bin) and remaining. A
  difference, or a job that needs a manual check, is flagged and blocks the cassette
  (`DispenseJournal.block`) until a technician clears it (`reconciliation_clear`).
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from drivers.dispenser import CassetteState, DispenseJob, DispenseJournal
from drivers.errors import DeviceError
from offline_queue.invoice_rules import INVOICE_KINDS, overlaps
from printing.document import Columns, Document, Feed, Grid, GridCell, Heading, Text

from ..domain.errors import DomainError
from ..hall_time import to_hall

LABEL_PREFIX = "FPBOX"


@dataclass(frozen=True)
class BoxLabel:
    invoice_kind: str
    code: str
    first: int
    last: int

    @property
    def count(self) -> int:
        return self.last - self.first + 1


def parse_box_label(text: str) -> BoxLabel:
    """`FPBOX,<kind>,<code>,<first>,<last>` -> BoxLabel; ValueError (in words) else."""
    parts = [p.strip() for p in text.strip().split(",")]
    if len(parts) != 5 or parts[0] != LABEL_PREFIX:
        raise ValueError("not an invoice box label (FPBOX,<kind>,<code>,<first>,<last>)")
    _, kind, code, first, last = parts
    if kind not in INVOICE_KINDS:
        raise ValueError(f"unknown invoice kind {kind!r}")
    if not (code.isdigit() and len(code) in (10, 12)):
        raise ValueError("the invoice code must be 10 or 12 digits")
    if not (first.isdigit() and last.isdigit() and len(first) <= 8 and len(last) <= 8):
        raise ValueError("first and last must be invoice numbers of up to 8 digits")
    a, b = int(first), int(last)
    if not 0 < a <= b:
        raise ValueError("the last number must not be below the first")
    return BoxLabel(kind, code, a, b)


def label_parser(reference: str | None) -> Callable[[str], BoxLabel]:
    """The configured label parser ("module:function"), or the FPBOX one."""
    if not reference:
        return parse_box_label
    module, _, name = reference.partition(":")
    parser = getattr(importlib.import_module(module), name, None)
    if not callable(parser):
        raise ValueError(f"box_label_parser {reference!r} is not a callable")
    return parser


@dataclass(frozen=True)
class CassetteFigures:
    slot: int
    invoice_kind: str
    code: str
    first: int
    last: int
    loaded: int
    left_device: int  # by the device's counter: next number - first
    left_journal: int  # by the journal's jobs on this range
    taken: int
    retracted: int
    in_slot: int  # presented, outcome not known yet
    remaining: int
    manual_checks: int
    blocked: str | None
    jobs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def difference(self) -> int:
        return self.left_device - self.left_journal

    @property
    def ok(self) -> bool:
        """loaded = issued (taken + retracted + in slot) + remaining, and the journal
        agrees with the device."""
        return (self.difference == 0 and self.manual_checks == 0
                and self.loaded == self.taken + self.retracted + self.in_slot + self.remaining)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "difference": self.difference, "ok": self.ok}


def _in_range(job: DispenseJob, c: CassetteState) -> bool:
    return (job.code == c.code and job.first_no is not None
            and c.first <= job.first_no <= c.last)


def reconcile(cassettes: Sequence[CassetteState], journal: DispenseJournal
              ) -> list[CassetteFigures]:
    """Per loaded cassette: the figures and the jobs behind them. Reads only."""
    blocks = journal.open_blocks()
    out = []
    for c in cassettes:
        if c.kind == 0:
            continue
        jobs = [j for j in journal.cassette_jobs(c.slot)
                if _in_range(j, c) or (j.state == "manual_check" and j.code == c.code)]
        counted = [j for j in jobs if j.dispensed]
        taken = sum(j.dispensed or 0 for j in counted if j.presentation == "taken")
        retracted_journal = sum(j.dispensed or 0 for j in counted
                                if j.presentation in ("retracted", "lost"))
        in_slot = sum(j.dispensed or 0 for j in counted
                      if j.presentation in (None, "presented"))
        out.append(CassetteFigures(
            slot=c.slot, invoice_kind=c.kind_name, code=c.code, first=c.first, last=c.last,
            loaded=c.loaded, left_device=c.next_no - c.first,
            left_journal=sum(j.dispensed or 0 for j in counted), taken=taken,
            retracted=max(retracted_journal, c.retracted) if retracted_journal == c.retracted
            else retracted_journal, in_slot=in_slot, remaining=c.remaining,
            manual_checks=sum(1 for j in jobs if j.state == "manual_check"),
            blocked=blocks[c.slot].reason if c.slot in blocks else None,
            jobs=[{"job_id": j.job_id, "pickup": j.pickup, "first": j.first_no,
                   "last": j.last_no, "dispensed": j.dispensed, "state": j.state,
                   "presentation": j.presentation} for j in jobs]))
    return out


def block_differences(figures: Sequence[CassetteFigures], journal: DispenseJournal) -> list[int]:
    """Block every cassette whose figures do not add up; the slots blocked. A difference
    a technician already checked and cleared stays cleared (the sheets that went are
    gone for good: blocking it again at every reconciliation would close the cassette
    until it is emptied); a new one, or one that grew, blocks again."""
    blocked = []
    accepted = journal.cleared_blocks()
    for f in figures:
        if not f.ok:
            reason = f"difference {f.difference}, manual checks {f.manual_checks}"
            last = accepted.get(f.slot)
            if f.blocked is None and last is not None and last.reason == reason:
                continue
            journal.block(f.slot, reason)
            blocked.append(f.slot)
    return blocked


# -- logistics mode (maintenance sign-in, role `logistics`) ----------------------------

STOCK_REASONS: dict[str, tuple[str, str]] = {
    "stock.unknown": ("该盒发票未分配给本大厅", "This box is not allocated to this hall"),
    "stock.issued": ("该盒部分号码已发出，不能装入", "Some numbers of this box were issued already"),
    "stock.kind": ("发票种类不符", "The invoice kind does not match"),
    "stock.overlap": ("号码段与已装入的发票重叠", "The range overlaps stock already loaded"),
    "stock.label": ("无法识别的发票盒标签", "Not an invoice box label"),
    "stock.no_cassette": ("没有可装入该盒的空钱箱", "No cassette can take this box"),
    "stock.device": ("发票机不可用", "The dispenser is not available"),
    "service.network": ("无法连接税务系统，暂不能核对库存", "The tax service cannot be reached "
                        "to check the box"),
    "courier.waybill": ("请先扫描快递运单号", "Scan the courier waybill first"),
}


def stock_text(code: str, lang: str) -> str:
    zh, en = STOCK_REASONS.get(code, ("操作失败", "The step failed"))
    return zh if lang == "zh" else en


class LogisticsError(DomainError):
    """A logistics step refused; `code` is a STOCK_REASONS code (or a pickup code)."""

    code = "stock.device"


@dataclass(frozen=True)
class Loaded:
    label: BoxLabel
    cassette: CassetteState


class LogisticsService:
    """Stock loading, courier dispatch and reconciliation for signed-in logistics staff
    (every method blocks: call it off the GUI thread). The staff actions are audited by
    the caller (ui.staff_mode.StaffMode.record) with figures only, no personal data."""

    def __init__(self, *, central: Any, keys: Any, as_enrolled: Callable[[Any], Any],
                 connectivity: Any, driver: Callable[[], Any], pickup: Any,
                 a4: Callable[[], Any], slips: Any, kiosk_id: str,
                 parser: Callable[[str], BoxLabel] = parse_box_label,
                 now: Callable[[], datetime] = datetime.now) -> None:
        self._central = central
        self._keys = keys
        self._as_enrolled = as_enrolled
        self._connectivity = connectivity
        self._driver = driver
        self.pickup = pickup
        self._a4 = a4
        self.slips = slips
        self.kiosk_id = kiosk_id
        self.parse = parser
        self._now = now

    # -- plumbing ---------------------------------------------------------------------
    def _device(self) -> Any:
        driver = self._driver()
        if driver is None or getattr(driver, "journal", None) is None:
            raise LogisticsError("no invoice dispenser on this terminal", "stock.device")
        return driver

    def _call(self, purpose: str, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        from ..central_client import CentralRejected, CentralUnavailable

        try:
            answer = self._as_enrolled(
                lambda: self._central.sealed_call(self._keys, purpose, path, payload))
        except CentralUnavailable:
            self._connectivity.mark_down()
            raise LogisticsError("the tax service cannot be reached", "service.network") \
                from None
        except CentralRejected as exc:
            raise LogisticsError(f"refused ({exc.status})", "stock.kind"
                                 if exc.status == 422 else "service.network") from None
        self._connectivity.mark_ok()
        if not isinstance(answer, dict):
            raise LogisticsError("unreadable answer", "service.network")
        return answer

    def cassettes(self) -> list[CassetteState]:
        try:
            return self._device().cassettes()
        except DeviceError as exc:
            raise LogisticsError(exc.message, "stock.device") from None

    def blocks(self) -> dict[int, str]:
        return {slot: b.reason for slot, b in self._device().journal.open_blocks().items()}

    # -- stock loading -------------------------------------------------------------------
    def load_box(self, text: str, staff_id: str) -> Loaded:
        """Check a scanned box label with the central (allocated to this hall, nothing
        issued) and against what the dispenser holds (no overlap), then load it into
        the cassette that continues its range or an empty one, and journal the load."""
        try:
            label = self.parse(text)
        except ValueError:
            raise LogisticsError("not a box label", "stock.label") from None
        driver = self._device()
        try:
            held = driver.cassettes()
        except DeviceError as exc:
            raise LogisticsError(exc.message, "stock.device") from None
        for c in held:
            if c.kind and c.code == label.code and overlaps(label.first, label.last,
                                                            c.first, c.last):
                raise LogisticsError("overlaps loaded stock", "stock.overlap")
        answer = self._call("invoices.stock_check", "invoices/stock-check",
                            {"invoice_kind": label.invoice_kind, "code": label.code,
                             "first": label.first, "last": label.last})
        if answer.get("ok") is not True:
            reason = str(answer.get("reason") or "stock.unknown")
            raise LogisticsError(f"refused: {reason}", reason if reason in STOCK_REASONS
                                 else "stock.unknown")
        slot = next((c.slot for c in held if c.kind and c.kind_name == label.invoice_kind
                     and c.code == label.code and c.last + 1 == label.first
                     and c.remaining > 0), None)
        if slot is None:
            slot = next((c.slot for c in held if c.kind == 0 or c.remaining == 0), None)
        if slot is None:
            raise LogisticsError("no cassette free", "stock.no_cassette")
        try:
            state = driver.load(slot, label.invoice_kind, label.code, label.first, label.last)
        except DeviceError as exc:
            raise LogisticsError(exc.message, "stock.overlap" if "overlap" in exc.message.lower()
                                 else "stock.device") from None
        driver.journal.record_load(slot, label.invoice_kind, label.code, label.first,
                                   label.last, staff_id)
        return Loaded(label, state)

    # -- courier dispatch ---------------------------------------------------------------
    def courier_orders(self) -> list[Any]:
        """The hall's pending courier (03) orders not yet dispatched from here."""
        from .pickup import order_from

        answer = self._call("invoices.courier", "invoices/courier", {})
        journal = self._device().journal
        try:
            orders = [order_from(o) for o in answer.get("orders") or ()]
        except (KeyError, TypeError, ValueError):
            raise LogisticsError("unreadable courier orders", "service.network") from None
        return [o for o in orders if not journal.application_done(o.application_no)]

    def dispatch(self, order: Any, waybill: str, *,
                 on_box: Callable[[int, int, Any], None] = lambda i, n, box: None) -> Any:
        """Dispense a courier order (the staff member takes each box from the slot) with
        the scanned waybill; the invoice.issue record (method 03) is queued."""
        if not waybill:
            raise LogisticsError("no waybill", "courier.waybill")
        if order.refusal is not None:
            raise LogisticsError(f"refused: {order.refusal}", order.refusal)
        pd = self.pickup.pickup_dispenser()
        try:
            return pd.dispense(order, on_box=on_box, waybill=waybill)
        except DeviceError as exc:
            raise LogisticsError(exc.message, "stock.device") from None

    def print_packing_slip(self, order: Any, outcome: Any, waybill: str, lang: str) -> None:
        """The packing slip for the parcel: application, taxpayer masked, boxes, waybill."""
        from .pickup import receipt_rows

        zh = lang == "zh"
        rows = [r for r in receipt_rows(order, outcome, lang) if r[1] != order.application_no]
        rows.insert(0, ("快递运单号" if zh else "Waybill", waybill))
        self.slips.print_receipt(
            lang=lang, title=("发票邮寄装箱单", "Invoice packing slip"),
            number_label="申请号" if zh else "Application", number=order.application_no,
            headline=(f"共 {outcome.taken} 份" if zh else f"{outcome.taken} pieces"),
            rows=rows, notes=[], qr_data=f"TAXKIOSK:PARCEL:{outcome.pickup_id}")

    # -- reconciliation -----------------------------------------------------------------
    def reconcile(self) -> list[CassetteFigures]:
        driver = self._device()
        try:
            return reconcile(driver.cassettes(), driver.journal)
        except DeviceError as exc:
            raise LogisticsError(exc.message, "stock.device") from None

    def block(self, figures: Sequence[CassetteFigures]) -> list[int]:
        return block_differences(figures, self._device().journal)

    def clear(self, slot: int, staff_id: str) -> bool:
        return self._device().journal.clear_block(slot, staff_id)

    def report_document(self, figures: Sequence[CassetteFigures], lang: str,
                        staff_id: str) -> Document:
        return reconciliation_document(figures, lang=lang, kiosk_id=self.kiosk_id,
                                       staff_id=staff_id, printed_at=to_hall(self._now()))

    def print_report(self, document: Document) -> None:
        """The A4 report (PDF via the A4 printer); PrintFailed with the reason."""
        from .slips import PrintFailed

        printer = self._a4()
        if printer is None:
            raise PrintFailed("a4.no_hardware", "no A4 printer is configured")
        try:
            printer.print_document(document, title="dispenser reconciliation")
        except DeviceError as exc:
            code = exc.extended.value if exc.extended else exc.code.value
            raise PrintFailed(code, exc.message) from exc


def figures_summary(figures: Sequence[CassetteFigures]) -> dict[str, Any]:
    """What the audit record keeps: per cassette the figures, no personal data."""
    return {"ok": all(f.ok for f in figures),
            "cassettes": [{"slot": f.slot, "invoice_kind": f.invoice_kind, "code": f.code,
                           "loaded": f.loaded, "taken": f.taken, "retracted": f.retracted,
                           "in_slot": f.in_slot, "remaining": f.remaining,
                           "difference": f.difference, "manual_checks": f.manual_checks}
                          for f in figures]}


def reconciliation_document(figures: Sequence[CassetteFigures], *, lang: str, kiosk_id: str,
                            staff_id: str, printed_at: datetime) -> Document:
    """The A4 reconciliation report: per cassette loaded = issued + remaining, every
    pickup and dispatch job behind it, a difference marked."""
    zh = lang == "zh"

    def t(a: str, b: str) -> str:
        return a if zh else b

    doc = Document(title=t("发票机对账报告", "Dispenser reconciliation report"))
    doc.add(Heading(t("发票机对账报告", "Dispenser reconciliation report")),
            Columns((f"{t('终端', 'Terminal')}: {kiosk_id}",
                     f"{t('对账人', 'Staff')}: {staff_id}",
                     f"{t('时间', 'Time')}: {printed_at:%Y-%m-%d %H:%M}"),
                    widths=(1, 1, 1)))
    head = tuple(GridCell(x, bold=True, shaded=True) for x in (
        t("钱箱", "Cassette"), t("种类 / 代码 / 号段", "Kind / code / range"),
        t("装入", "Loaded"), t("领走", "Taken"), t("回收", "Retracted"),
        t("出口待取", "In slot"), t("剩余", "Remaining"), t("结果", "Result")))
    rows = [head]
    for f in figures:
        result = t("相符", "OK") if f.ok else t(f"差异 {f.difference}，已锁定",
                                                  f"DIFFERENCE {f.difference}, blocked")
        rows.append(tuple(GridCell(x, bold=not f.ok) for x in (
            str(f.slot), f"{f.invoice_kind}\n{f.code} {f.first:08d}-{f.last:08d}",
            str(f.loaded), str(f.taken), str(f.retracted), str(f.in_slot), str(f.remaining),
            result)))
    doc.add(Grid((1, 5, 1, 1, 1, 1, 1, 2), tuple(rows)))
    doc.add(Feed(1), Text(t("明细（每次领用和邮寄）", "Jobs (every pickup and dispatch)"),
                          bold=True))
    for f in figures:
        for j in f.jobs:
            if not j.get("dispensed"):
                continue
            doc.add(Columns((str(f.slot), str(j.get("pickup") or "-")[:12],
                             f"{j['first']:08d}-{j['last']:08d}" if j.get("first") else "-",
                             str(j.get("dispensed")), str(j.get("presentation") or j["state"])),
                            widths=(1, 3, 4, 1, 2)))
    doc.add(Feed(1), Text(t("装入 = 领走 + 回收 + 出口待取 + 剩余；差异需技术人员核查后解除锁定。",
                            "Loaded = taken + retracted + in slot + remaining; a difference "
                            "blocks the cassette until a technician clears it.")))
    return doc


def build(ctx: Any) -> LogisticsService:
    """The logistics service on the core's parts (built by the logistics screen)."""
    return LogisticsService(
        central=ctx.central, keys=ctx.keys, as_enrolled=ctx._as_enrolled,
        connectivity=ctx.connectivity, driver=lambda: ctx.driver("invoice_dispenser"),
        pickup=ctx.services.get("invoice.pickup"), a4=lambda: ctx.driver("a4_printer"),
        slips=ctx.slips, kiosk_id=ctx.kiosk_id,
        parser=label_parser(ctx.config.dispenser.box_label_parser), now=ctx.clock.now)
