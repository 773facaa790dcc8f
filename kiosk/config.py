"""The kiosk's configuration: one TOML file, parsed into frozen dataclasses.

A file with only `data_dir` and `[central] urls` is complete; everything else has a
default. The config object is passed down explicitly; there is no global singleton.
"""
from __future__ import annotations

import ipaddress
import os
import socket
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .frozen import Frozen

DEFAULT_CENTRAL_URL = "http://127.0.0.1:8710"


class ConfigError(ValueError):
    """The config file is missing, unreadable or has a wrong value (for the operator)."""


def is_loopback_url(url: str) -> bool:
    """Whether `url` names this machine: 127.0.0.0/8, ::1 or localhost."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def loopback_only(urls: tuple[str, ...] | list[str]) -> bool:
    """Whether every central URL is on this machine (the demo, tests): only then may
    the kiosk enrol by itself on a 403, or talk plain HTTP."""
    return bool(urls) and all(is_loopback_url(u) for u in urls)


def check_central_url(url: str, what: str) -> None:
    """ConfigError unless `url` is https://, or http:// to this machine: plain HTTP
    elsewhere would carry the enrolment (the kiosk's data key) and every request in
    clear."""
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"{what}: {url!r} must start with https:// (or http:// for a "
                          f"central service on this machine)")
    if url.startswith("http://") and not is_loopback_url(url):
        raise ConfigError(f"{what}: {url} is plain HTTP to another machine: use https:// "
                          f"(http:// only for a central service on this machine, "
                          f"127.0.0.1 / ::1 / localhost)")


@dataclass(frozen=True, repr=False, eq=False)
class CentralConfig(Frozen):
    """[central]: where the central service is, how long to wait for it, TLS."""

    urls: tuple[str, ...] = (DEFAULT_CENTRAL_URL,)
    timeout_s: float = 3.0
    # After a failed call, go straight to the queue for this long instead of making the
    # taxpayer wait for another timeout; the sync worker probes in the background.
    offline_grace_s: float = 15.0
    # HTTPS: CA bundle that signed the central's server certificate (default: the
    # system's), and the kiosk's client certificate and key for mutual TLS.
    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None
    # Default token for `kiosk enroll` (the CLI flags override it); better the file
    # holding it (0600), so the token is not in a config others may read.
    enrolment_token: str | None = None
    enrolment_token_file: Path | None = None


@dataclass(frozen=True, repr=False, eq=False)
class LimitsConfig(Frozen):
    """Offline exposure limits: beyond one, `queue` services stop queueing (they behave
    as online-only) until sync brings the measure back down; warning at 80 %."""

    max_pending_records: int = 10000
    max_pending_amount_fen: int = 0  # 0 = unlimited; from each payload's amount_fen
    max_oldest_age_h: float = 72.0


#: ux.md: a countdown of at least 20 s; an idle limit shorter than 10 s would end a
#: session while a person still reads.
MIN_COUNTDOWN_S = 20
MIN_IDLE_S = 10.0


@dataclass(frozen=True, repr=False, eq=False)
class UiConfig(Frozen):
    """[ui]: the panel, languages, idle limits, the hall's name, zone and hours."""

    ppi: float = 93.0
    language: str = "zh"
    idle_reading_s: float = 90.0
    idle_form_s: float = 180.0
    countdown_s: int = 30
    high_contrast: bool = False
    time_zone: str = "Asia/Shanghai"  # every time a person reads, whatever the OS zone
    # The hall's name on the header, in Chinese and English (either may be empty: the
    # other language's, then hall_id, is shown).
    hall_name: str = ""
    hall_name_en: str = ""
    # The staffed counter taxpayers are sent to when this terminal is out of service
    # ("3": 请到 3 号窗口 / Please go to counter 3); empty: no such choice for staff.
    nearest_counter: str = ""
    orientation: str = "portrait"  # the panel: portrait 1080x1920 or landscape 1920x1080
    # Service hours for taxpayer services, in the hall's zone: "08:30-17:30", several
    # intervals "08:30-12:00,13:30-17:30", or a table by weekday (mon ... sun; a day
    # left out is closed). None: always open (kiosk.services.hours).
    hours: str | dict[str, str] | None = None
    # The bench and tests only, never a hall: idle limits down to any positive time and
    # a countdown down to 0 s, so that a thousand idle resets fit in minutes
    # (bench/rss.py).
    test_timeouts: bool = False
    # Voice guidance (ui/voice.py): the QtTextToSpeech engine ("speechd" on a terminal,
    # "mock" in tests, "" for none) and whether every session starts with voice on (a
    # terminal whose headphone jack is its only speaker; else the taxpayer turns it on).
    voice_engine: str = "speechd"
    voice_at_start: bool = False

    @property
    def min_countdown_s(self) -> int:
        return 0 if self.test_timeouts else MIN_COUNTDOWN_S


@dataclass(frozen=True, repr=False, eq=False)
class DeviceConfig(Frozen):
    """[devices.<name>]: one device, its kind, connection and driver options."""

    name: str
    kind: str  # one of drivers.manager.KNOWN_KINDS (the manager reports unknown ones)
    connection: str = ""
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, repr=False, eq=False)
class SyncConfig(Frozen):
    """[sync]: how often and in what batches the outbox is sent."""

    interval_s: float = 5.0
    batch_size: int = 500  # the protocol maximum: fewer round trips and fsyncs per record
    # Extras of a successful background pass, at most this often (a pass runs every
    # interval_s): monitoring and reference deltas need not cost a request each 5 s.
    heartbeat_interval_s: float = 60.0
    reference_interval_s: float = 60.0


