"""Composition root: builds the Qt-free core of a kiosk from its config.

The GUI (ui/) receives a started KioskCore; the CLI uses the same object without a
GUI. Device callbacks arrive on device threads; listeners must not touch widgets.
"""
from __future__ import annotations

import os
import ssl
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import metadata
from typing import Any, TypeVar

from drivers.base import DeviceState, DeviceStatus
from drivers.manager import SCANNER_KINDS, DefaultDriverFactory, DeviceManager
from drivers.receipt_printer import ReceiptPrinter
from drivers.serial_scanner import SerialScanner
from offline_queue.crypto import load_kiosk_keys
from offline_queue.migrate import upgrade_in_child
from offline_queue.outbox import Outbox, OutboxError
from offline_queue.reference import ReferenceInbox
from offline_queue.sync_worker import (
    ANOTHER_WORKER,
    SIGNATURE_REFUSED,
    SyncReport,
    SyncWorker,
)
from offline_queue.wire import PinVerdict, SyncAck, SyncBatch

from . import hall_time, log
from .central_client import CentralClient, CentralRejected, CentralUnavailable, tls_context
from .clock import SystemClock
from .config import KioskConfig, loopback_only
from .connectivity import Connectivity
from .out_of_service import OutOfServiceState
from .services import catalogue, scans
from .services.availability import (
    Availability,
    device_problem,
    identity_methods_now,
    judge,
    service_problem,
)
from .services.catalogue import IdentityMethod, ScanKind, ServiceSpec
from .services.context import ServiceContext, build_service
from .services.exposure import Exposure, measure_exposure
from .services.hours import ServiceHours, parse_hours
from .services.identity import IdentityService, SessionIdentity
from .services.invoice_verify import InvoiceVerifyService
from .services.slips import SlipPrinter
from .services.state import FORMAT as STATE_FORMAT
from .services.state import StatePublisher, state_path
from .staff import AUDIT_KIND, STAFF_KIND, StaffAuth

_log = log.get("init")
_queue_log = log.get("queue")
_sync_log = log.get("sync")
_T = TypeVar("_T")
MAX_REFERENCE_PAGES = 50  # per pass; the rest follows on the next pass
RESULT_PURGE_INTERVAL_S = 3600.0  # retention is counted in days: hourly is plenty
# A cassette with this many sheets or fewer is reported low to the fleet page: the
# near-end level of the dispenser's own stock-low sensor (drivers/simulators/dispenser_sim.py).
CASSETTE_LOW_SHEETS = 10


@dataclass(frozen=True)
class ScanRoute:
    """Where a scan goes: `service_id` None when no service takes it (the UI says "not
    recognised", with `scan.error` when there is one); `availability` is the target's
    (None without a target)."""

    service_id: str | None
    scan: scans.Scan
    availability: Availability | None = None


def central_tls(config: KioskConfig) -> bool | ssl.SSLContext:
    """HTTPS trust and the kiosk's client certificate (mutual TLS) from [central]."""
    c = config.central
    if c.ca_file is None and c.cert_file is None:
        return True
    return tls_context(c.ca_file, c.cert_file, c.key_file)


def software_version() -> str:
    try:
        return metadata.version("tax-kiosk")
    except metadata.PackageNotFoundError:
        return "unknown"


