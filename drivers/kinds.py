"""The device kinds the configuration may name, in one explicit table.

Each `DeviceKind` says which driver serves the kind, what it can do, which options a
`[devices.<name>]` table may give it (with their types), which callbacks or resources
the application may hand it (`driver_kwargs`), how the supervisor treats it, and how
to build it. `build` calls the driver's constructor with named arguments: nothing is
guessed from signatures. Driver modules are imported inside `build`, so a kind whose
driver or library is missing reports `no_hardware` for that device only, and a
configuration without, say, a payment terminal never imports its driver.

One table rather than a registration in each driver module: the kinds are read in one
place (docs/configuration.md follows it), and registering at import would import every
driver to learn the kinds.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .base import StatusCallback
from .device import Capability, Device
from .errors import DeviceError, DeviceErrorCode

# Options every device takes, read by the supervisor (drivers/supervisor.py).
MANAGER_OPTIONS = frozenset({"health_interval_s", "health_timeout_s", "backoff_start_s",
                             "backoff_max_s"})

Converter = Callable[[Any], Any]


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, not {value!r}")
    return value


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise TypeError(f"expected a number, not {value!r}")
    return float(value)


def _count(value: Any) -> int:
    if isinstance(value, bool) or isinstance(value, float) and not value.is_integer():
        raise ValueError(f"expected a whole number, not {value!r}")
    return int(value)


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, not {value!r}")
    return value


def _names(value: Any) -> tuple[str, ...]:
    """A list of names, or one name ("qrcode")."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValueError(f"expected a name or a list of names, not {value!r}")


@dataclass(frozen=True)
class BuildContext:
    """Everything `DeviceKind.build` gets: the device's config, converted options and
    the application's callbacks. `on_scan` delivers only while the supervisor has the
    device enabled."""

    name: str
    connection: str
    on_status: StatusCallback
    options: Mapping[str, Any] = field(default_factory=dict)  # declared, converted
    callbacks: Mapping[str, Any] = field(default_factory=dict)  # from driver_kwargs
    on_scan: Callable[[str], None] | None = None
    backoff_start_s: float = 0.5
    backoff_max_s: float = 30.0
    data_dir: Path | None = None

    def callback(self, key: str) -> Any:
        """A callback the application gave, else one that drops the event (a device
        nobody listens to yet is still supervised)."""
        return self.callbacks.get(key, _drop_event)


def _drop_event(*_args: Any, **_kwargs: Any) -> None:
    """The callback of a device event no service listens to (yet)."""


@dataclass(frozen=True)
class DeviceKind:
    """One kind of device: its driver, capabilities, options and supervision policy."""

    name: str
    driver: str  # "module:Class", for messages and the protocol test
    capabilities: frozenset[Capability]
    build: Callable[[BuildContext], Device]
    options: Mapping[str, Converter] = field(default_factory=dict)
    callbacks: frozenset[str] = frozenset()  # driver_kwargs keys the driver takes
    required_options: frozenset[str] = frozenset()
    # (module, class, file under data_dir) of the job journal the driver writes first
    journal: tuple[str, str, str] | None = None
    reconnects_itself: bool = False  # its reader thread reopens a lost port
    holds_transport: bool = True  # open between open() and close() (else: per job)
    read_by_ui: bool = False  # the kiosk window reads it: `kiosk devices check` lists it

    def convert_options(self, device: str, given: Mapping[str, Any],
                        warn: Callable[[str], None]) -> dict[str, Any]:
        """The driver's options from the config: declared ones converted (a bad value
        is a configuration error), unknown ones reported through `warn` and left out."""
        options: dict[str, Any] = {}
        for key, value in given.items():
            if key in MANAGER_OPTIONS:
                continue
            convert = self.options.get(key)
            if convert is None:
                warn(f"{device}: the {self.name} driver has no option {key!r}; ignored "
                     f"(known: {', '.join(sorted(self.options)) or 'none'})")
                continue
            try:
                options[key] = convert(value)
            except (TypeError, ValueError) as exc:
                raise DeviceError(DeviceErrorCode.ILLEGAL,
                                  f"cannot configure {device}: option {key!r}: {exc}") from None
        missing = sorted(self.required_options - set(options))
        if missing:
            raise DeviceError(DeviceErrorCode.ILLEGAL,
                              f"cannot configure {device}: a {self.name} needs option "
                              f"{', '.join(repr(m) for m in missing)}")
        return options


