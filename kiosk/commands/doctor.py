"""`kiosk doctor [--json]`: everything a technician checks on site (issue #14 §1).

config (valid), devices (each answers a health check), central (reachable, each URL),
clock (within 60 s of the central service's, from its health answer), disk (free space
where the data lives), enrolment (the keys exist and the central service accepts this
kiosk's signed heartbeat), certificates (the CA and mTLS client certificate not expired
nor near expiry). Each is OK or a reason in plain words; exit 0 only when all are OK.
Changes nothing: no keys are created, no enrolment is attempted. Run it with the kiosk
stopped to judge serial devices (a running kiosk holds their ports).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MAX_SKEW_S = 60.0
MIN_FREE_BYTES = 500 * 1024 * 1024  # room for a day's queue, backups and logs
CERT_WARN_DAYS = 30
EXIT_OK, EXIT_PROBLEM, EXIT_USAGE = 0, 1, 2


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def register(subparsers: Any, with_config: Callable[[argparse.ArgumentParser],
                                                   argparse.ArgumentParser]) -> None:
    p = with_config(subparsers.add_parser(
        "doctor", help="check config, devices, clock, disk, enrolment, central, "
                       "certificates (exit 1 if any is not OK)"))
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--timeout", type=float, default=10.0, metavar="S",
                   help="seconds to wait for devices and the central service (default 10)")
    p.set_defaults(func=cmd_doctor)


def cmd_doctor(args: argparse.Namespace) -> int:
    checks = run_checks(getattr(args, "config", None), args.timeout)
    ok = all(c.ok for c in checks)
    if args.json:
        print(json.dumps({"ok": ok, "checks": [asdict(c) for c in checks]},
                         ensure_ascii=False))
    else:
        width = max(len(c.name) for c in checks)
        for c in checks:
            print(f"{'OK  ' if c.ok else 'FAIL'}  {c.name:<{width}}  {c.detail}")
    return EXIT_OK if ok else EXIT_PROBLEM


def run_checks(config_path: str | None, timeout_s: float) -> list[Check]:
    from ..config import ConfigError, load_config

    try:
        config = load_config(config_path)
    except ConfigError as exc:
        return [Check("config", False, str(exc))]
    checks = [Check("config", True, f"{config_path or 'defaults'} (kiosk {config.kiosk_id}, "
                                    f"mode {config.mode})")]
    checks.append(_devices(config, timeout_s))
    central, skew = _central(config, timeout_s)
    checks.append(central)
    checks.append(_clock(skew))
    checks.append(_disk(config.data_dir))
    checks.append(_enrolment(config, central.ok, timeout_s))
    checks.append(_certificates(config))
    return checks


def _devices(config: Any, timeout_s: float) -> Check:
    if not config.devices:
        return Check("devices", True, "none configured")
    from drivers.manager import DefaultDriverFactory, DeviceManager

    manager = DeviceManager(list(config.devices), DefaultDriverFactory(data_dir=config.data_dir),
                            health_interval_s=3600.0,
                            health_timeout_s=max(1.0, min(timeout_s, 10.0)))
    manager.start()
    try:
        settled = manager.wait_settled(timeout_s)
        reports = list(manager.reports().values())
    finally:
        manager.close_all()
    bad = []
    for r in reports:
        if r.ok or r.read_by_ui:
            continue
        s = r.status
        why = s.message or (s.error.value if s.error else s.state.value)
        bad.append(f"{r.name} ({r.kind}) {s.state.value}: {why}")
    if not settled:
        bad.append(f"not every device answered within {timeout_s:g} s")
    if bad:
        return Check("devices", False, "; ".join(bad))
    return Check("devices", True, f"{len(reports)} answered: "
                                  + ", ".join(r.name for r in reports))


def _central(config: Any, timeout_s: float) -> tuple[Check, float | None]:
    """Reachability of every URL, and how far this clock is ahead of the first
    answering service's (seconds; None if no time came back)."""
    import httpx

    from ..app import central_tls

    try:
        verify = central_tls(config)
    except (OSError, ValueError) as exc:
        return Check("central", False, f"TLS files cannot be loaded: {exc}"), None
    problems: list[str] = []
    answered: list[str] = []
    skew: float | None = None
    with httpx.Client(timeout=timeout_s, verify=verify) as client:
        for url in config.central.urls:
            started = time.time()
            try:
                response = client.get(url + "/v1/health")
            except httpx.HTTPError as exc:
                problems.append(f"{url} does not answer ({_plain(exc)})")
                continue
            ended = time.time()
            if response.status_code != 200:
                problems.append(f"{url} answers HTTP {response.status_code}")
                continue
            answered.append(url)
            if skew is None:
                try:
                    stamp = datetime.fromisoformat(response.json()["time"]).timestamp()
                except (ValueError, KeyError, TypeError):
                    continue
                # The service read its clock about halfway through the round trip.
                skew = (started + ended) / 2 - stamp
    if not answered:
        return Check("central", False, "; ".join(problems)), None
    detail = "reachable: " + ", ".join(answered)
    if problems:
        return Check("central", False, detail + "; but " + "; ".join(problems)), skew
    return Check("central", True, detail), skew


def _plain(exc: Exception) -> str:
    import httpx

    if isinstance(exc, httpx.ConnectError):
        text = str(exc)
        if "CERTIFICATE" in text.upper() or "SSL" in text.upper():
            return f"TLS handshake failed: {text}"
        return "connection refused or no route"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    return type(exc).__name__