@dataclass(frozen=True, repr=False, eq=False)
class PrivacyConfig(Frozen):
    """[privacy]: how long results that name someone are kept."""

    # Days a verification result (it names the buyer) is kept in the queue after it
    # was shown on screen (after it arrived, if nobody came to see it); then only the
    # record's identity and status remain.
    result_retention_days: int = 30


@dataclass(frozen=True, repr=False, eq=False)
class PaymentConfig(Frozen):
    """[payment] (issue #11): how long the payment screen waits for the central
    service to book a taken payment before it says "paid, awaiting confirmation"
    (`record_wait_s`), and how long a payment QR stays open (`qr_timeout_s`)."""

    record_wait_s: float = 15.0
    qr_timeout_s: float = 120.0


@dataclass(frozen=True, repr=False, eq=False)
class DispenserConfig(Frozen):
    """[dispenser] (issue #12): seconds the presented invoices wait in the exit slot
    before the device retracts them into the reject bin (`retract_s`), and a bureau's
    own box-label format (`box_label_parser`, "module:function" taking the scanned text
    and returning a kiosk.services.logistics.BoxLabel; empty: the FPBOX format)."""

    retract_s: int = 60
    box_label_parser: str = ""


MAX_RETRACT_S = 3600  # drivers.dispenser.frame.MAX_RETRACT_S (not imported: boot time)


@dataclass(frozen=True, repr=False, eq=False)
class UpdateConfig(Frozen):
    """[update] (issue #14 §3, kiosk.update): the release key's public half that every
    package must be signed with (`release_public_key`, base64 as `make dist` prints it,
    or `release_public_key_file`), where the versions live (`prefix`) and how long a new
    version may take to say READY=1 before the update is rolled back (`start_limit_s`)."""

    release_public_key: str = ""
    release_public_key_file: Path | None = None
    prefix: Path = Path("/opt/kiosk")
    start_limit_s: float = 90.0


UI_ORIENTATIONS = ("portrait", "landscape")
MAX_HALL_NAME = 60
MAX_COUNTER = 12

#: `key_source`: where the kiosk's keys come from (offline_queue.crypto.KEY_SOURCES).
KEY_SOURCES = ("auto", "files", "credentials")
#: `mode`: "production" (what deploy/install.sh writes) locks the kiosk down: `kiosk run`
#: refuses --simulate, the developer panel and the VNC screen (issue #14 §2).
MODES = ("development", "production")
MAX_RESULT_RETENTION_DAYS = 3650


