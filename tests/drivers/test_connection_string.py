"""Connection strings: the four schemes parse, everything else fails with a clear error."""
import pytest

from drivers.connection import Connection, ConnectionStringError, parse_connection


def test_serial_with_baudrate():
    c = parse_connection("serial:///dev/ttyUSB0?baudrate=115200")
    assert (c.scheme, c.path, c.params) == ("serial", "/dev/ttyUSB0", {"baudrate": "115200"})
    assert c.param_int("baudrate", 9600) == 115200
    assert str(c) == "serial:///dev/ttyUSB0?baudrate=115200"


def test_tcp():
    c = parse_connection("tcp://127.0.0.1:9100")
    assert (c.scheme, c.host, c.port, c.path) == ("tcp", "127.0.0.1", 9100, None)
    assert parse_connection(" tcp://[::1]:9100 ").host == "::1"
    assert parse_connection("tcp://printer.local").port is None


def test_usb_ids_are_hex():
    c = parse_connection("usb://04b8:0202")
    assert (c.scheme, c.vid, c.pid) == ("usb", 0x04B8, 0x0202)
    assert str(c) == "usb://04b8:0202"


def test_file():
    c = parse_connection("file:///tmp/out.bin")
    assert (c.scheme, c.path) == ("file", "/tmp/out.bin")


def test_connection_is_frozen_and_hashable():
    c = parse_connection("tcp://127.0.0.1:9100")
    with pytest.raises(Exception):
        c.port = 1  # type: ignore[misc]
    assert hash(c) == hash(Connection("tcp", host="127.0.0.1", port=9100))


@pytest.mark.parametrize("bad", [
    "", "   ", "COM3", "/dev/ttyUSB0", "http://example.com", "serial://dev/ttyUSB0",
    "serial:///dev/ttyUSB0?baud=9600", "serial:///dev/ttyUSB0?baudrate=fast",
    "serial:///dev/ttyUSB0?baudrate=0", "serial:///dev/ttyUSB0?baudrate=1&baudrate=2",
    "tcp://:9100", "tcp://127.0.0.1:99999", "tcp://127.0.0.1:port", "tcp://127.0.0.1:9100/x",
    "tcp://user:pw@127.0.0.1:9100", "usb://4b8:202", "usb://04b8", "usb://zzzz:0202",
    "file://relative/path", "file:///", "serial:///dev/tty USB0", "tcp://127.0.0.1:9100#frag",
])
def test_rejected(bad):
    with pytest.raises(ConnectionStringError) as info:
        parse_connection(bad)
    assert isinstance(info.value, ValueError)
    assert str(info.value)


def test_not_a_string():
    with pytest.raises(ConnectionStringError):
        parse_connection(None)  # type: ignore[arg-type]