def _clock(skew: float | None) -> Check:
    if skew is None:
        return Check("clock", False, "cannot compare: the central service's time is unknown "
                                     "(not reachable)")
    where = "ahead of" if skew > 0 else "behind"
    text = f"{abs(skew):.1f} s {where} the central service"
    if abs(skew) > MAX_SKEW_S:
        return Check("clock", False, f"{text} (more than {MAX_SKEW_S:g} s: set the time, "
                                     f"check NTP with timedatectl)")
    return Check("clock", True, text)


def _disk(data_dir: Path) -> Check:
    where = data_dir
    while not where.exists() and where != where.parent:
        where = where.parent
    usage = shutil.disk_usage(where)
    free_mb = usage.free // (1024 * 1024)
    if not data_dir.is_dir():
        return Check("disk", False, f"data directory {data_dir} does not exist "
                                    f"({free_mb} MB free on its disk)")
    if usage.free < MIN_FREE_BYTES:
        return Check("disk", False, f"only {free_mb} MB free for {data_dir} (at least "
                                    f"{MIN_FREE_BYTES // (1024 * 1024)} MB needed)")
    return Check("disk", True, f"{free_mb} MB free for {data_dir} "
                               f"({100 * usage.free // usage.total} %)")


def _enrolment(config: Any, central_ok: bool, timeout_s: float) -> Check:
    """Keys present, and a signed heartbeat accepted: the central service knows them."""
    from offline_queue.crypto import (
        DATA_KEY_FILE,
        SIGNING_KEY_FILE,
        credentials_directory,
        has_key_credentials,
        load_kiosk_keys,
    )

    from_credentials = config.key_source == "credentials" or (
        config.key_source == "auto" and has_key_credentials(credentials_directory()))
    files = [config.key_dir / SIGNING_KEY_FILE, config.key_dir / DATA_KEY_FILE]
    if not from_credentials and not all(f.exists() for f in files):
        return Check("enrolment", False, f"not enrolled: no keys in {config.key_dir} "
                                         f"(run kiosk enroll)")
    try:
        keys = load_kiosk_keys(config.key_dir, config.key_source)
    except Exception as exc:  # noqa: BLE001 - reported: KeyStoreError, damaged files
        return Check("enrolment", False, f"the keys cannot be loaded: {exc}")
    if not central_ok:
        return Check("enrolment", False, "keys present; cannot confirm with the central "
                                         "service (not reachable)")
    from ..app import central_tls, software_version
    from ..central_client import CentralClient, CentralError, CentralRejected

    report = {"sent_at": datetime.now(UTC).isoformat(), "software_version": software_version(),
              "queue_depth": _pending(config.queue_path), "devices": {}}
    client = CentralClient(config.central.urls, config.kiosk_id, timeout_s,
                           verify_tls=central_tls(config))
    try:
        client.heartbeat(keys, report)
    except CentralRejected as exc:
        if exc.status == 403:
            return Check("enrolment", False, f"the central service does not accept kiosk "
                                             f"{config.kiosk_id}: {exc.reason} (run kiosk "
                                             f"enroll; an operator may need to approve it)")
        return Check("enrolment", False, f"heartbeat refused: {exc.reason}")
    except CentralError as exc:
        return Check("enrolment", False, f"cannot confirm: {exc}")
    finally:
        client.close()
    return Check("enrolment", True, f"kiosk {config.kiosk_id} enrolled; signed heartbeat "
                                    f"accepted")


def _pending(queue_path: Path) -> int:
    """Pending records, read-only (the doctor never migrates or writes the queue)."""
    if not queue_path.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{queue_path}?mode=ro", uri=True, timeout=5.0)
        try:
            row = conn.execute("SELECT COUNT(*) FROM outbox WHERE state = 'pending'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return 0
    return int(row[0])


def _certificates(config: Any) -> Check:
    c = config.central
    named = [(what, path) for what, path in (("CA", c.ca_file), ("client certificate",
                                                                  c.cert_file)) if path]
    if not named:
        return Check("certificates", True, "none configured (system CAs, no mutual TLS)")
    from cryptography import x509

    now = datetime.now(UTC)
    problems, seen = [], []
    for what, path in named:
        try:
            certs = x509.load_pem_x509_certificates(Path(path).read_bytes())
        except (OSError, ValueError) as exc:
            problems.append(f"{what} {path} cannot be read: {exc}")
            continue
        # The first in a file is the one presented (or the closest CA); any expiring
        # in the chain is a problem all the same.
        for cert in certs:
            ends = cert.not_valid_after_utc
            days = (ends - now).days
            label = f"{what} {cert.subject.rfc4514_string()} until {ends:%Y-%m-%d}"
            if ends <= now:
                problems.append(f"{label}: EXPIRED")
            elif cert.not_valid_before_utc > now:
                problems.append(f"{label}: not valid before {cert.not_valid_before_utc:%Y-%m-%d}"
                                f" (clock wrong?)")
            elif days < CERT_WARN_DAYS:
                problems.append(f"{label}: expires in {days} days (renew now)")
            else:
                seen.append(f"{label} ({days} days)")
    if problems:
        return Check("certificates", False, "; ".join(problems))
    return Check("certificates", True, "; ".join(seen))
