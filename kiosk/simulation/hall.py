"""Start everything a kiosk talks to, on this machine, over real transports."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from central.server import CentralServer
from drivers.simulators.escpos_printer_sim import SimulatedReceiptPrinter
from drivers.simulators.serial_scanner_sim import SimulatedSerialScanner

from ..config import CentralConfig, DeviceConfig, KioskConfig
from .network import NetworkSwitch


class SimulatedHall:
    """A central service (fresh SQLite file, demo data) behind a network switch, a
    serial scanner on a pty pair and a network receipt printer on a TCP socket."""

    def __init__(self, work_dir: Path, *, central_url: str | None = None,
                 demo_data: bool = True) -> None:
        self.work_dir = work_dir
        self._external_central = central_url
        self._demo_data = demo_data
        self.central: CentralServer | None = None
        self.central_url = ""
        self.network: NetworkSwitch | None = None
        self.scanner = SimulatedSerialScanner()
        self.printer = SimulatedReceiptPrinter()

    def start(self) -> "SimulatedHall":
        self.work_dir.mkdir(parents=True, exist_ok=True)
        if self._external_central:
            self.central_url = self._external_central.rstrip("/")
        else:
            db = self.work_dir / "central.sqlite3"
            self.central = CentralServer(f"sqlite:///{db}", demo_data=self._demo_data)
            self.central.start()
            self.central_url = self.central.url
        parts = urlsplit(self.central_url)
        self.network = NetworkSwitch(parts.hostname or "127.0.0.1", parts.port or 80).start()
        self.printer.start()
        return self

    def stop(self) -> None:
        for stop in (self.printer.stop, self.scanner.close,
                     self.network.stop if self.network else None,
                     self.central.stop if self.central else None):
            if stop is not None:
                try:
                    stop()
                except Exception:  # noqa: BLE001 - best effort at shutdown
                    pass

    def kiosk_config(self, base: KioskConfig) -> KioskConfig:
        """The kiosk's config with its central URL and devices pointed at the simulators."""
        assert self.network is not None
        devices = (
            DeviceConfig("scanner", "serial_scanner", self.scanner.connection,
                         {"suffix": "\r\n"}),
            DeviceConfig("receipt_printer", "receipt_printer", self.printer.connection,
                         {"profile": "default80"}),
        )
        central = replace(base.central, urls=(self.network.url,), timeout_s=2.0)
        return replace(base, central=central, devices=devices)