class KioskCore:
    def __init__(self, config: KioskConfig, clock: SystemClock | None = None) -> None:
        self.config = config
        hall_time.configure(config.ui.time_zone)
        self.clock = clock or SystemClock()
        self.kiosk_id = config.kiosk_id
        # Set when stop() begins: the window reads nothing more from a stopping core.
        self.stopped = False
        self.connectivity = Connectivity(config.central.offline_grace_s)
        self.scan_listeners: list[Callable[[str], None]] = []
        # Staff card UIDs (normalised), called on the reader thread; never log them.
        self.card_listeners: list[Callable[[str], None]] = []
        self.queue_listeners: list[Callable[[], None]] = []
        # Device status changes, called on device threads (the UI bridges them to Qt).
        self.device_listeners: list[Callable[[DeviceStatus], None]] = []
        self.devices: DeviceManager | None = None
        # Per dispenser, the last cassette stock read (sent while the device is busy).
        self._stock_seen: dict[str, list[dict[str, Any]]] = {}
        self._enrolled = threading.Event()
        self.scanner: SerialScanner | None = None
        self.printer: ReceiptPrinter | None = None
        self.sync: SyncWorker | None = None
        # Card and QR payment orders (issue #11): built at start, on the outbox file.
        self.payments: Any = None
        self.qr_payments: Any = None  # kiosk.payments.qr.QrPayments
        # A payment's own sync passes when no background worker runs (_sync_payment).
        self._payment_sync_lock = threading.Lock()
        self._payment_sync_wanted = False
        self._payment_sync_thread: threading.Thread | None = None
        self.last_report: SyncReport | None = None
        self._extras_lock = threading.Lock()
        self._extras_next: dict[str, float] = {}  # monotonic time each extra is due
        self.catalogue: tuple[ServiceSpec, ...] = catalogue.CATALOGUE
        # Built from the catalogue at start: service id -> service object.
        self.services: dict[str, object] = {}
        self.hours: ServiceHours | None = parse_hours(config.ui.hours)
        # Who the taxpayer session has identified (issue #10 §2); cleared, and the
        # central session ended, when the session ends (`end_identity`).
        self.identity = SessionIdentity()
        # Out of service (staff or the fleet side): the screen covers everything.
        self.out_of_service = OutOfServiceState(config.data_dir / "out_of_service.json")
        # One thread for short disk writes the GUI thread hands off (confirmations):
        # one worker keeps them in order.
        self._io: ThreadPoolExecutor | None = None
        self._state: StatePublisher | None = None
        self._started_at = datetime.now(UTC)

    # -- lifecycle -------------------------------------------------------------------
    def start(self, *, background_sync: bool = True, open_devices: bool = True,
              publish_state: bool | None = None) -> KioskCore:
        """`open_devices=False` for tools run beside a working kiosk (`kiosk queue ...`):
        a second process must not open the payment terminal's or the printer's port.
        `publish_state` (default: `open_devices`) writes the device and link states to
        data_dir/state.json for `kiosk services`; a tool must not overwrite the running
        kiosk's."""
        cfg = self.config
        cfg.data_dir.mkdir(parents=True, exist_ok=True)
        # Files in key_dir, or systemd credentials (key_source; deploy/credentials.md).
        self.keys = load_kiosk_keys(cfg.key_dir, cfg.key_source)
        # A schema upgrade (a new data dir, a new version) runs in a child process:
        # Alembic would stay in this months-long process's memory (~11 MiB).
        self.outbox = Outbox(cfg.queue_path, cfg.kiosk_id, self.keys,
                             upgrade=upgrade_in_child)
        self.central = CentralClient(cfg.central.urls, cfg.kiosk_id, cfg.central.timeout_s,
                                     verify_tls=self._tls())
        self.reference = ReferenceInbox(cfg.reference_path)
        self.staff = StaffAuth(self.reference, cfg.data_dir / "staff-lockout.json",
                               self._audit_staff, self.clock.now,
                               central_check=self._check_pin_centrally)
        # The device manager builds every configured driver now (no I/O) and opens each
        # on its own supervisor thread: a missing device delays nothing.
        if open_devices:
            self.devices = DeviceManager(cfg.devices, DefaultDriverFactory(
                on_scan=self._on_scan, data_dir=cfg.data_dir,
                driver_kwargs={"staff_card_reader": {"on_card": self._on_card}}))
            self.devices.subscribe(self._on_device_status)
            self.devices.start()
            self.printer = self._first_driver("receipt_printer", ReceiptPrinter)
            self.scanner = self._first_driver("serial_scanner", SerialScanner)
        self.slips = SlipPrinter(self.printer, cfg.kiosk_id, self.clock.now)
        self.sync = SyncWorker(self.outbox, self._send_batch, cfg.data_dir / "sync.lock",
                               batch_size=cfg.sync.batch_size)
        self.sync.on_report = self._on_sync_report
        self._io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="core-io")
        self._start_payments(resolve=open_devices)
        self._build_services()
        if open_devices:
            self._start_pickup_recovery()
        if publish_state if publish_state is not None else open_devices:
            self._state = StatePublisher(state_path(cfg.data_dir), self._state_snapshot)
            self.connectivity.subscribe(lambda _online: self._poke_state())
            self._state.start()
        if background_sync:  # the terminal itself, not a CLI tool
            self._surface_unconfirmed()
            self.sync.start(cfg.sync.interval_s)
        # Learn the link state at boot; this also pays the HTTP stack's first-call costs
        # (lazy imports under the GIL) before a taxpayer is waiting.
        threading.Thread(target=self.probe_central, name="central-probe", daemon=True).start()
        return self

    def _start_payments(self, resolve: bool) -> None:
        """The payment core; on the terminal itself, orders a crash left open are
        resolved (the payment terminal asked) before any new payment is accepted:
        until then `availability` greys the paying services (`payment.resolving`)."""
        from .payments.core import PaymentCore
        from .payments.orders import OrderStore

        self.payments = PaymentCore(
            OrderStore.for_outbox(self.outbox, self.keys), self.outbox,
            terminal=lambda: self.driver("payment_terminal"), wake_sync=self._sync_payment,
            record_wait_s=self.config.payment.record_wait_s,
            online=lambda: self.connectivity.online)
        # Payment QR (kiosk.payments.qr): the same order store; the core's resolution
        # settles open QR orders through it.
        from .payments import qr

        self.qr_payments = qr.for_core(self)
        qr.install(self.qr_payments)
        if resolve:
            self.payments.start_resolution()

    def _start_pickup_recovery(self, retry_s: float = 5.0) -> None:
        """Invoice pickup (issue #12): what a crash left in the dispense journal is
        settled with the device (kiosk.services.pickup.PickupService.recover) before a
        new pickup is accepted; until then `availability` greys the service
        (`pickup.recovering`). Retried while the dispenser does not answer."""
        from .services.pickup import PickupService

        service = self.services.get("invoice.pickup")
        if not isinstance(service, PickupService) or self.driver("invoice_dispenser") is None:
            return

        def run() -> None:
            while self.devices is not None and not service.ready.is_set():
                try:
                    outcomes = service.recover()
                    if outcomes:
                        _log.warning("dispenser: %d pickup(s) a restart left open were "
                                     "recorded", len(outcomes))
                    return
                except Exception as exc:  # noqa: BLE001 - retried; the tile stays grey
                    _log.info("dispenser recovery waits: %s", exc)
                    time.sleep(retry_s)

        threading.Thread(target=run, name="pickup-recovery", daemon=True).start()

    def refresh_pickup_cache(self) -> int:
        """The hall's pending terminal pickup orders for offline pickup (sealed to this
        kiosk, never on the public reference feed); raises and keeps the old cache on
        failure."""
        from .services.pickup_cache import refresh

        service = self.services.get("invoice.pickup")
        cache = getattr(service, "cache", None)
        if cache is None:
            return 0
        return refresh(cache, self.central, self.keys, self._as_enrolled)

    def _sync_payment(self) -> None:
        """Money was taken: its `tax.payment` record goes to central now, so the
        taxpayer sees it recorded (or given back) without anyone pressing sync. The
        terminal's worker is woken; a kiosk without one (the scenario runner's, which
        otherwise syncs only when told; `kiosk payments reconcile`) runs passes on a
        thread of its own until no payment asked for one. Each pass's report settles
        the orders (_on_sync_report -> _settle_payments)."""
        self._on_queued()
        sync = self.sync
        if sync is None or sync.running:
            return
        with self._payment_sync_lock:
            self._payment_sync_wanted = True
            if self._payment_sync_thread is not None:
                return  # the running thread makes another pass for this one

            def run() -> None:
                while True:
                    with self._payment_sync_lock:
                        if not self._payment_sync_wanted:
                            self._payment_sync_thread = None
                            return
                        self._payment_sync_wanted = False
                    try:
                        self._on_sync_report(sync.sync_once())
                    except Exception:  # noqa: BLE001 - the record stays queued
                        _log.exception("payment sync pass failed")

            self._payment_sync_thread = threading.Thread(target=run, name="payment-sync",
                                                         daemon=True)
            self._payment_sync_thread.start()

    def _settle_payments(self) -> None:
        """After a sync pass: book or give back approved payments central answered
        (a void talks to the terminal: never on the sync thread)."""
        payments = self.payments
        if payments is None or not payments.store.unresolved():
            return
        threading.Thread(target=payments.settle, name="payments-settle", daemon=True).start()

    def stop(self) -> None:
        self.stopped = True
        if self.sync is not None:
            self.sync.stop()
        payment_sync = self._payment_sync_thread
        if payment_sync is not None:  # its pass ends before the outbox closes
            payment_sync.join(timeout=15.0)
        if self.payments is not None:
            self.payments.store.close()
        if self.devices is not None:
            self.devices.close_all()
        if self._state is not None:
            self._state.stop()  # after the devices: the file says the kiosk stopped
            self._state = None
        if self._io is not None:
            self._io.shutdown(wait=True)  # queued confirmations reach the outbox first
            self._io = None
        identity = self.services.get("identity.login")
        if isinstance(identity, IdentityService):
            identity.close()  # the card watch stops; a pending logout is sent first
        if hasattr(self, "central"):
            self.central.close()
        if hasattr(self, "reference"):
            self.reference.close()
        if hasattr(self, "outbox"):
            self.outbox.close()

    def _tls(self) -> bool | ssl.SSLContext:
        return central_tls(self.config)

    # -- services --------------------------------------------------------------------
    def _build_services(self) -> None:
        """Each catalogue entry with a factory becomes a service object."""
        for spec in self.catalogue:
            ctx = ServiceContext(
                spec=spec, config=self.config, clock=self.clock, central=self.central,
                keys=self.keys, outbox=self.outbox, connectivity=self.connectivity,
                slips=self.slips, limits=self.config.limits, reference=self.reference,
                as_enrolled=self._as_enrolled, on_queued=self._on_queued,
                run_io=self.run_io, device_status=self.device_status,
                driver=self.driver, identity=self.identity)
            service = build_service(ctx)
            if service is not None:
                self.services[spec.id] = service
        # The UI's name for it until the screens use core.service("invoice.verify").
        self.invoice_verify: InvoiceVerifyService = self.services[  # type: ignore[assignment]
            "invoice.verify"]

    def service(self, service_id: str) -> object:
        """The service object built for `service_id`; KeyError for a screen-only or
        unknown service."""
        return self.services[service_id]

    def run_io(self, work: Callable[[], _T]) -> Future[_T]:
        """Run a short disk write on the core's I/O worker; returns at once. Failures
        stay in the future (the caller logs what matters)."""
        if self._io is None:
            raise RuntimeError("the core is not started")
        return self._io.submit(work)

    def confirm_shown(self, reference: str) -> Future[None]:
        """The taxpayer has seen the confirmation of queued record `reference`: marked
        on the I/O worker (an fsync), never on the caller's thread."""
        return self.run_io(lambda: self.outbox.mark_confirmed(reference))

    def _problem_of(self, kind: str) -> str | None:
        return device_problem(self.device_status(kind)) if self.devices is not None \
            else None

    def availability(self, service_id: str, *, staff: bool = False) -> Availability:
        """Whether `service_id` may start now, and the reason code when not
        (kiosk.services.availability): devices, link, [ui] hours, identification.
        Cheap and without I/O: the home screen asks on the GUI thread. Without devices
        (a tool's core) device needs are not judged."""
        spec = catalogue.spec(service_id, self.catalogue)
        verdict = judge(spec, online=self.connectivity.online, problem_of=self._problem_of,
                        now=hall_time.to_hall(self.clock.now()), hours=self.hours,
                        staff=staff)
        # A paying service waits until orders a crash left open are resolved.
        if verdict.available and "tax.payment" in spec.record_kinds \
                and self.payments is not None and not self.payments.ready.is_set():
            return Availability(False, "payment.resolving")
        # Invoice pickup waits until the dispense journal is settled (issue #12).
        pickup = self.services.get(service_id) if "invoice.issue" in spec.record_kinds \
            and spec.staff_role is None else None
        ready = getattr(pickup, "ready", None)  # the pickup service's "journal settled" event
        if verdict.available and isinstance(ready, threading.Event) and self.devices is not None \
                and not ready.is_set():
            return Availability(False, "pickup.recovering")
        return verdict

    def identity_methods(self, service_id: str) -> tuple[IdentityMethod, ...]:
        """The service's identification methods usable now (ID card with a working
        reader; QR and password only online)."""
        return identity_methods_now(catalogue.spec(service_id, self.catalogue),
                                    self.connectivity.online, self._problem_of)

    def route_scan(self, text: str, current_service_id: str | None = None) -> ScanRoute:
        """Classify a scan once and pick the service that takes it: the current one if
        it claims the kind, else the first taxpayer service of the catalogue that does
        (staff services take scans only while they are open)."""
        scan = scans.classify(text)
        if scan.kind is ScanKind.UNKNOWN:
            return ScanRoute(None, scan)
        target: str | None = None
        if current_service_id is not None:
            try:
                current = catalogue.spec(current_service_id, self.catalogue)
            except catalogue.UnknownService:
                current = None
            if current is not None and scan.kind in current.scans:
                target = current.id
        if target is None:
            target = next((s.id for s in catalogue.claimants(scan.kind, self.catalogue)
                           if s.group is not catalogue.Group.STAFF and s.staff_role is None),
                          None)
        if target is None:
            return ScanRoute(None, scan)
        return ScanRoute(target, scan, self.availability(target))

    def _state_snapshot(self) -> dict[str, Any]:
        """What state.json holds (kiosk.services.state); built on the publisher thread."""
        devices = {}
        if self.devices is not None:
            for name, st in self.devices.statuses().items():
                devices[name] = {"kind": self.devices.kind_of(name), "state": str(st.state),
                                 "error": st.error.value if st.error else None,
                                 "condition": st.condition.value if st.condition else None,
                                 "problem": device_problem(st)}
        since = self.connectivity.offline_since
        return {"format": STATE_FORMAT, "kiosk_id": self.kiosk_id, "pid": os.getpid(),
                "written_at": datetime.now(UTC).isoformat(),
                "started_at": self._started_at.isoformat(),
                "link": {"online": self.connectivity.online,
                         "offline_since": since.isoformat() if since else None},
                "devices": devices}

    def _poke_state(self) -> None:
        if self._state is not None:
            self._state.poke()

    def _surface_unconfirmed(self) -> None:
        """Records committed before a crash or power loss whose confirmation the
        taxpayer may never have seen: logged at start for maintenance mode."""
        records = self.outbox.unconfirmed()
        if records:
            _queue_log.warning("%d committed record(s) were never confirmed on screen: %s",
                               len(records), ", ".join(f"seq {r.seq} ({r.kind}, {r.uuid})"
                                                       for r in records[:20]))

    # -- queue and sync --------------------------------------------------------------
    def _send_batch(self, batch: SyncBatch) -> SyncAck:
        return self._as_enrolled(lambda: self.central.post_batch(batch))

    def _as_enrolled(self, call: Callable[[], _T]) -> _T:
        """`call`, and if the central service does not know this kiosk (403), enrol
        and call again, but only when every central URL is on this machine (the demo,
        tests). `kiosk enroll` is the production path: enrolling sends the data key,
        and a kiosk must not hand it to whatever answers 403 on the network."""
        try:
            return call()
        except CentralRejected as exc:
            if exc.status != 403:
                raise
            if not loopback_only(self.config.central.urls):
                raise CentralRejected(403, f"{exc.reason} (kiosk {self.kiosk_id} does not "
                                      f"enrol by itself with a central service on "
                                      f"another machine): run `kiosk enroll`") from None
        try:
            answer = self.enroll()
        except CentralRejected as exc:
            raise CentralRejected(exc.status, f"kiosk {self.kiosk_id} is not enrolled and "
                                  f"the central service refused open enrolment "
                                  f"({exc.reason}): run `kiosk enroll`") from None
        if answer.get("approved") is False:  # a central with a token: pending approval
            raise CentralRejected(403, f"kiosk {self.kiosk_id} is not enrolled yet: it "
                                  f"waits for an operator's approval (key fingerprint "
                                  f"{answer.get('key_fingerprint')}), or run `kiosk "
                                  f"enroll` with the enrolment token")
        return call()

    def purge_results(self) -> int:
        """Delete the verification results kept longer than [privacy]
        result_retention_days since they were shown; failures are logged."""
        days = self.config.privacy.result_retention_days
        try:
            return self.outbox.purge_results(timedelta(days=days))
        except OutboxError as exc:
            _queue_log.warning("old verification results not purged: %s", exc)
            return 0

    def drain_queue(self, timeout_s: float = 60.0) -> SyncReport:
        """Sync until the queue is empty (or the central service is unreachable)."""
        assert self.sync is not None
        report = self.sync.drain(timeout_s=timeout_s)
        self._on_sync_report(report, extras_now=True)
        return report

    def enroll(self, token: str | None = None) -> dict[str, Any]:
        answer = self.central.enroll(self.keys, token, hall_id=self.config.hall_id)
        self._enrolled.set()
        return answer

    def _check_pin_centrally(self, card: str, pin: str) -> PinVerdict | None:
        """The central service's verdict on a staff PIN (it counts wrong PINs per card
        across the fleet), or None when it gives none: then, and only then, the local
        hash and lockout decide. Not tried during the offline grace period, so staff
        do not wait for a timeout the taxpayers were just spared."""
        if not self.connectivity.should_try():
            return None
        try:
            verdict = self.central.check_pin(self.keys, card, pin)
        except CentralUnavailable as exc:
            self.connectivity.mark_down()
            _log.info("staff PIN checked locally: central service unavailable (%s)", exc)
            return None
        except CentralRejected as exc:
            _log.warning("staff PIN checked locally: the central service refused the "
                         "check (HTTP %d: %s)", exc.status, exc.reason)
            return None
        self.connectivity.mark_ok()
        return verdict

    def _audit_staff(self, event: str, payload: dict[str, Any]) -> None:
        """A staff audit event as an outbox record (synced like every record)."""
        self.outbox.enqueue(AUDIT_KIND, payload)
        self._on_queued()

    def _on_queued(self) -> None:
        self._notify_queue()
        if self.sync is not None:
            self.sync.wake()

    def _on_sync_report(self, report: SyncReport, extras_now: bool = False) -> None:
        self.last_report = report
        # On the sync thread, online or not: results past their retention go.
        if self._due("result purge", RESULT_PURGE_INTERVAL_S, False):
            self.purge_results()
        if report.error is None:
            # Back from an outage: tell the central service at once how we fared.
            extras_now = extras_now or not self.connectivity.online
            self.connectivity.mark_ok()
            self._after_pass(force=extras_now)
            self._settle_payments()
        elif not any(marker in report.error for marker in (
                ANOTHER_WORKER, "CentralRejected", SIGNATURE_REFUSED)):
            # A 4xx (e.g. not enrolled) or a refused signature proves the link works:
            # not "offline".
            self.connectivity.mark_down()
        self._notify_queue()

    def _due(self, name: str, interval_s: float, force: bool) -> bool:
        """Whether extra `name` runs after this pass; if so, the next is due in
        `interval_s` (counted from this attempt, failed or not: no hammering)."""
        now = time.monotonic()
        with self._extras_lock:
            if not force and now < self._extras_next.get(name, 0.0):
                return False
            self._extras_next[name] = now + interval_s
            return True

    def _after_pass(self, force: bool = False) -> None:
        """Extras of a successful sync pass: the signed heartbeat, the reference-data
        deltas and the staff accounts, each at most every [sync] *_interval_s unless
        `force` (an explicit drain, or the first pass after an outage). Their failures
        are logged and otherwise ignored."""
        sync = self.config.sync
        extras: tuple[tuple[str, float, Callable[[], object]], ...] = (
            ("heartbeat", sync.heartbeat_interval_s, self.send_heartbeat),
            ("reference data", sync.reference_interval_s, self.download_reference),
            ("staff accounts", sync.reference_interval_s, self.download_staff),
            ("pickup cache", sync.reference_interval_s, self.refresh_pickup_cache))
        for name, interval_s, run in extras:
            if self._due(name, interval_s, force):
                try:
                    run()
                except Exception as exc:  # noqa: BLE001 - extras must never break sync
                    _sync_log.info("%s not sent or downloaded: %s", name, exc)

    def send_heartbeat(self) -> None:
        """Device states, queue depth, oldest pending age, software version."""
        status = self.outbox.status()
        report = {
            "sent_at": datetime.now(UTC).isoformat(),
            "software_version": software_version(),
            "queue_depth": status.pending,
            "oldest_pending_age_s": status.oldest_pending_age_s,
            "unconfirmed": len(self.outbox.unconfirmed()),
            "devices": self.device_states(),
        }
        ack = self._as_enrolled(lambda: self.central.heartbeat(self.keys, report))
        if "out_of_service" in ack:  # an older central service does not say
            self.out_of_service.apply_central(ack["out_of_service"])

    def download_reference(self) -> int:
        """Apply the reference-data changes since the inbox's cursor; returns how many
        items changed."""
        changed = 0
        for _ in range(MAX_REFERENCE_PAGES):
            page = self.central.reference(self.reference.cursor())
            changed += self.reference.apply(page)
            if not page.more or not page.items:
                break
        return changed

    def download_staff(self) -> int:
        """Replace the staff accounts in the inbox with the central service's current
        snapshot (a signed request, answered encrypted to this kiosk: PIN hashes never
        travel in the public reference feed); returns how many accounts changed. A
        failure raises and leaves the accounts as they were."""
        accounts = self._as_enrolled(lambda: self.central.staff_accounts(self.keys))
        return self.reference.replace_kind(STAFF_KIND, accounts)

    def device_states(self) -> dict[str, Any]:
        if self.devices is None:
            return {}
        states: dict[str, Any] = {}
        for name, st in self.devices.statuses().items():
            states[name] = {"kind": self.devices.kind_of(name), "state": str(st.state),
                            "error": st.error.value if st.error else None,
                            "condition": st.condition.value if st.condition else None}
            stock = self._cassette_stock(name, st)
            if stock is not None:
                states[name]["cassettes"] = stock
        return states

    def _cassette_stock(self, name: str, status: DeviceStatus) -> list[dict[str, Any]] | None:
        """An invoice dispenser's stock per cassette for the fleet page (None for other
        devices or a dispenser never read). Runs on the sync thread, so it never waits:
        a dispenser busy with a job, offline or not answering gives the last stock read
        (the supervisor's published status says which, without asking the device)."""
        from drivers.dispenser.dispenser import InvoiceDispenser
        from drivers.errors import DeviceError, DeviceErrorCode

        assert self.devices is not None
        driver = self.devices.get(name)
        if not isinstance(driver, InvoiceDispenser):
            return None
        silent = status.state in (DeviceState.OFFLINE, DeviceState.CLOSED) or \
            status.error is DeviceErrorCode.TIMEOUT
        if not silent:
            try:
                cassettes = driver.cassettes_unless_busy()
                if cassettes is not None:
                    blocks = driver.journal.open_blocks()
                    self._stock_seen[name] = [
                        # never negative: the central service refuses such a report
                        {"slot": c.slot, "kind": c.kind_name, "remaining": max(0, c.remaining),
                         "loaded": max(0, c.loaded),
                         "low": 0 < c.remaining <= CASSETTE_LOW_SHEETS,
                         # a loaded cassette run dry (an unused slot is kind "", 0 loaded)
                         "empty": c.kind != 0 and c.remaining == 0,
                         # the reconciliation's reason (no personal data in it)
                         "blocked": blocks[c.slot].reason[:200] if c.slot in blocks else None}
                        for c in cassettes]
            except DeviceError:
                pass  # the driver published the failure; the last stock stands
        return self._stock_seen.get(name)

    def exposure(self) -> Exposure:
        """Offline exposure against [limits] (for the banner: `.warning`, `.exceeded`)."""
        return measure_exposure(self.outbox, self.config.limits)

    def _notify_queue(self) -> None:
        for listener in list(self.queue_listeners):
            listener()

    def probe_central(self) -> bool:
        ok = self.central.health()
        (self.connectivity.mark_ok if ok else self.connectivity.mark_down)()
        return ok

    def queue_status(self) -> dict[str, Any]:
        status = self.outbox.status().to_json_dict()
        status["central_reachable"] = self.connectivity.online
        status["kiosk_id"] = self.kiosk_id
        status["unconfirmed"] = len(self.outbox.unconfirmed())
        status["limits"] = measure_exposure(self.outbox, self.config.limits,
                                            always_sum_amount=True).to_json_dict()
        status["reference"] = {"cursor": self.reference.cursor(),
                               "age_s": self.reference.age_s()}
        return status

    # -- devices ---------------------------------------------------------------------
    def _on_scan(self, text: str) -> None:
        for listener in list(self.scan_listeners):
            listener(text)

    def _on_card(self, uid: str) -> None:
        for listener in list(self.card_listeners):
            listener(uid)

    def driver(self, kind: str) -> Any:
        """The first configured driver of `kind` (None without devices or none)."""
        if self.devices is None:
            return None
        names = self.devices.names(kind)
        return self.devices.get(names[0]) if names else None

    def end_identity(self) -> None:
        """The session ended: forget who was identified and end their central session
        in the background (never on the caller's thread: the GUI calls this)."""
        identity = self.services.get("identity.login")
        if isinstance(identity, IdentityService):
            identity.end()
        else:
            self.identity.clear()

    def _first_driver(self, kind: str, cls: type) -> Any:
        assert self.devices is not None
        for name in self.devices.names(kind):
            driver = self.devices.get(name)
            if isinstance(driver, cls):
                return driver
        return None

    def _on_device_status(self, status: DeviceStatus) -> None:
        self._poke_state()
        for listener in list(self.device_listeners):
            listener(status)

    def device_status(self, kind: str) -> DeviceStatus | None:
        """The status of the first configured device of `kind`; None if there is none."""
        if self.devices is None:
            return None
        names = self.devices.names(kind)
        return self.devices.status(names[0]) if names else None

    def printer_problem(self) -> str | None:
        """Why a slip cannot be printed now, as a message code (paper_empty,
        cover_open, jam, offline, timeout, failure, no_hardware), or None."""
        return device_problem(self.device_status("receipt_printer"))

    def service_problem(self, service_id: str) -> str | None:
        """Why a service cannot be offered now (a device it needs is down), or None;
        `availability` judges everything else too."""
        return service_problem(service_id, self.device_status, self.catalogue)

    def scanner_available(self) -> bool:
        """False when scanners are configured and none of them can read right now."""
        if self.devices is None:
            return True
        statuses = [self.devices.status(n) for n in self.devices.names()
                    if self.devices.kind_of(n) in SCANNER_KINDS]
        return not statuses or any(
            s.ok or (s.state is DeviceState.CLOSED and s.error is None) for s in statuses)


__all__ = ["KioskCore", "CentralUnavailable", "ScanRoute", "central_tls"]
