"""Connection strings: how the configuration names a device's transport.

One string per device keeps configuration files and the maintenance screen readable
(`serial:///dev/ttyUSB0?baudrate=115200`, `tcp://192.0.2.7:9100`, `usb://04b8:0202`,
`file:///tmp/out.bin`). Two schemes name no byte transport and are parsed only for
the drivers that take them (`allow=`): `camera://default` / `camera://0` /
`camera:///dev/video0` (a camera scanner: which camera) and `keyboard://` (a keyboard
wedge scanner, which types into the kiosk window). Parsing is strict (unknown schemes, parameters or malformed
values are rejected) so a typo in a config file is reported at start, not as a silent
"device offline" in the hall.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

SCHEMES = ("serial", "tcp", "usb", "file")  # byte transports: the default of parse_connection
DEVICE_SCHEMES = ("camera", "keyboard")  # devices the kiosk window reads (allow= them)

# Parameters each scheme understands; anything else is a typo worth reporting.
_ALLOWED_PARAMS: dict[str, frozenset[str]] = {
    "serial": frozenset(
        {"baudrate", "bytesize", "parity", "stopbits", "rtscts", "xonxoff", "dsrdtr", "timeout"}
    ),
    "tcp": frozenset({"timeout"}),
    "usb": frozenset({"in_ep", "out_ep", "timeout"}),
    "file": frozenset(),
    "camera": frozenset(),
    "keyboard": frozenset(),
}
_INT_PARAMS = frozenset({"baudrate", "bytesize"})
_FLOAT_PARAMS = frozenset({"timeout"})
_BOOL_PARAMS = frozenset({"rtscts", "xonxoff", "dsrdtr"})
_HEX_OR_INT_PARAMS = frozenset({"in_ep", "out_ep"})
_USB_ID = re.compile(r"^([0-9a-fA-F]{4}):([0-9a-fA-F]{4})$")
_BAD_CHARS = re.compile(r"[\s\x00-\x1f\x7f]")


class ConnectionStringError(ValueError):
    """The connection string is malformed or names an unsupported transport."""


@dataclass(frozen=True)
class Connection:
    """A parsed connection string. Only the fields of its scheme are set."""

    scheme: str
    path: str | None = None  # serial, file; camera: the camera ("default", an index, an id)
    host: str | None = None  # tcp
    port: int | None = None  # tcp
    vid: int | None = None  # usb
    pid: int | None = None  # usb
    params: dict[str, str] = field(default_factory=dict, hash=False)

    def param_int(self, name: str, default: int) -> int:
        value = self.params.get(name)
        return default if value is None else int(value, 0)

    def param_float(self, name: str, default: float) -> float:
        value = self.params.get(name)
        return default if value is None else float(value)

    def param_bool(self, name: str, default: bool) -> bool:
        value = self.params.get(name)
        return default if value is None else value.lower() in ("1", "true", "yes", "on")

    def __str__(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in self.params.items())
        suffix = f"?{query}" if query else ""
        if self.scheme in ("serial", "file", "camera"):
            return f"{self.scheme}://{self.path}{suffix}"
        if self.scheme == "keyboard":
            return "keyboard://"
        if self.scheme == "tcp":
            host = f"[{self.host}]" if self.host and ":" in self.host else self.host
            port = f":{self.port}" if self.port is not None else ""
            return f"tcp://{host}{port}{suffix}"
        return f"usb://{self.vid:04x}:{self.pid:04x}{suffix}"


def parse_connection(s: str, *, allow: tuple[str, ...] = SCHEMES) -> Connection:
    """Parse a connection string; raise `ConnectionStringError` saying what is wrong.

    `allow`: the schemes the caller's driver takes (default: the byte transports).
    """
    if not isinstance(s, str):
        raise ConnectionStringError(f"connection string must be text, not {type(s).__name__}")
    text = s.strip()
    if not text:
        raise ConnectionStringError("connection string is empty")
    if _BAD_CHARS.search(text):
        raise ConnectionStringError(f"connection string {text!r} contains blanks or control characters")
    scheme, sep, rest = text.partition("://")
    scheme = scheme.lower()
    if not sep or scheme not in allow:
        raise ConnectionStringError(
            f"connection string {text!r}: expected one of "
            + ", ".join(f"{name}://..." for name in allow)
        )
    if scheme == "keyboard":
        if rest:
            raise ConnectionStringError(f"connection string {text!r}: keyboard:// takes nothing more")
        return Connection(scheme="keyboard")
    if scheme == "usb":
        # Parsed by hand: urlsplit would read "04b8:0202" as host "04b8", port 202.
        authority, _, query = rest.partition("?")
        match = _USB_ID.match(authority.rstrip("/"))
        if not match:
            raise ConnectionStringError(
                f"connection string {text!r}: USB needs usb://VVVV:PPPP (hex vendor and product id)"
            )
        return Connection(
            scheme="usb",
            vid=int(match.group(1), 16),
            pid=int(match.group(2), 16),
            params=_parse_params(text, "usb", query),
        )
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise ConnectionStringError(f"connection string {text!r}: {exc}") from None
    if parts.fragment:
        raise ConnectionStringError(f"connection string {text!r}: '#' is not allowed")
    params = _parse_params(text, scheme, parts.query)
    if scheme == "camera":
        # camera://default, camera://0 (the n-th camera), camera:///dev/video0 (an id)
        selector = parts.netloc or parts.path
        if not selector or (parts.netloc and parts.path not in ("", "/")) or port is not None:
            raise ConnectionStringError(
                f"connection string {text!r}: expected camera://default, camera://N "
                "or camera:///device/id"
            )
        return Connection(scheme="camera", path=selector.rstrip("/") or selector)
    if scheme in ("serial", "file"):
        if parts.netloc not in ("", "localhost"):
            raise ConnectionStringError(
                f"connection string {text!r}: expected {scheme}:///absolute/path (three slashes)"
            )
        if not parts.path.startswith("/") or parts.path == "/":
            raise ConnectionStringError(f"connection string {text!r}: the path must be absolute")
        return Connection(scheme=scheme, path=parts.path, params=params)
    # tcp
    if not parts.hostname:
        raise ConnectionStringError(f"connection string {text!r}: tcp needs a host, tcp://HOST:PORT")
    if parts.path not in ("", "/"):
        raise ConnectionStringError(f"connection string {text!r}: tcp takes no path")
    if parts.username or parts.password:
        raise ConnectionStringError(f"connection string {text!r}: tcp takes no user or password")
    if port is not None and not 1 <= port <= 65535:
        raise ConnectionStringError(f"connection string {text!r}: port must be 1..65535")
    return Connection(scheme="tcp", host=parts.hostname, port=port, params=params)


def _parse_params(text: str, scheme: str, query: str) -> dict[str, str]:
    """Check the query parameters against what the scheme understands."""
    params: dict[str, str] = {}
    if not query:
        return params
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise ConnectionStringError(f"connection string {text!r}: malformed parameters") from None
    allowed = _ALLOWED_PARAMS[scheme]
    for key, value in pairs:
        if key not in allowed:
            known = ", ".join(sorted(allowed)) or "none"
            raise ConnectionStringError(
                f"connection string {text!r}: unknown parameter {key!r} for {scheme} (known: {known})"
            )
        if key in params:
            raise ConnectionStringError(f"connection string {text!r}: parameter {key!r} given twice")
        _check_value(text, key, value)
        params[key] = value
    return params


def _check_value(text: str, key: str, value: str) -> None:
    try:
        if key in _INT_PARAMS:
            if int(value) <= 0:
                raise ValueError
        elif key in _FLOAT_PARAMS:
            if not float(value) > 0:
                raise ValueError
        elif key in _HEX_OR_INT_PARAMS:
            if not 0 <= int(value, 0) <= 0xFF:
                raise ValueError
        elif key in _BOOL_PARAMS:
            if value.lower() not in ("0", "1", "true", "false", "yes", "no", "on", "off"):
                raise ValueError
        elif key == "parity":
            if value.upper() not in ("N", "E", "O", "M", "S"):
                raise ValueError
        elif key == "stopbits":
            if value not in ("1", "1.5", "2"):
                raise ValueError
    except ValueError:
        raise ConnectionStringError(
            f"connection string {text!r}: bad value {value!r} for {key!r}"
        ) from None