@dataclass(frozen=True, repr=False, eq=False)
class KioskConfig(Frozen):
    """The whole file: the top-level settings and one object per [section]."""

    data_dir: Path
    kiosk_id: str
    central: CentralConfig = CentralConfig()
    ui: UiConfig = UiConfig()
    sync: SyncConfig = SyncConfig()
    devices: tuple[DeviceConfig, ...] = ()
    limits: LimitsConfig = LimitsConfig()
    # Where the key files live (`key_dir` in the file); None: data_dir/keys.
    key_dir_setting: Path | None = None
    privacy: PrivacyConfig = PrivacyConfig()
    # "auto": systemd credentials when $CREDENTIALS_DIRECTORY has them, else key_dir.
    key_source: str = "auto"
    # The hall this kiosk stands in, sent at enrolment: the central service serves
    # staff accounts per hall (None: only the accounts valid in every hall).
    hall_id: str | None = None
    payment: PaymentConfig = PaymentConfig()
    dispenser: DispenserConfig = DispenserConfig()
    mode: str = "development"
    update: UpdateConfig = UpdateConfig()

    @property
    def production(self) -> bool:
        return self.mode == "production"

    @property
    def queue_path(self) -> Path:
        return self.data_dir / "outbox.sqlite3"

    @property
    def key_dir(self) -> Path:
        """The 0600 key files' directory: never the queue database itself."""
        return self.key_dir_setting or self.data_dir / "keys"

    @property
    def reference_path(self) -> Path:
        """The reference-data inbox (a rebuildable cache, apart from the queue)."""
        return self.data_dir / "reference.sqlite3"

    def device(self, kind: str) -> DeviceConfig | None:
        return next((d for d in self.devices if d.kind == kind), None)

    def with_devices(self, devices: tuple[DeviceConfig, ...]) -> KioskConfig:
        return replace(self, devices=devices)


def default_kiosk_id() -> str:
    return "kiosk-" + "".join(c if c.isalnum() else "-" for c in socket.gethostname())[:40]


def _section(data: dict[str, Any], name: str) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"[{name}] must be a table")
    return value


def _build(cls: type[Any], values: dict[str, Any], section: str) -> Any:
    known = set(cls.__dataclass_fields__)
    unknown = set(values) - known
    if unknown:
        raise ConfigError(f"unknown setting(s) in [{section}]: {', '.join(sorted(unknown))}")
    try:
        return cls(**values)
    except TypeError as exc:
        raise ConfigError(f"bad [{section}]: {exc}") from exc


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_sync(sync: SyncConfig) -> None:
    if not _number(sync.interval_s) or sync.interval_s <= 0:
        raise ConfigError("[sync] interval_s must be a number of seconds > 0")
    if (not isinstance(sync.batch_size, int) or isinstance(sync.batch_size, bool)
            or not 1 <= sync.batch_size <= 500):
        raise ConfigError("[sync] batch_size must be a whole number from 1 to 500")
    for name in ("heartbeat_interval_s", "reference_interval_s"):
        value = getattr(sync, name)
        if not _number(value) or value < 0:
            raise ConfigError(f"[sync] {name} must be a number of seconds >= 0 "
                              "(0 = every pass)")


def _check_idle(ui: UiConfig) -> None:
    if not isinstance(ui.test_timeouts, bool):
        raise ConfigError("[ui] test_timeouts must be true or false")
    floor = 0.0 if ui.test_timeouts else MIN_IDLE_S
    for name in ("idle_reading_s", "idle_form_s"):
        value = getattr(ui, name)
        if not _number(value) or value <= 0 or value < floor:
            raise ConfigError(f"[ui] {name} must be a number of seconds >= {floor:g}"
                              if floor else f"[ui] {name} must be a number of seconds > 0")
    if (not isinstance(ui.countdown_s, int) or isinstance(ui.countdown_s, bool)
            or ui.countdown_s < ui.min_countdown_s):
        raise ConfigError(f"[ui] countdown_s must be a whole number of seconds >= "
                          f"{ui.min_countdown_s}")