# -- how each kind is built -----------------------------------------------------------

def _serial_scanner(ctx: BuildContext) -> Device:
    from .serial_scanner import SerialScanner

    return SerialScanner(ctx.connection, name=ctx.name, on_status=ctx.on_status,
                         on_scan=ctx.on_scan or _drop_event,
                         backoff_start_s=ctx.backoff_start_s, backoff_max_s=ctx.backoff_max_s,
                         **ctx.options)


def _staff_card_reader(ctx: BuildContext) -> Device:
    from .staff_card import StaffCardReader

    return StaffCardReader(ctx.connection, ctx.callback("on_card"), name=ctx.name,
                           on_status=ctx.on_status, backoff_start_s=ctx.backoff_start_s,
                           backoff_max_s=ctx.backoff_max_s, **ctx.options)


def _wedge_scanner(ctx: BuildContext) -> Device:
    from .wedge import WedgeScanner

    return WedgeScanner(ctx.connection, name=ctx.name, on_status=ctx.on_status, **ctx.options)


def _camera_scanner(ctx: BuildContext) -> Device:
    from .camera_scanner import CameraScanner

    return CameraScanner(ctx.connection or "camera://default", name=ctx.name,
                         on_status=ctx.on_status, on_scan=ctx.on_scan or _drop_event,
                         frame_source=ctx.callbacks.get("frame_source"), **ctx.options)


def _receipt_printer(ctx: BuildContext) -> Device:
    from printing.profiles import get_profile

    from .receipt_printer import ReceiptPrinter

    options = dict(ctx.options)
    profile = get_profile(options.pop("profile", "default80"))  # ValueError: config error
    return ReceiptPrinter(ctx.connection, profile, name=ctx.name, on_status=ctx.on_status,
                          **options)


def _invoice_printer(ctx: BuildContext) -> Device:
    from .invoice_printer import InvoicePrinter

    options = dict(ctx.options)
    layout = options.pop("layout")
    return InvoicePrinter(ctx.connection, layout, name=ctx.name, on_status=ctx.on_status,
                          **options)


def _a4_printer(ctx: BuildContext) -> Device:
    from .a4_printer import A4Printer

    return A4Printer(ctx.connection, name=ctx.name, on_status=ctx.on_status, **ctx.options)


def _id_card_reader(ctx: BuildContext) -> Device:
    from .id_card.reader import IdCardReader

    return IdCardReader(ctx.connection, name=ctx.name, on_status=ctx.on_status, **ctx.options)


def _payment_terminal(ctx: BuildContext) -> Device:
    from .payment.serial_terminal import SerialPaymentTerminal

    return SerialPaymentTerminal(ctx.connection, journal=ctx.callbacks["journal"],
                                 name=ctx.name, on_status=ctx.on_status,
                                 on_progress=ctx.callbacks.get("on_progress"), **ctx.options)


def _invoice_dispenser(ctx: BuildContext) -> Device:
    from .dispenser.dispenser import InvoiceDispenser

    return InvoiceDispenser(ctx.connection, journal=ctx.callbacks["journal"], name=ctx.name,
                            on_status=ctx.on_status, **ctx.options)


_SUFFIX: Mapping[str, Converter] = {"suffix": _text}

