"""Composition root: builds the Qt-free core of a kiosk from its config.

The GUI (ui/) receives a started KioskCore; the CLI uses the same object without a
GUI. Device callbacks arrive on device threads; listeners must not touch widgets.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from drivers.receipt_printer import ReceiptPrinter
from drivers.serial_scanner import SerialScanner
from offline_queue.crypto import KioskKeys
from offline_queue.outbox import Outbox
from offline_queue.sync_worker import SyncReport, SyncWorker
from offline_queue.wire import SyncAck, SyncBatch
from printing.profiles import get_profile

from . import log
from .central_client import CentralClient, CentralRejected, CentralUnavailable
from .clock import SystemClock
from .config import KioskConfig
from .connectivity import Connectivity
from .services.invoice_verify import InvoiceVerifyService
from .services.slips import SlipPrinter

_log = log.get("init")


class KioskCore:
    def __init__(self, config: KioskConfig, clock: SystemClock | None = None) -> None:
        self.config = config
        self.clock = clock or SystemClock()
        self.kiosk_id = config.kiosk_id
        self.connectivity = Connectivity(config.central.offline_grace_s)
        self.scan_listeners: list[Callable[[str], None]] = []
        self.queue_listeners: list[Callable[[], None]] = []
        self._enrolled = threading.Event()
        self.scanner: SerialScanner | None = None
        self.printer: ReceiptPrinter | None = None
        self.sync: SyncWorker | None = None
        self.last_report: SyncReport | None = None

    # -- lifecycle -------------------------------------------------------------------
    def start(self, *, background_sync: bool = True) -> "KioskCore":
        cfg = self.config
        cfg.data_dir.mkdir(parents=True, exist_ok=True)
        self.keys = KioskKeys.load_or_create(cfg.key_dir)
        self.outbox = Outbox(cfg.queue_path, cfg.kiosk_id, self.keys)
        self.central = CentralClient(cfg.central.urls, cfg.kiosk_id, cfg.central.timeout_s)
        printer_cfg = cfg.device("receipt_printer")
        if printer_cfg is not None:
            profile = get_profile(str(printer_cfg.options.get("profile", "default80")))
            self.printer = ReceiptPrinter(printer_cfg.connection, profile)
        self.slips = SlipPrinter(self.printer, cfg.kiosk_id, self.clock.now)
        self.sync = SyncWorker(self.outbox, self._send_batch, cfg.data_dir / "sync.lock",
                               batch_size=cfg.sync.batch_size)
        self.sync.on_report = self._on_sync_report
        self.invoice_verify = InvoiceVerifyService(
            central=self.central, outbox=self.outbox, connectivity=self.connectivity,
            slips=self.slips, on_queued=self._on_queued)
        scanner_cfg = cfg.device("serial_scanner")
        if scanner_cfg is not None:
            self.scanner = SerialScanner(
                scanner_cfg.connection, suffix=str(scanner_cfg.options.get("suffix", "\r\n")),
                on_scan=self._on_scan)
            self.scanner.start()
        if background_sync:
            self.sync.start(cfg.sync.interval_s)
        # Learn the link state at boot; this also pays the HTTP stack's first-call costs
        # (lazy imports under the GIL) before a taxpayer is waiting.
        threading.Thread(target=self.probe_central, name="central-probe", daemon=True).start()
        return self

    def stop(self) -> None:
        if self.sync is not None:
            self.sync.stop()
        if self.scanner is not None:
            self.scanner.stop()
        if hasattr(self, "central"):
            self.central.close()
        if hasattr(self, "outbox"):
            self.outbox.close()

    # -- queue and sync --------------------------------------------------------------
    def _send_batch(self, batch: SyncBatch) -> SyncAck:
        if not self._enrolled.is_set():
            self.enroll()
        try:
            return self.central.post_batch(batch)
        except CentralRejected as exc:
            if exc.status != 403:
                raise
            self._enrolled.clear()  # the central service forgot us: enrol again once
            self.enroll()
            return self.central.post_batch(batch)

    def drain_queue(self, timeout_s: float = 60.0) -> SyncReport:
        """Sync until the queue is empty (or the central service is unreachable)."""
        assert self.sync is not None
        report = self.sync.drain(timeout_s=timeout_s)
        self._on_sync_report(report)
        return report

    def enroll(self, token: str | None = None) -> None:
        self.central.enroll(self.keys, token)
        self._enrolled.set()

    def _on_queued(self) -> None:
        self._notify_queue()
        if self.sync is not None:
            self.sync.wake()

    def _on_sync_report(self, report: SyncReport) -> None:
        self.last_report = report
        if report.error is None:
            self.connectivity.mark_ok()
        elif "another sync worker" not in report.error:
            self.connectivity.mark_down()
        self._notify_queue()

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
        return status

    # -- devices ---------------------------------------------------------------------
    def _on_scan(self, text: str) -> None:
        for listener in list(self.scan_listeners):
            listener(text)


__all__ = ["KioskCore", "CentralUnavailable"]
