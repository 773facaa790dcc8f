"""Start everything a kiosk talks to, on this machine, over real transports."""
from __future__ import annotations

import importlib
import importlib.util
import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from central.server import CentralServer
from drivers.simulators.escpos_printer_sim import SimulatedReceiptPrinter
from drivers.simulators.serial_scanner_sim import SimulatedSerialScanner

from ..config import CentralConfig, DeviceConfig, KioskConfig
from .a4 import A4Capture
from .demo import DEMO_STAFF_CARD_UID
from .network import NetworkSwitch

_log = logging.getLogger("kiosk.simulation")

# Simulators written apart from the hall: (hall attribute, device name = kind, module,
# class). Each is started only when its module exists.
OPTIONAL_SIMULATORS = (
    ("id_card", "id_card_reader", "drivers.simulators.id_card_sim", "SimulatedIdCardReader"),
    ("payment", "payment_terminal", "drivers.simulators.payment_sim",
     "SimulatedPaymentTerminal"),
    ("dispenser", "invoice_dispenser", "drivers.simulators.dispenser_sim",
     "SimulatedInvoiceDispenser"),
    ("staff_card", "staff_card_reader", "drivers.simulators.staff_card_sim",
     "SimulatedStaffCardReader"),
)

# Every fault a scenario can name, in the order the dev panel shows them.
ALL_FAULTS = ("paper_out", "paper_near_end", "cover_open", "jam", "offline", "mute",
              "unplug", "garbage", "slow")
SLOW_REPLY_S = 1.0
SLOW_BYTE_S = 0.01  # a slow scanner: well under the driver's 1 s partial-scan timeout
HEALTH_INTERVAL_S = 1.0  # simulated devices are checked often: tests wait for them
PLUG_FAULTS = ("offline", "unplug")  # pty devices: the pty disappears, then comes back

# device -> fault -> (simulator attribute, value while the fault is on); switching the
# fault off puts back the value the attribute had. A callable value gets the simulator.
SWITCHES: dict[str, dict[str, tuple[tuple[str, Any], ...]]] = {
    "receipt_printer": {
        "paper_out": (("paper", "empty"),), "paper_near_end": (("paper", "near_end"),),
        "cover_open": (("cover_open", True),), "jam": (("jam", True),),
        "offline": (("offline", True),), "unplug": (("offline", True),),  # TCP: power off
        "mute": (("mute", True),), "garbage": (("garbage", True),),
        "slow": (("reply_delay_s", SLOW_REPLY_S),),
    },
    "id_card_reader": {"mute": (("mute", True),), "garbage": (("garbage", True),),
                       "slow": (("slow_s", SLOW_REPLY_S),)},
    "payment_terminal": {"mute": (("mute", True),), "garbage": (("garbage", True),),
                         "slow": (("slow_s", SLOW_REPLY_S),)},
    "invoice_dispenser": {
        # Out of paper: the loose stock and every loaded cassette (the demo hall loads
        # them), else the sensors still count the cassettes' sheets and report nothing.
        "paper_out": (("out_of_paper", True),),
        "paper_near_end": (("stock", lambda sim: max(1, int(sim.low_threshold))),),
        "cover_open": (("door_open", True),), "jam": (("jammed", True),),
        "mute": (("mute", True),), "garbage": (("garbage", True),),
        "slow": (("slow_s", SLOW_REPLY_S),),
    },
}
# Faults the hall itself plays on a line device (the simulator sends what it is told).
LINE_FAULTS = {"scanner": ("mute", "garbage", "slow"), "staff_card_reader": ("garbage",)}


class FaultNotApplicable(ValueError):
    """The device has no such fault switch (a scanner cannot run out of paper)."""


