"""The registry of device kinds and the Device protocol: every kind the configuration
may name builds a driver (through the real factory) that keeps the protocol and says
what it can do; options are declared, not guessed from constructor signatures."""
from __future__ import annotations

import inspect
import logging
from pathlib import Path

import pytest

from drivers.base import DeviceState
from drivers.device import Capability, Device
from drivers.errors import DeviceError, DeviceErrorCode
from drivers.factory import DefaultDriverFactory
from drivers.kinds import KINDS, KNOWN_KINDS, SCANNER_KINDS, get_kind
from kiosk.config import DeviceConfig

# A connection and the options each kind needs to be built (nothing is opened).
EXAMPLES: dict[str, tuple[str, dict[str, object]]] = {
    "serial_scanner": ("serial:///dev/kiosk/barcode-scanner", {"suffix": "\r"}),
    "wedge_scanner": ("", {"max_interkey_ms": 30, "min_length": 6}),
    "camera_scanner": ("camera://default", {"symbologies": ["qrcode", "code128"]}),
    "receipt_printer": ("tcp://127.0.0.1:9100", {"profile": "default58"}),
    "invoice_printer": ("tcp://127.0.0.1:9100", {"layout": "vat_general_241x140"}),
    "a4_printer": ("file:///tmp/", {}),
    "id_card_reader": ("serial:///dev/kiosk/id-card-reader", {"timeout_s": 1}),
    "payment_terminal": ("serial:///dev/kiosk/payment-terminal", {"max_retransmits": 2}),
    "invoice_dispenser": ("serial:///dev/kiosk/invoice-dispenser", {}),
    "staff_card_reader": ("serial:///dev/kiosk/staff-card-reader", {"debounce_s": 0.5}),
}


def test_every_kind_has_an_example() -> None:
    assert set(EXAMPLES) == set(KNOWN_KINDS)


@pytest.mark.parametrize("kind", KNOWN_KINDS)
def test_every_registered_kind_builds_a_device_that_keeps_the_protocol(
        kind: str, tmp_path: Path) -> None:
    connection, options = EXAMPLES[kind]
    built = DefaultDriverFactory(data_dir=tmp_path)(
        DeviceConfig(f"my-{kind}", kind, connection, dict(options)), lambda _status: None)
    try:
        device = built.device
        assert isinstance(device, Device)
        module, class_name = KINDS[kind].driver.split(":")
        assert type(device).__module__ == module and type(device).__name__ == class_name
        # What the registry promises without importing the driver is what it can do.
        assert device.capabilities == KINDS[kind].capabilities and device.capabilities
        assert device.name == f"my-{kind}"
        assert device.last_status.state is DeviceState.CLOSED  # built, nothing opened
        assert isinstance(device.statistics, dict)
        # runtime_checkable checks names only: the signatures are held here.
        check = inspect.signature(device.check)
        assert list(check.parameters) == ["timeout_s"]
        assert not inspect.signature(device.open).parameters
        assert not inspect.signature(device.close).parameters
    finally:
        built.dispose()


def test_scanner_kinds_come_from_capabilities() -> None:
    assert set(SCANNER_KINDS) == {"serial_scanner", "wedge_scanner", "camera_scanner"}
    assert all(Capability.SCAN in KINDS[k].capabilities for k in SCANNER_KINDS)


def test_unknown_kind_is_a_configuration_error_naming_the_known_ones() -> None:
    with pytest.raises(DeviceError) as raised:
        get_kind("fax_machine")
    assert raised.value.code is DeviceErrorCode.ILLEGAL
    assert "fax_machine" in raised.value.message and "camera_scanner" in raised.value.message


def test_options_are_declared_converted_and_checked(tmp_path: Path,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    factory = DefaultDriverFactory(data_dir=tmp_path)

    def build(kind: str, connection: str, **options: object):  # type: ignore[no-untyped-def]
        return factory(DeviceConfig("dev", kind, connection, dict(options)), lambda _s: None)

    with caplog.at_level(logging.WARNING, logger="drivers.manager"):
        built = build("receipt_printer", "tcp://127.0.0.1:9100", timeout_s="0.5",
                      colour="red", health_interval_s=1.0)
    from drivers.receipt_printer import ReceiptPrinter

    assert isinstance(built.device, ReceiptPrinter)
    assert built.device.timeout_s == 0.5  # converted from the config's text
    assert "no option 'colour'" in caplog.text and "health_interval_s" not in caplog.text
    for kind, connection, options, expected in (
            ("receipt_printer", "tcp://127.0.0.1:9100", {"timeout_s": "soon"}, "timeout_s"),
            ("receipt_printer", "tcp://127.0.0.1:9100", {"profile": "nonsense"}, "nonsense"),
            ("invoice_printer", "tcp://127.0.0.1:9100", {}, "layout"),
            ("serial_scanner", "tcp://127.0.0.1:1", {}, "serial://"),
            ("camera_scanner", "serial:///dev/video0", {}, "camera://"),
            ("camera_scanner", "camera://default", {"engine": "opencv"}, "engine")):
        with pytest.raises(DeviceError) as raised:
            build(kind, connection, **options)
        assert raised.value.code is DeviceErrorCode.ILLEGAL, (kind, options)
        assert expected in raised.value.message, raised.value.message


def test_callbacks_are_declared_per_kind(tmp_path: Path) -> None:
    cards: list[str] = []
    factory = DefaultDriverFactory(driver_kwargs={"staff_card_reader": {"on_card": cards.append},
                                                  "serial_scanner": {"on_card": cards.append}})
    built = factory(DeviceConfig("staff", "staff_card_reader", "serial:///dev/null"),
                    lambda _s: None)
    from drivers.staff_card import StaffCardReader

    assert isinstance(built.device, StaffCardReader) and built.device.on_card == cards.append
    with pytest.raises(DeviceError) as raised:  # a serial scanner has no card callback
        factory(DeviceConfig("scanner", "serial_scanner", "serial:///dev/null"), lambda _s: None)
    assert raised.value.code is DeviceErrorCode.ILLEGAL and "on_card" in raised.value.message
