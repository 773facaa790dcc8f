"""Maintenance mode (signed-in hall staff only): queue and sync figures, the parked
(rejected) records, the payment orders that need staff, the devices, and four
actions: sync now, test print, refresh, log out.

What a role may do comes from kiosk.staff.roles: the figures (and Refresh) show only
for `view_figures`, and Sync now / Test print are greyed, with the reason, for a role
without `sync` / `test_print`. The core checks again before each action (an attempt
a role may not make is refused and audited).

Everything shown is read in the background (`MaintenanceSnapshot.read`). A rejected
record shows its sequence number, kind, reason and time, never its payload (which may
hold a taxpayer's data). Sync and test print run in the background and are audited
through `core.staff.record`.

Payments needing attention (kiosk.payments.attention): every payment order not in a
final state, oldest first, the taxpayer masked (domain.md §9). "Check with the
terminal again" runs `PaymentCore.resolve()` in the background for a role that may
clear a reconciliation difference (`reconciliation_clear`), audited, and says what
changed and what is still open.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk.hall_time import to_hall
from kiosk.payments.attention import CheckSummary, PaymentAttention, describe_check, read_attention
from kiosk.services.slips import PrintFailed
from kiosk.staff.errors import StaffAuthError
from ui import icons
from ui.i18n import fill
from ui.messages import message
from ui.ops import LatestRead, Op
from ui.theme import IconSize, Space, current_theme
from ui.widgets.buttons import make_button

from .base import Screen

if TYPE_CHECKING:
    from kiosk.app import KioskCore
    from offline_queue.sync_worker import SyncReport
    from ui.main_window import MainWindow
    from ui.staff_mode import StaffMode

MAX_REJECTED_SHOWN = 50
# The picture of each device kind in the device list (ui/icons).
DEVICE_ICONS: dict[str, str] = {
    "serial_scanner": "scan", "wedge_scanner": "keyboard", "camera_scanner": "scan",
    "receipt_printer": "print", "invoice_printer": "invoice-issue", "a4_printer": "print",
    "id_card_reader": "id-card-reader", "payment_terminal": "bank-card",
    "invoice_dispenser": "invoice-pickup", "staff_card_reader": "identity",
}
SYNC_TIMEOUT_S = 30.0
# Settling stuck payment orders is money work: the role that may clear a
# reconciliation difference (kiosk.staff.roles), and none other.
PAYMENT_CHECK_ACTION = "reconciliation_clear"


@dataclass(frozen=True)
class RejectedRow:
    seq: int
    kind: str
    reason: str
    created_at: datetime


@dataclass(frozen=True)
class DeviceRow:
    name: str
    kind: str
    state: str
    error: str | None
    condition: str | None


@dataclass(frozen=True)
class MaintenanceSnapshot:
    """What the screen shows, read off the GUI thread (no payloads are kept)."""

    queue: dict[str, Any]
    rejected: tuple[RejectedRow, ...]
    rejected_total: int
    devices: tuple[DeviceRow, ...]
    payments: PaymentAttention

    @classmethod
    def read(cls, core: KioskCore) -> MaintenanceSnapshot:
        queue = core.queue_status()
        records = core.outbox.rejected()
        newest = records[-MAX_REJECTED_SHOWN:][::-1]
        rejected = tuple(RejectedRow(r.seq, r.kind, r.reason or "", r.created_at)
                         for r in newest)
        devices = tuple(DeviceRow(name, str(d.get("kind") or ""), str(d.get("state") or ""),
                                  d.get("error"), d.get("condition"))
                        for name, d in sorted(core.device_states().items()))
        payments = read_attention(getattr(core, "payments", None))
        return cls(queue, rejected, len(records), devices, payments)


def local_time(moment: datetime | str | None, fmt: str = "%Y-%m-%d %H:%M:%S") -> str | None:
    """A UTC (or naive = UTC) time or ISO string in the terminal's local time."""
    if moment is None:
        return None
    if isinstance(moment, str):
        text = moment
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return text
    return to_hall(moment).strftime(fmt)