KINDS: dict[str, DeviceKind] = {kind.name: kind for kind in (
    DeviceKind("serial_scanner", "drivers.serial_scanner:SerialScanner",
               frozenset({Capability.SCAN}), _serial_scanner, _SUFFIX,
               reconnects_itself=True),
    DeviceKind("wedge_scanner", "drivers.wedge:WedgeScanner", frozenset({Capability.SCAN}),
               _wedge_scanner,
               {"max_interkey_ms": _number, "suffix": _text, "min_length": _count},
               holds_transport=False, read_by_ui=True),
    DeviceKind("camera_scanner", "drivers.camera_scanner:CameraScanner",
               frozenset({Capability.SCAN}), _camera_scanner,
               {"engine": _text, "symbologies": _names, "duplicate_window_s": _number,
                "max_fps": _number, "stall_s": _number},
               callbacks=frozenset({"frame_source"}), read_by_ui=True),
    DeviceKind("receipt_printer", "drivers.receipt_printer:ReceiptPrinter",
               frozenset({Capability.PRINT_TEXT, Capability.PRINT_RASTER}), _receipt_printer,
               {"profile": _text, "timeout_s": _number, "lock_timeout_s": _number},
               holds_transport=False),
    DeviceKind("invoice_printer", "drivers.invoice_printer:InvoicePrinter",
               frozenset({Capability.PRINT_FORM}), _invoice_printer,
               {"layout": _text, "dialect": _text, "offset_x_mm": _number,
                "offset_y_mm": _number, "timeout_s": _number, "lock_timeout_s": _number},
               required_options=frozenset({"layout"}), holds_transport=False),
    DeviceKind("a4_printer", "drivers.a4_printer:A4Printer", frozenset({Capability.PRINT_PDF}),
               _a4_printer, {"timeout_s": _number, "lock_timeout_s": _number},
               holds_transport=False),
    DeviceKind("id_card_reader", "drivers.id_card.reader:IdCardReader",
               frozenset({Capability.READ_ID}), _id_card_reader,
               {"timeout_s": _number, "probe_timeout_s": _number, "lock_timeout_s": _number}),
    DeviceKind("payment_terminal", "drivers.payment.serial_terminal:SerialPaymentTerminal",
               frozenset({Capability.PAY}), _payment_terminal,
               {"transaction_timeout_s": _number, "reply_timeout_s": _number,
                "ack_timeout_s": _number, "max_retransmits": _count,
                "admin_timeout_s": _number, "pos_id": _text, "operator": _text,
                "auto_sign_in": _flag},
               callbacks=frozenset({"on_progress", "journal"}),
               journal=("drivers.payment.journal", "PaymentJournal", "payment-journal.sqlite3")),
    DeviceKind("invoice_dispenser", "drivers.dispenser.dispenser:InvoiceDispenser",
               frozenset({Capability.DISPENSE}), _invoice_dispenser,
               {"reply_timeout_s": _number, "sheet_time_s": _number,
                "max_retransmits": _count},
               callbacks=frozenset({"journal"}),
               journal=("drivers.dispenser.journal", "DispenseJournal",
                        "dispenser-journal.sqlite3")),
    DeviceKind("staff_card_reader", "drivers.staff_card:StaffCardReader",
               frozenset({Capability.READ_STAFF_CARD}), _staff_card_reader,
               {"suffix": _text, "debounce_s": _number},
               callbacks=frozenset({"on_card"}), reconnects_itself=True),
)}

KNOWN_KINDS: tuple[str, ...] = tuple(KINDS)
# Kinds whose scans reach the application: their status says whether a scan can arrive.
SCANNER_KINDS: tuple[str, ...] = tuple(n for n, k in KINDS.items()
                                       if Capability.SCAN in k.capabilities)


def get_kind(name: str) -> DeviceKind:
    """The kind `name`; DeviceError (illegal) naming the known ones if there is none."""
    try:
        return KINDS[name]
    except KeyError:
        raise DeviceError(DeviceErrorCode.ILLEGAL,
                          f"unknown device kind {name!r} (known: {', '.join(KNOWN_KINDS)})"
                          ) from None


def kinds_with(capability: Capability) -> tuple[str, ...]:
    """The kinds whose devices can do `capability`."""
    return tuple(n for n, k in KINDS.items() if capability in k.capabilities)