class SimulatedHall:
    """A central service (fresh SQLite file, demo data and demo staff account) behind
    a network switch, a serial scanner on a pty pair, a network receipt printer on a
    TCP socket, and the ID card reader, payment terminal, invoice dispenser and staff
    card reader simulators when their modules are installed. Fault switches per device:
    `set_fault(device, fault, on)` and `restore(device)`."""

    def __init__(self, work_dir: Path, *, central_url: str | None = None,
                 demo_data: bool = True) -> None:
        self.work_dir = work_dir
        self._external_central = central_url
        self._demo_data = demo_data
        self.central: CentralServer | None = None
        self.central_url = ""
        self.network: NetworkSwitch | None = None
        # A stable link path, so an unplugged scanner comes back under the same name.
        self.scanner = SimulatedSerialScanner(stable_link=True)
        self.printer = SimulatedReceiptPrinter()
        # The A4 printer: the real driver writing PDFs into this directory.
        self.a4 = A4Capture(work_dir / "a4")
        self.id_card: Any = None
        self.payment: Any = None
        self.dispenser: Any = None
        self.staff_card: Any = None
        self._optional: dict[str, Any] = {}  # device name -> simulator
        self._faults: dict[str, set[str]] = {}
        self._saved: dict[tuple[str, str, str], Any] = {}  # values a fault replaced
        self._scanner_slow = False
        self._scanner_mute = False

    def start(self) -> SimulatedHall:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        if self._external_central:
            self.central_url = self._external_central.rstrip("/")
        else:
            db = self.work_dir / "central.sqlite3"
            self.central = CentralServer(f"sqlite:///{db}", demo_data=self._demo_data,
                                         demo_staff=self._demo_data)
            self.central.start()
            self.central_url = self.central.url
        parts = urlsplit(self.central_url)
        self.network = NetworkSwitch(parts.hostname or "127.0.0.1", parts.port or 80).start()
        self.printer.start()
        self.a4.start()
        for attr, device, module, cls_name in OPTIONAL_SIMULATORS:
            sim = _start_optional(module, cls_name)
            if sim is not None:
                if device == "staff_card_reader":  # taps the demo staff card by default
                    sim.default_uid = DEMO_STAFF_CARD_UID
                if device == "invoice_dispenser":  # the demo hall's stock (docs/automation.md)
                    sim.load_demo_stock()
                setattr(self, attr, sim)
                self._optional[device] = sim
        return self

    def stop(self) -> None:
        stops: list[Callable[[], None] | None] = [self.printer.stop, self.scanner.close]
        stops += [_stopper(sim) for sim in self._optional.values()]
        stops += [self.network.stop if self.network else None,
                  self.central.stop if self.central else None]
        for stop in stops:
            if stop is not None:
                try:
                    stop()
                except Exception:  # noqa: BLE001 - best effort at shutdown
                    pass

    def kiosk_config(self, base: KioskConfig) -> KioskConfig:
        """The kiosk's config with its central URL and devices pointed at the simulators."""
        assert self.network is not None
        fast = {"health_interval_s": HEALTH_INTERVAL_S}
        devices = [
            DeviceConfig("scanner", "serial_scanner", self.scanner.connection,
                         {"suffix": "\r\n", **fast}),
            DeviceConfig("receipt_printer", "receipt_printer", self.printer.connection,
                         {"profile": "default80", **fast}),
            DeviceConfig("a4_printer", "a4_printer", self.a4.connection, dict(fast)),
        ]
        for device, sim in self._optional.items():
            connection = getattr(sim, "connection", "")
            if connection:
                devices.append(DeviceConfig(device, device, connection, dict(fast)))
        central: CentralConfig = replace(base.central, urls=(self.network.url,), timeout_s=2.0)
        # The demo hall unless the config names one: its stock and courier orders
        # (central.demo_data.DEMO_HALL; docs/automation.md).
        # Its counter 3 is where taxpayers go while the terminal is out of service.
        ui = replace(base.ui, nearest_counter=base.ui.nearest_counter or "3")
        return replace(base, central=central, devices=tuple(devices),
                       hall_id=base.hall_id or "demo-hall", ui=ui)

    # -- the devices --------------------------------------------------------------------

    def devices(self) -> list[str]:
        """Names of the simulated devices (as in kiosk_config and the scenario verbs)."""
        return ["receipt_printer", "scanner", *self._optional]

    def simulator(self, device: str) -> Any:
        if device == "receipt_printer":
            return self.printer
        if device == "scanner":
            return self.scanner
        if device in self._optional:
            return self._optional[device]
        raise KeyError(f"no simulated device {device!r}; the hall has: "
                       f"{', '.join(self.devices())}")

    def faults(self, device: str) -> tuple[str, ...]:
        """The fault switches of `device`."""
        sim = self.simulator(device)
        have = set(SWITCHES.get(device, {})) | set(LINE_FAULTS.get(device, ()))
        if device != "receipt_printer" and callable(getattr(sim, "unplug", None)):
            have |= set(PLUG_FAULTS)
        return tuple(f for f in ALL_FAULTS if f in have)

    def active_faults(self, device: str) -> frozenset[str]:
        return frozenset(self._faults.get(device, ()))

    def set_fault(self, device: str, fault: str, on: bool = True) -> None:
        """Switch one fault of one simulated device on or off."""
        sim = self.simulator(device)
        if fault not in self.faults(device):
            raise FaultNotApplicable(f"{device} has no fault {fault!r}; it has: "
                                     f"{', '.join(self.faults(device))}")
        active = self._faults.setdefault(device, set())
        if on == (fault in active):
            return
        if fault in SWITCHES.get(device, {}):
            for attr, value in SWITCHES[device][fault]:
                key = (device, fault, attr)
                if on:
                    self._saved[key] = getattr(sim, attr)
                    setattr(sim, attr, value(sim) if callable(value) else value)
                else:
                    setattr(sim, attr, self._saved.pop(key))
        elif fault in PLUG_FAULTS:
            if on and not (PLUG_FAULTS[0] in active or PLUG_FAULTS[1] in active):
                sim.unplug()
            elif not on and not (active - {fault}) & set(PLUG_FAULTS):
                sim.replug()
        elif fault == "garbage":
            if on and sim.plugged:  # a burst of line noise, ended like a line
                sim.send_raw(bytes(range(0x80, 0xA0)) + b"\x00\x1b#@!\r\n")
        elif fault == "mute":
            self._scanner_mute = on
        elif fault == "slow":
            self._scanner_slow = on
        (active.add if on else active.discard)(fault)

    def restore(self, device: str) -> None:
        """Switch every fault of `device` off: it works again."""
        for fault in sorted(self.active_faults(device)):
            self.set_fault(device, fault, False)

    def place_id_card(self, fields: dict[str, Any] | None = None, *,
                      lift_s: float = 1.0) -> None:
        """Put an ID card on the simulated reader (the sample card, or these fields
        over it) as a fresh placement: a card already there is taken away first and
        the new one placed `lift_s` later (in the background), long enough for the
        kiosk's reader watch to see the reader empty. The reader starts empty."""
        if self.id_card is None:
            raise KeyError("the hall has no simulated ID card reader")
        sim = self.id_card
        if not sim.has_card:
            sim.insert_card(fields)
            return
        sim.remove_card()
        timer = threading.Timer(lift_s, sim.insert_card, args=(fields,))
        timer.daemon = True
        timer.start()

    def take_id_card(self) -> None:
        if self.id_card is not None:
            self.id_card.remove_card()

    def tap_staff_card(self, uid: str | None = None) -> None:
        """A staff card on the simulated reader (default: the demo staff card)."""
        if self.staff_card is None:
            raise KeyError("the hall has no simulated staff card reader")
        self.staff_card.tap(uid or DEMO_STAFF_CARD_UID)

    def scan(self, text: str) -> None:
        """A scan through the simulated scanner, as its fault switches allow."""
        if self._scanner_mute or not self.scanner.plugged:
            return  # a dead or unplugged scanner reads nothing
        data = text.encode("utf-8") + b"\r\n"
        self.scanner.send_raw(data, byte_delay_s=SLOW_BYTE_S if self._scanner_slow else 0.0)


def _start_optional(module_name: str, cls_name: str) -> Any:
    """Build and start a simulator if its module is installed; None otherwise."""
    if importlib.util.find_spec(module_name) is None:
        return None
    try:
        cls = getattr(importlib.import_module(module_name), cls_name)
        try:
            sim = cls(stable_link=True)
        except TypeError:  # a simulator without a serial link (network, ...)
            sim = cls()
        start = getattr(sim, "start", None)
        if callable(start):
            result = start()
            sim = result if isinstance(result, cls) else sim
    except Exception:  # noqa: BLE001 - a broken simulator must not stop the hall
        _log.exception("simulator %s.%s did not start", module_name, cls_name)
        return None
    return sim


def _stopper(sim: Any) -> Any:
    for name in ("close", "stop"):
        fn = getattr(sim, name, None)
        if callable(fn):
            return fn
    return None


__all__ = ["SimulatedHall", "FaultNotApplicable"]
