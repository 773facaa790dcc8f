"""`kiosk doctor` (issue #14 §1) as a technician runs it: a real subprocess against a
real central service on loopback and a simulated receipt printer on TCP, then broken
on purpose: central down, clock skewed, not enrolled, certificate near expiry, device
off, config invalid. Each check says OK or why; exit 0 only when all are OK."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from central.server import CentralServer
from drivers.simulators.escpos_printer_sim import SimulatedReceiptPrinter

ROOT = Path(__file__).resolve().parents[2]
KIOSK = [sys.executable, "-m", "kiosk"]
NAMES = ["config", "devices", "central", "clock", "disk", "enrolment", "certificates"]


def kiosk(*args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen"}
    env.pop("KIOSK_CONFIG", None)
    return subprocess.run([*KIOSK, *args], capture_output=True, text=True, timeout=120,
                          env=env, cwd=ROOT)


def doctor(config: Path) -> tuple[int, dict[str, dict[str, Any]]]:
    result = kiosk("doctor", "--json", "--timeout", "5", "--config", str(config))
    data = json.loads(result.stdout)
    checks = {c["name"]: c for c in data["checks"]}
    assert data["ok"] == (result.returncode == 0), result.stdout
    return result.returncode, checks


def write_config(path: Path, url: str, extra: str = "",
                 printer: SimulatedReceiptPrinter | None = None) -> Path:
    text = (f'data_dir = "{path.parent / "data"}"\nkiosk_id = "hall-0101-t07"\n'
            f'{extra}\n[central]\nurls = ["{url}"]\n')
    if printer is not None:
        text += (f'[devices.receipt]\nkind = "receipt_printer"\n'
                 f'connection = "{printer.connection}"\n')
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def central(tmp_path: Path) -> Iterator[CentralServer]:
    with CentralServer(f"sqlite:///{tmp_path / 'central.db'}") as server:
        yield server


@pytest.fixture
def printer() -> Iterator[SimulatedReceiptPrinter]:
    sim = SimulatedReceiptPrinter().start()
    yield sim
    sim.stop()


def test_all_ok_on_an_enrolled_terminal(central: CentralServer, printer: SimulatedReceiptPrinter,
                                        tmp_path: Path) -> None:
    config = write_config(tmp_path / "kiosk.toml", central.url, printer=printer)
    code, checks = doctor(config)
    assert code == 1 and list(checks) == NAMES
    assert not checks["enrolment"]["ok"] and "kiosk enroll" in checks["enrolment"]["detail"]
    assert not (tmp_path / "data" / "keys").exists()  # the doctor created no keys
    enrolled = kiosk("enroll", "--config", str(config))
    assert enrolled.returncode == 0, enrolled.stderr
    code, checks = doctor(config)
    assert code == 0, checks
    assert "receipt" in checks["devices"]["detail"]
    assert "s behind" in checks["clock"]["detail"] or "s ahead" in checks["clock"]["detail"]
    assert "MB free" in checks["disk"]["detail"]
    assert "heartbeat accepted" in checks["enrolment"]["detail"]
    text = kiosk("doctor", "--config", str(config))
    assert text.returncode == 0 and text.stdout.splitlines()[0].startswith("OK    config")


def test_central_down_and_device_off(central: CentralServer, printer: SimulatedReceiptPrinter,
                                     tmp_path: Path) -> None:
    config = write_config(tmp_path / "kiosk.toml", central.url, printer=printer)
    assert kiosk("enroll", "--config", str(config)).returncode == 0
    port = central.url.rsplit(":", 1)[1]
    central.stop()
    printer.offline = True
    code, checks = doctor(config)
    assert code == 1
    assert not checks["central"]["ok"] and "does not answer" in checks["central"]["detail"]
    assert port in checks["central"]["detail"]
    assert not checks["clock"]["ok"] and "not reachable" in checks["clock"]["detail"]
    assert not checks["enrolment"]["ok"] and "keys present" in checks["enrolment"]["detail"]
    assert not checks["devices"]["ok"] and "receipt" in checks["devices"]["detail"]
    assert checks["config"]["ok"] and checks["disk"]["ok"]


def test_clock_skew_is_named(central: CentralServer, tmp_path: Path,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The central service (in this process) answers with a clock 5 minutes fast."""
    import central.routes.health as health

    class Fast(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Fast:
            moment = datetime.now(tz) + timedelta(minutes=5)
            return cls.fromtimestamp(moment.timestamp(), tz)

    monkeypatch.setattr(health, "datetime", Fast)
    config = write_config(tmp_path / "kiosk.toml", central.url)
    code, checks = doctor(config)
    assert code == 1 and not checks["clock"]["ok"]
    detail = checks["clock"]["detail"]
    assert "behind the central service" in detail and "more than 60 s" in detail
    assert 290 < float(detail.split(" s ")[0]) < 310
    assert checks["central"]["ok"]


def test_unknown_keys_and_expiring_certificate(central: CentralServer, tmp_path: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    from offline_queue.crypto import KioskKeys

    KioskKeys.load_or_create(tmp_path / "data" / "keys")  # keys nobody enrolled
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hall CA")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(7)
            .not_valid_before(now - timedelta(days=300)).not_valid_after(now + timedelta(days=5))
            .sign(key, hashes.SHA256()))
    ca = tmp_path / "ca.pem"
    ca.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    config = write_config(tmp_path / "kiosk.toml", central.url)
    config.write_text(config.read_text() + f'ca_file = "{ca}"\n')
    code, checks = doctor(config)
    assert code == 1
    assert not checks["enrolment"]["ok"]
    assert "does not accept kiosk hall-0101-t07" in checks["enrolment"]["detail"]
    assert not checks["certificates"]["ok"]
    assert "CN=hall CA" in checks["certificates"]["detail"]
    assert "expires in 4 days" in checks["certificates"]["detail"]


def test_invalid_config_is_the_only_check(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text('data_dir = "/x"\n[ui]\nlanguage = "fr"\n', encoding="utf-8")
    code, checks = doctor(config)
    assert code == 1 and list(checks) == ["config"]
    assert "language must be zh or en" in checks["config"]["detail"]