class MaintenanceScreen(Screen):
    screen_id = "maintenance"
    staff_screen = True
    idle_kind = "reading"

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        staff = window.staff
        assert staff is not None
        self.staff: StaffMode = staff
        u = window.units
        self.layout_.setSpacing(u.px(3))
        self.snapshot: MaintenanceSnapshot | None = None
        self._report: SyncReport | None = None
        self._sync_failed = False
        self._print_state = ""  # "", "printing", "printed" or an error code
        self._busy = False
        self._refocus: QWidget | None = None  # the pressed button, while it is disabled
        self._reads: LatestRead[MaintenanceSnapshot] = LatestRead(self, self._show)
        self._check: CheckSummary | None = None  # the last check with the terminal
        self._check_state = ""  # "", "checking", "done" or "failed"
        self._check_error = ""  # a staff.* code when the core refused the check
        self._payments_open = False  # orders are listed: the check button shows

        self.title = self.title_label("label.title")
        self.signed_in = self.text_label("label.staff", role="subtitle")
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.signed_in)

        content = QWidget()
        content.setObjectName("maintenance.content")
        body = QVBoxLayout(content)
        body.setContentsMargins(0, 0, u.px(2), 0)
        body.setSpacing(u.px(3))
        # First: a taxpayer may be waiting at the counter for one of these.
        self.payments_heading = self.text_label("label.heading.payments", role="subtitle")
        body.addWidget(self.payments_heading)
        self.payments_box = QVBoxLayout()
        self.payments_box.setSpacing(u.px(2))
        body.addLayout(self.payments_box)
        self.payments_check = make_button("", "action.payments_check", role="secondary")
        self.payments_check.clicked.connect(self.check_payments)
        self.payments_check.hide()
        body.addWidget(self.payments_check)
        self.payments_result = self.text_label("label.payments.result")
        self.payments_result.hide()
        body.addWidget(self.payments_result)
        self.queue_heading = self.text_label("label.heading.queue", role="subtitle")
        body.addWidget(self.queue_heading)
        figures = QFrame()
        figures.setProperty("role", "panel")
        grid = QGridLayout(figures)
        pad = u.px(3)
        grid.setContentsMargins(pad, pad, pad, pad)
        grid.setHorizontalSpacing(u.px(6))
        self.figures: dict[str, QLabel] = {}
        for i, key in enumerate(("pending", "oldest", "acked", "rejected", "unconfirmed",
                                 "central", "last_sync")):
            label = self.text_label(f"label.queue.{key}")
            grid.addWidget(label, i // 2, i % 2)
            self.figures[key] = label
        body.addWidget(figures)

        self.rejected_heading = self.text_label("label.heading.rejected", role="subtitle")
        body.addWidget(self.rejected_heading)
        self.rejected_box = QVBoxLayout()
        self.rejected_box.setSpacing(u.px(2))
        body.addLayout(self.rejected_box)

        self.devices_heading = self.text_label("label.heading.devices", role="subtitle")
        body.addWidget(self.devices_heading)
        self.devices_box = QVBoxLayout()
        self.devices_box.setSpacing(u.px(1))
        body.addLayout(self.devices_box)
        body.addStretch(1)

        self.details_area = QScrollArea()
        self.details_area.setObjectName("area.maintenance")
        self.details_area.setWidget(content)
        self.details_area.setWidgetResizable(True)
        self.details_area.setFrameShape(QFrame.Shape.NoFrame)
        self.details_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.layout_.addWidget(self.details_area, 1)

        self.sync_report = self.text_label("label.sync_report")
        self.sync_report.hide()
        self.print_status = self.text_label("label.print_status")
        self.print_status.hide()
        self.layout_.addWidget(self.sync_report)
        self.layout_.addWidget(self.print_status)
        # What the signed-in role may not use here, and why those buttons are grey.
        self.role_note = self.text_label("label.role_note", role="muted")
        self.role_note.hide()
        self.layout_.addWidget(self.role_note)

        self.sync_button = make_button("", "action.sync", role="primary")
        self.sync_button.clicked.connect(self.sync_now)
        self.test_print = make_button("", "action.test_print", role="primary")
        self.test_print.clicked.connect(self.print_test_page)
        self.refresh_button = make_button("", "action.refresh", role="secondary")
        self.refresh_button.clicked.connect(self.refresh)
        # Logistics mode (issue #12 §2): stock, courier, reconciliation.
        self.logistics = make_button("", "action.logistics", role="primary")
        self.logistics.clicked.connect(self.open_logistics)
        # Out of service (issue #14 §2): the notice taxpayers see, and back in service.
        self.out_of_service = make_button("", "action.open_out_of_service", role="secondary")
        self.out_of_service.clicked.connect(self.open_out_of_service)
        self.logout = make_button("", "action.logout", role="danger")
        self.logout.clicked.connect(lambda: self.staff.logout("staff"))
        gap = u.px(6)
        row1, row2 = QHBoxLayout(), QHBoxLayout()
        row1.setSpacing(gap)
        row2.setSpacing(gap)
        row1.addWidget(self.sync_button, 1)
        row1.addWidget(self.test_print, 1)
        row2.addWidget(self.refresh_button, 1)
        row2.addWidget(self.logout, 1)
        self.layout_.addWidget(self.logistics)
        self.layout_.addWidget(self.out_of_service)
        self.layout_.addLayout(row1)
        self.layout_.addLayout(row2)

        window.bridge.queue_changed.connect(self._changed)
        window.device_status_changed.connect(self._changed)
        self.retranslate()

    # -- data ----------------------------------------------------------------------
    def on_enter(self) -> None:
        self._render_header()
        self._apply_roles()
        first = next((b for b in (self.sync_button, self.test_print, self.refresh_button)
                      if b.isEnabled()), self.logout)
        first.setFocus(Qt.FocusReason.OtherFocusReason)
        self.refresh()

    def _may(self, action: str) -> bool:
        return self.staff.may(action)

    def _may_logistics(self) -> bool:
        core = self.window_.core
        return core is not None and core.driver("invoice_dispenser") is not None and any(
            self._may(a) for a in ("stock_loading", "courier_dispatch",
                                   "dispenser_reconciliation", "reconciliation_clear"))

    def open_out_of_service(self) -> None:
        if self._may("out_of_service") and not self._busy:
            self.staff.screen("out_of_service")
            self.window_.show_screen("out_of_service")

    def open_logistics(self) -> None:
        if self._may_logistics() and not self._busy:
            self.staff.screen("logistics")
            self.window_.show_screen("logistics")

    def _apply_roles(self) -> None:
        """Show, grey or hide by kiosk.staff.roles (the core enforces it anyway)."""
        view = self._may("view_figures")
        self.logistics.setVisible(self._may_logistics())
        self.out_of_service.setVisible(self._may("out_of_service"))
        self.details_area.setVisible(view)
        self.refresh_button.setEnabled(view)
        refused = []
        for button, action, text in (
                (self.sync_button, "sync", self.tr("Sync now")),
                (self.test_print, "test_print", self.tr("Test print")),
                (self.payments_check, PAYMENT_CHECK_ACTION,
                 self.tr("Check with the terminal again")),
                (self.refresh_button, "view_figures", self.tr("Refresh"))):
            may = self._may(action)
            if action != "view_figures":
                button.setEnabled(may and not self._busy)
            button.setProperty("refused", not may)  # for automation: greyed by role
            button.setToolTip("" if may else self.tr("Not for your role"))
            if not may and (button is not self.payments_check or self._payments_open):
                # The check is named only while there is something to check.
                refused.append(text)
        parts = []
        if not view:
            parts.append(self.tr("The queue figures and devices are not shown to your role."))
        if refused:
            parts.append(fill(self.tr("Not for your role: %1."),
                              self.tr(", ").join(refused)))
        self.role_note.setText(" ".join(parts))
        self.role_note.setVisible(bool(parts))

    def _changed(self, _arg: object = None) -> None:
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        core = self.window_.core
        if core is None or not self._may("view_figures"):
            return
        self._reads.run(lambda: MaintenanceSnapshot.read(core))

    def _show(self, snapshot: MaintenanceSnapshot) -> None:
        old, self.snapshot = self.snapshot, snapshot
        self._render_queue()
        # The lists are rebuilt only when they changed (refreshes come often).
        if old is None or (old.rejected, old.rejected_total) != (snapshot.rejected,
                                                                 snapshot.rejected_total):
            self._render_rejected()
        if old is None or old.devices != snapshot.devices:
            self._render_devices()
        if old is None or old.payments != snapshot.payments:
            self._render_payments()

    # -- actions -------------------------------------------------------------------
    def sync_now(self) -> None:
        core, staff = self.window_.core, self.staff
        if core is None or self._busy or not self._may("sync"):
            return

        def work() -> SyncReport:
            # Audited first: the audit record itself then goes out with this sync.
            staff.record("sync")
            return core.drain_queue(timeout_s=SYNC_TIMEOUT_S)

        def done(report: SyncReport) -> None:
            self._set_busy(False)
            self._report, self._sync_failed = report, False
            self._render_status()
            self.refresh()
            self.window_.refresh_queue_status()

        def failed(exc: Exception) -> None:
            self._set_busy(False)
            self._report, self._sync_failed = None, True
            self._render_status()
            if isinstance(exc, StaffAuthError):  # refused by the core (and audited)
                self.sync_report.setText(message(exc.code))
            self.refresh()

        self._set_busy(True)
        self._report, self._sync_failed = None, False
        self.sync_report.setText(self.tr("Syncing…"))
        self.sync_report.show()
        Op(self, work).success(done).failure(failed).run_in_background()

    def print_test_page(self) -> None:
        core, staff = self.window_.core, self.staff
        if core is None or self._busy or not self._may("test_print"):
            return

        def work() -> None:
            staff.authorize("test_print")  # before the printer moves
            try:
                core.slips.print_test_page()
            except PrintFailed as exc:
                staff.record("test_print", {"result": exc.code})
                raise
            staff.record("test_print", {"result": "printed"})

        def done(_r: object) -> None:
            self._set_busy(False)
            self._print_state = "printed"
            self._render_status()

        def failed(exc: Exception) -> None:
            self._set_busy(False)
            self._print_state = (exc.code if isinstance(exc, (PrintFailed, StaffAuthError))
                                 else "failure")
            self._render_status()

        self._set_busy(True)
        self._print_state = "printing"
        self._render_status()
        Op(self, work).success(done).failure(failed).run_in_background()

    def check_payments(self) -> None:
        """Ask the terminal (and the QR acquirer) again about every open order:
        `PaymentCore.resolve()` on a worker, audited; then say what changed."""
        core, staff = self.window_.core, self.staff
        payments = getattr(core, "payments", None)
        if payments is None or self._busy or not self._may(PAYMENT_CHECK_ACTION):
            return

        def work() -> CheckSummary:
            staff.authorize(PAYMENT_CHECK_ACTION)  # before the terminal is asked
            summary = describe_check(payments.resolve())
            # Counts and short references only: no taxpayer data in the audit trail.
            staff.record(PAYMENT_CHECK_ACTION, {
                "what": "payment_orders", "still_open": summary.still_open,
                "changed": {ref: state for ref, state in summary.changed}})
            return summary

        def done(summary: CheckSummary) -> None:
            self._set_busy(False)
            self._check, self._check_state, self._check_error = summary, "done", ""
            self._render_check()
            self.refresh()

        def failed(exc: Exception) -> None:
            self._set_busy(False)
            self._check, self._check_state = None, "failed"
            self._check_error = exc.code if isinstance(exc, StaffAuthError) else ""
            self._render_check()
            self.refresh()

        self._set_busy(True)
        self._check, self._check_state, self._check_error = None, "checking", ""
        self._render_check()
        Op(self, work).success(done).failure(failed).run_in_background()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        # Disabling the focused button moves the focus on (to Refresh); put it back on
        # the button that was pressed once it works again.
        focused = next((b for b in (self.sync_button, self.test_print, self.payments_check)
                        if b.hasFocus()), None) if busy else None
        if focused is not None:
            self._refocus = focused
        for button, action in ((self.sync_button, "sync"), (self.test_print, "test_print"),
                               (self.payments_check, PAYMENT_CHECK_ACTION)):
            button.setEnabled(not busy and self._may(action))
        if not busy and self._refocus is not None:
            self._refocus.setFocus(Qt.FocusReason.OtherFocusReason)
            self._refocus = None

    # -- texts ---------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title.setText(self.tr("Maintenance"))
        self.out_of_service.setText(self.tr("Out of service…"))
        self.queue_heading.setText(self.tr("Queue and sync"))
        self.rejected_heading.setText(self.tr("Rejected records"))
        self.devices_heading.setText(self.tr("Devices"))
        self.payments_heading.setText(self.tr("Payments needing attention"))
        self.details_area.setAccessibleName(self.tr("Maintenance details"))
        for button, text, name in (
                (self.sync_button, self.tr("Sync now"), self.tr("Sync the queue now")),
                (self.test_print, self.tr("Test print"),
                 self.tr("Print a test page on the receipt printer")),
                (self.refresh_button, self.tr("Refresh"), self.tr("Refresh the figures")),
                (self.payments_check, self.tr("Check with the terminal again"),
                 self.tr("Ask the payment terminal again about the payments listed")),
                (self.logistics, self.tr("Invoice dispenser: stock, courier, reconciliation"),
                 self.tr("Open logistics mode")),
                (self.logout, self.tr("Log out"), self.tr("Log out of maintenance mode"))):
            button.setText(text)
            button.setAccessibleName(name)
        self._apply_roles()
        self._render()

    def _render(self) -> None:
        self._render_header()
        self._render_queue()
        self._render_rejected()
        self._render_devices()
        self._render_payments()
        self._render_check()
        self._render_status()

    def _render_header(self) -> None:
        session = self.staff.session
        self.signed_in.setText(
            fill(self.tr("Signed in: %1 (%2)"), session.staff_id,
                 self.tr(", ").join(self._role(r) for r in session.roles))
            if session is not None else "")

    def _render_queue(self) -> None:
        q = self.snapshot.queue if self.snapshot is not None else {}
        dash = "–"

        def count(key: str) -> str:
            value = q.get(key)
            return str(value) if value is not None else dash

        age = q.get("oldest_pending_age_s")
        last = local_time(q.get("last_sync_at"))
        reachable = q.get("central_reachable")
        texts = {
            "pending": fill(self.tr("Waiting to upload: %1"), count("pending")),
            "oldest": fill(self.tr("Oldest waiting: %1"),
                           self._age(age) if age is not None else dash),
            "acked": fill(self.tr("Uploaded: %1"), count("acked")),
            "rejected": fill(self.tr("Rejected: %1"), count("rejected")),
            "unconfirmed": fill(self.tr("Never confirmed on screen: %1"), count("unconfirmed")),
            "central": fill(self.tr("Tax service reachable: %1"),
                            dash if reachable is None else
                            (self.tr("yes") if reachable else self.tr("no"))),
            "last_sync": fill(self.tr("Last sync: %1"),
                              last if last else (self.tr("never") if q else dash)),
        }
        for key, label in self.figures.items():
            label.setText(texts[key])

    def _age(self, seconds: float) -> str:
        s = int(seconds)
        if s < 60:
            return fill(self.tr("%1 s"), s)
        if s < 3600:
            return fill(self.tr("%1 min"), s // 60)
        if s < 86400:
            return fill(self.tr("%1 h %2 min"), s // 3600, s % 3600 // 60)
        return fill(self.tr("%1 d %2 h"), s // 86400, s % 86400 // 3600)

    def _role(self, role: str) -> str:
        return {"hall": self.tr("hall staff"), "logistics": self.tr("logistics"),
                "technician": self.tr("technician")}.get(role, role)

    @staticmethod
    def _add(box: QVBoxLayout, label: QWidget) -> None:
        box.addWidget(label)
        label.show()  # at once: a child added to a shown widget would appear only later

    def _clear(self, box: QVBoxLayout) -> None:
        while box.count():
            item = box.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()

    def _render_rejected(self) -> None:
        self._clear(self.rejected_box)
        snap = self.snapshot
        if snap is None:
            return
        if not snap.rejected:
            none = self.text_label("label.rejected.none", role="muted")
            none.setText(self.tr("None"))
            self._add(self.rejected_box, none)
            return
        for row in snap.rejected:
            label = self.text_label(f"label.rejected.{row.seq}", role="warning")
            label.setTextFormat(Qt.TextFormat.PlainText)  # a reason is text, never markup
            label.setText(fill(self.tr("No. %1 · %2 · %3\nReason: %4"), row.seq, row.kind,
                               local_time(row.created_at, "%Y-%m-%d %H:%M") or "",
                               row.reason or self.tr("(none given)")))
            self._add(self.rejected_box, label)
        if snap.rejected_total > len(snap.rejected):
            more = self.text_label("label.rejected.more", role="muted")
            more.setText(fill(self.tr("Showing the newest %1 of %2."), len(snap.rejected),
                              snap.rejected_total))
            self._add(self.rejected_box, more)

    def _problem(self, code: str) -> str:
        """A device error or condition code (drivers.errors) in words for staff; an
        unknown code as it is."""
        words = {
            "no_hardware": self.tr("not connected"), "offline": self.tr("not reachable"),
            "timeout": self.tr("no answer"), "busy": self.tr("busy"),
            "failure": self.tr("fault"), "illegal": self.tr("set up wrongly"),
            "paper_empty": self.tr("out of paper"), "paper_near_end": self.tr("paper low"),
            "cover_open": self.tr("cover open"), "jam": self.tr("paper jam"),
            "no_card": self.tr("no card"), "card_removed": self.tr("card removed"),
            "card_unreadable": self.tr("card unreadable"),
            "card_unsupported": self.tr("card not supported"),
            "stock_empty": self.tr("out of stock"), "stock_low": self.tr("stock low"),
            "door_open": self.tr("door open"), "bad_reply": self.tr("garbled reply"),
            "overflow": self.tr("input too long"),
        }
        return words.get(code, code)

    def _render_devices(self) -> None:
        self._clear(self.devices_box)
        snap = self.snapshot
        if snap is None:
            return
        if not snap.devices:
            none = self.text_label("label.device.none", role="muted")
            none.setText(self.tr("No devices are configured."))
            self._add(self.devices_box, none)
            return
        states = {"closed": self.tr("closed"), "idle": self.tr("ready"),
                  "busy": self.tr("busy"), "error": self.tr("error"),
                  "offline": self.tr("offline")}
        kinds = {"serial_scanner": self.tr("Scanner"),
                 "wedge_scanner": self.tr("Scanner (keyboard)"),
                 "camera_scanner": self.tr("Camera scanner"),
                 "receipt_printer": self.tr("Receipt printer"),
                 "invoice_printer": self.tr("Invoice printer"),
                 "a4_printer": self.tr("A4 printer"),
                 "id_card_reader": self.tr("ID card reader"),
                 "payment_terminal": self.tr("Payment terminal"),
                 "invoice_dispenser": self.tr("Invoice dispenser"),
                 "staff_card_reader": self.tr("Staff card reader")}
        for d in snap.devices:
            problem = " / ".join(self._problem(p) for p in (d.error, d.condition) if p)
            # "Receipt printer (receipt_printer): ready": the configured name for the log.
            text = fill(self.tr("%1 (%2): %3"), kinds.get(d.kind, d.kind), d.name,
                        states.get(d.state, d.state))
            if problem:
                text += f" [{problem}]"
            ok = d.state in ("idle", "busy") and not d.error
            label = self.text_label(f"label.device.{d.name}", role="body" if ok else "error")
            label.setText(text)
            self._add(self.devices_box, self._device_row(d, label, ok))

    def _device_row(self, device: DeviceRow, label: QLabel, ok: bool) -> QWidget:
        """The device's icon (in the error colour when it is in trouble) and its line."""
        row = QWidget()
        row.setObjectName(f"row.device.{device.name}")
        box = QHBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(self.window_.units.px(Space.S))
        picture = QLabel()
        picture.setObjectName(f"icon.device.{device.name}")
        theme = current_theme()
        size = theme.units.px(IconSize.ACTION)
        picture.setPixmap(icons.pixmap(DEVICE_ICONS.get(device.kind, "info"), size,
                                       theme.palette.text if ok else theme.palette.danger))
        picture.setFixedSize(size, size)
        box.addWidget(picture, 0, Qt.AlignmentFlag.AlignTop)
        box.addWidget(label, 1)
        return row

    def _order_state(self, state: str) -> str:
        """An order's state (kiosk.payments.orders) in words for staff."""
        return {
            "created": self.tr("not yet sent to the terminal"),
            "sent": self.tr("sent to the terminal, no answer yet"),
            "unknown": self.tr("outcome unknown: the terminal did not answer"),
            "approved": self.tr("money taken, not yet booked by the tax office"),
            "voiding": self.tr("refund not confirmed yet"),
            "recorded": self.tr("paid and booked"),
            "declined": self.tr("not charged"),
            "voided": self.tr("money given back"),
        }.get(state, state)

    def _render_payments(self) -> None:
        self._clear(self.payments_box)
        view = self.snapshot.payments if self.snapshot is not None else None
        rows = view.rows if view is not None else ()
        self.payments_check.setVisible(bool(rows))
        if self._payments_open != bool(rows):
            self._payments_open = bool(rows)
            self._apply_roles()  # the role note names the check only while it shows
        if view is None:
            return
        if not view.available or view.unreadable or not rows:
            calm = self.text_label("label.payments.none", role="muted")
            calm.setText(self.tr("No payment terminal or QR payment is set up here.")
                         if not view.available else
                         self.tr("The payment orders could not be read. See the log.")
                         if view.unreadable else
                         self.tr("No payment needs attention."))
            self._add(self.payments_box, calm)
            return
        methods = {"card": self.tr("bank card"), "qr": self.tr("QR code")}
        hints = {"manual_check": self.tr("The terminal's batch report must decide."),
                 "void_refused": self.tr("The terminal refused the refund: reverse it by "
                                         "hand.")}
        for row in rows:
            label = self.text_label(f"label.payments.{row.order_id}", role="warning")
            label.setTextFormat(Qt.TextFormat.PlainText)
            # "Order …a1b2c3d4 · bank card · ¥1,234.50 · 2026-03-02 09:05
            #  Taxpayer 110***********002X · refund not confirmed yet"
            text = fill(self.tr("Order …%1 · %2 · ¥%3 · %4\nTaxpayer %5 · %6"),
                        row.short_ref, methods.get(row.method, row.method), row.amount_yuan,
                        local_time(row.started_at, "%Y-%m-%d %H:%M") or "",
                        row.taxpayer or "–", self._order_state(row.state))
            if row.hint in hints:
                text += "\n" + hints[row.hint]
            label.setText(text)
            self._add(self.payments_box, label)
        if view.total > len(rows):
            more = self.text_label("label.payments.more", role="muted")
            more.setText(fill(self.tr("Showing the oldest %1 of %2."), len(rows), view.total))
            self._add(self.payments_box, more)

    def _render_check(self) -> None:
        """What the last check with the terminal did, in words."""
        state, summary = self._check_state, self._check
        if state == "checking":
            text = self.tr("Asking the payment terminal…")
        elif state == "failed":
            text = (message(self._check_error) if self._check_error else
                    self.tr("The check did not run. See the log for details."))
        elif state == "done" and summary is not None:
            parts = [fill(self.tr("Order …%1: now %2."), ref, self._order_state(new))
                     for ref, new in summary.changed]
            if not summary.changed:
                parts.append(self.tr("Nothing changed."))
            if summary.terminal_busy:
                parts.append(self.tr("The terminal is busy: try again in a minute."))
            elif summary.failed:
                parts.append(fill(self.tr("%1 could not be asked now (is the terminal "
                                          "connected?)."), summary.failed))
            parts.append(fill(self.tr("Still open: %1."), summary.still_open)
                         if summary.still_open else self.tr("No payment is open now."))
            text = " ".join(parts)
        else:
            text = ""
        self.payments_result.setText(text)
        self.payments_result.setVisible(bool(text))

    def _render_status(self) -> None:
        report = self._report
        if report is not None:
            text = fill(self.tr("Sync: sent %1, accepted %2, duplicates %3, rejected %4, "
                                "still waiting %5."), report.sent, report.accepted,
                        report.duplicate, report.rejected, report.remaining)
            if report.error:
                text += " " + fill(self.tr("Stopped: %1"), report.error)
            self.sync_report.setText(text)
            self.sync_report.show()
        elif self._sync_failed:
            self.sync_report.setText(self.tr("Sync failed. See the log for details."))
            self.sync_report.show()
        elif not self._busy:
            self.sync_report.hide()
        state = self._print_state
        if state:
            self.print_status.setText(
                self.tr("Printing the test page…") if state == "printing" else
                self.tr("Test page printed.") if state == "printed" else
                message(state) if state.startswith("staff.") else
                fill(self.tr("Test page not printed: %1"), self._problem(state)))
        self.print_status.setVisible(bool(state))