def parse_config(data: dict[str, Any], base_dir: Path | None = None) -> KioskConfig:
    if "data_dir" not in data:
        raise ConfigError("data_dir is required")
    data_dir = Path(str(data["data_dir"])).expanduser()
    if not data_dir.is_absolute() and base_dir is not None:
        data_dir = base_dir / data_dir
    central = dict(_section(data, "central"))
    if "urls" in central:
        urls = central["urls"]
        if not isinstance(urls, list) or not urls or not all(isinstance(u, str) for u in urls):
            raise ConfigError("[central] urls must be a non-empty list of URLs")
        for url in urls:
            check_central_url(url, "[central] urls")
        central["urls"] = tuple(u.rstrip("/") for u in urls)
    for key in ("ca_file", "cert_file", "key_file", "enrolment_token_file"):
        if central.get(key) is not None:
            central[key] = _path(central[key], f"[central] {key}", base_dir)
    if bool(central.get("cert_file")) != bool(central.get("key_file")):
        raise ConfigError("[central] cert_file and key_file go together (mutual TLS)")
    token = central.get("enrolment_token")
    if token is not None and (not isinstance(token, str) or not token):
        raise ConfigError("[central] enrolment_token must be a non-empty string")
    if token is not None and central.get("enrolment_token_file") is not None:
        raise ConfigError("[central] give enrolment_token or enrolment_token_file, not both")
    devices = []
    for name, spec in _section(data, "devices").items():
        if not isinstance(spec, dict) or "kind" not in spec:
            raise ConfigError(f"[devices.{name}] needs a kind")
        spec = dict(spec)
        devices.append(DeviceConfig(name=name, kind=spec.pop("kind"),
                                    connection=spec.pop("connection", ""), options=spec))
    ui = _build(UiConfig, _section(data, "ui"), "ui")
    if ui.language not in ("zh", "en"):
        raise ConfigError("[ui] language must be zh or en")
    if ui.orientation not in UI_ORIENTATIONS:
        raise ConfigError(f"[ui] orientation must be {' or '.join(UI_ORIENTATIONS)}")
    for name in ("hall_name", "hall_name_en"):
        value = getattr(ui, name)
        if (not isinstance(value, str) or len(value) > MAX_HALL_NAME
                or any(not c.isprintable() for c in value)):
            raise ConfigError(f"[ui] {name} must be text of at most {MAX_HALL_NAME} "
                              "characters on one line")
    counter = ui.nearest_counter
    if not isinstance(counter, str) or len(counter) > MAX_COUNTER \
            or any(not c.isprintable() or c.isspace() for c in counter):
        raise ConfigError(f"[ui] nearest_counter must be a counter's number or name of at "
                          f"most {MAX_COUNTER} characters without spaces, e.g. \"3\"")
    _check_idle(ui)
    # Checked only when set: the default zone and "always open" cost nothing at boot
    # (zoneinfo loads sysconfig; the hours module builds its class; cold start, #9).
    from .hall_time import DEFAULT_ZONE

    if ui.time_zone != DEFAULT_ZONE:
        from .hall_time import zone_named

        try:
            zone_named(ui.time_zone)
        except ValueError as exc:
            raise ConfigError(f"[ui] time_zone: {exc}") from None
    if ui.hours is not None:
        from .services.hours import parse_hours

        try:
            parse_hours(ui.hours)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
    limits = _build(LimitsConfig, _section(data, "limits"), "limits")
    for name in ("max_pending_records", "max_pending_amount_fen", "max_oldest_age_h"):
        value = getattr(limits, name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ConfigError(f"[limits] {name} must be a number >= 0 (0 = unlimited)")
    sync = _build(SyncConfig, _section(data, "sync"), "sync")
    _check_sync(sync)
    key_dir = (_path(data["key_dir"], "key_dir", base_dir)
               if data.get("key_dir") is not None else None)
    mode = data.get("mode", "development")
    if mode not in MODES:
        raise ConfigError(f"mode must be one of {', '.join(MODES)}")
    key_source = data.get("key_source", "auto")
    if key_source not in KEY_SOURCES:
        raise ConfigError(f"key_source must be one of {', '.join(KEY_SOURCES)}")
    privacy = _build(PrivacyConfig, _section(data, "privacy"), "privacy")
    days = privacy.result_retention_days
    if (not isinstance(days, int) or isinstance(days, bool)
            or not 1 <= days <= MAX_RESULT_RETENTION_DAYS):
        raise ConfigError(f"[privacy] result_retention_days must be a whole number of "
                          f"days from 1 to {MAX_RESULT_RETENTION_DAYS}")
    payment = _build(PaymentConfig, _section(data, "payment"), "payment")
    for name in ("record_wait_s", "qr_timeout_s"):
        if not _number(getattr(payment, name)) or getattr(payment, name) <= 0:
            raise ConfigError(f"[payment] {name} must be a number of seconds > 0")
    import re

    dispenser = _build(DispenserConfig, _section(data, "dispenser"), "dispenser")
    if (isinstance(dispenser.retract_s, bool) or not isinstance(dispenser.retract_s, int)
            or not 1 <= dispenser.retract_s <= MAX_RETRACT_S):
        raise ConfigError(f"[dispenser] retract_s must be a whole number of seconds "
                          f"from 1 to {MAX_RETRACT_S}")
    if not isinstance(dispenser.box_label_parser, str) or (
            dispenser.box_label_parser and not re.fullmatch(
                r"[A-Za-z_][\w.]*:[A-Za-z_]\w*", dispenser.box_label_parser)):
        raise ConfigError('[dispenser] box_label_parser must be "module:function"')
    queue_path = data_dir / "outbox.sqlite3"
    if key_dir is not None and (key_dir == queue_path or key_dir in queue_path.parents):
        raise ConfigError("key_dir must be a folder apart from the queue database "
                          f"({queue_path})")
    return KioskConfig(
        data_dir=data_dir,
        kiosk_id=str(data.get("kiosk_id") or default_kiosk_id()),
        central=_build(CentralConfig, central, "central"),
        ui=ui,
        sync=sync,
        devices=tuple(devices),
        limits=limits,
        key_dir_setting=key_dir,
        privacy=privacy,
        key_source=key_source,
        hall_id=_hall_id(data.get("hall_id")),
        payment=payment,
        dispenser=dispenser,
        mode=mode,
        update=_update(_section(data, "update"), base_dir),
    )


def _update(values: dict[str, Any], base_dir: Path | None) -> UpdateConfig:
    import base64
    import binascii

    values = dict(values)
    for key in ("release_public_key_file", "prefix"):
        if values.get(key) is not None:
            values[key] = _path(values[key], f"[update] {key}", base_dir)
    update = _build(UpdateConfig, values, "update")
    key = update.release_public_key
    if not isinstance(key, str):
        raise ConfigError("[update] release_public_key must be text (base64)")
    if key and update.release_public_key_file is not None:
        raise ConfigError("[update] give release_public_key or release_public_key_file, "
                          "not both")
    if key:
        try:
            raw = base64.b64decode(key, validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != 32:
            raise ConfigError("[update] release_public_key must be 32 bytes in base64 "
                              "(the line `make dist` prints)")
    if not _number(update.start_limit_s) or not 1 <= update.start_limit_s <= 3600:
        raise ConfigError("[update] start_limit_s must be a number of seconds from 1 "
                          "to 3600")
    return update


def _hall_id(value: Any) -> str | None:
    """The `hall_id` setting (as the central service takes it), or None if not set."""
    if value is None:
        return None
    import re

    from offline_queue.ids import HALL_ID_PATTERN  # not .wire: pydantic, ~100 ms at boot

    if not isinstance(value, str) or not 1 <= len(value) <= 64 \
            or not re.fullmatch(HALL_ID_PATTERN, value):
        raise ConfigError("hall_id must be 1-64 characters of A-Z a-z 0-9 . _ -")
    return value


def _path(value: Any, what: str, base_dir: Path | None) -> Path:
    """A path setting; relative paths are taken from the config file's folder."""
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{what} must be a path")
    path = Path(value).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    return path


def load_config(path: str | os.PathLike[str] | None) -> KioskConfig:
    """Load the TOML file at `path` (or $KIOSK_CONFIG); defaults when neither is given."""
    path = path or os.environ.get("KIOSK_CONFIG")
    if not path:
        return parse_config({"data_dir": str(Path("var/kiosk").resolve())})
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {p} does not exist") from None
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {p} cannot be read: {exc}") from None
    return parse_config(data, base_dir=p.parent.resolve())
