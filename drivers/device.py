"""The contract every device driver keeps: the `Device` protocol and its capabilities.

The device manager (drivers/manager.py, drivers/supervisor.py) drives any device
through these members only: `open()` takes the device (opens the port, starts the
reader thread or the camera), `check(timeout_s)` asks it how it is, `close()` lets it
go, `last_status` is the latest status without any I/O, `statistics` its counters, and
`capabilities` says what it can do, so a service can ask "is something here that can
print a PDF?" without knowing driver classes. Kind-specific work (print a document,
read an ID card, take a payment) stays on each driver's own methods.

Why a `typing.Protocol` and not an abstract base class: the drivers already share an
implementation base (`drivers.base.DeviceBase`), and the contract is what the manager
needs, not how a driver is built. A structural protocol lets a vendor SDK wrapper or a
test double satisfy it without inheriting, while `runtime_checkable` still lets the
factory refuse, at build time, an object that lacks a member (tests/drivers check
every registered kind against it).
"""
from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from .base import DeviceStatus


class Capability(str, Enum):
    """What a device can do for a service."""

    SCAN = "scan"  # delivers scanned codes (serial, keyboard wedge, camera)
    PRINT_TEXT = "print_text"  # prints printing.document.Document text blocks (slips)
    PRINT_RASTER = "print_raster"  # prints images and QR codes
    PRINT_FORM = "print_form"  # fills a pre-printed form (dot-matrix invoice printer)
    PRINT_PDF = "print_pdf"  # prints PDF documents on A4
    READ_ID = "read_id"  # reads a resident ID card
    PAY = "pay"  # takes a bank-card payment
    DISPENSE = "dispense"  # hands out paper invoices
    READ_STAFF_CARD = "read_staff_card"  # reads a staff card's UID

    def __str__(self) -> str:
        return self.value


@runtime_checkable
class Device(Protocol):
    """One device as the device manager supervises it.

    Every method may be called from the manager's per-device I/O thread, one at a
    time; `close()` may also come from the thread shutting the manager down. Device
    trouble is reported through the returned / published `DeviceStatus`; `open()` may
    raise `drivers.errors.DeviceError` (or the OSError of a vanished port).
    """

    name: str

    @property
    def capabilities(self) -> frozenset[Capability]:
        """What the device can do (a class constant in every driver)."""
        ...

    @property
    def last_status(self) -> DeviceStatus:
        """The latest status the driver noticed; never does I/O."""
        ...

    @property
    def statistics(self) -> dict[str, int]:
        """A snapshot of the driver's counters (opens, scans, jobs, errors, ...)."""
        ...

    def open(self) -> object:
        """Take the device: open its transport or start reading it. The return value is
        ignored (some drivers return themselves for chaining)."""
        ...

    def close(self) -> None:
        """Release the device; its status becomes `closed`."""
        ...

    def check(self, timeout_s: float) -> DeviceStatus:
        """Health check: ask the device how it is, waiting at most about `timeout_s`;
        returns the status (never `ok` for a device that did not answer). A device
        busy with a job answers its last status without waiting behind the job."""
        ...
