"""Issue #8: the shipped kiosk unit keeps the taxpayer in the kiosk and its data private.

Parses deploy/systemd/kiosk.service and the logind drop-in as systemd would read them
(sections, `key=value`, backslash continuation, repeated keys): cage without `-s` (which
allows switching to a text console), no spare VTs, UMask=0077, the keys from encrypted
credentials, and file-system hardening that leaves the devices reachable.
"""
from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.security

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy/systemd/kiosk.service"
LOGIND_DROP_IN = ROOT / "deploy/systemd/logind.conf.d/kiosk.conf"


def parse_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """{section: {key: [values in order]}}; comments and blank lines skipped."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = pending + raw.strip()
        pending = ""
        if not line or line.startswith(("#", ";")):
            continue
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None, f"{path}: {line!r} outside a section"
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


@pytest.fixture(scope="module")
def service() -> dict[str, list[str]]:
    return parse_unit(UNIT)["Service"]


def cage_arguments(service: dict[str, list[str]]) -> list[str]:
    """cage's own options: the words between the cage binary and `--`."""
    (exec_start,) = service["ExecStart"]
    words = shlex.split(exec_start)
    start = next(i for i, w in enumerate(words) if Path(w).name == "cage")
    end = words.index("--", start)
    assert words[end + 1].endswith("/kiosk") and words[end + 2] == "run"
    return words[start + 1:end]


def test_cage_does_not_allow_vt_switching(service: dict[str, list[str]]) -> None:
    args = cage_arguments(service)
    assert not any(a == "-s" or (a.startswith("-") and not a.startswith("--") and "s" in a)
                   for a in args), args


def test_spare_vts_are_disabled_by_the_logind_drop_in() -> None:
    login = parse_unit(LOGIND_DROP_IN)["Login"]
    assert login["NAutoVTs"] == ["0"] and login["ReserveVT"] == ["0"]
    assert "logind.conf.d/kiosk.conf" in UNIT.read_text(encoding="utf-8")  # install note


def test_files_are_owner_only_and_keys_come_from_encrypted_credentials(
        service: dict[str, list[str]]) -> None:
    assert service["UMask"] == ["0077"]
    names = {value.split(":", 1)[0] for value in service["LoadCredentialEncrypted"]}
    assert names == {"kiosk-signing-key", "kiosk-data-key"}
    assert all(":/" in value for value in service["LoadCredentialEncrypted"])


def test_hardening_keeps_devices_reachable(service: dict[str, list[str]]) -> None:
    assert service["NoNewPrivileges"] == ["yes"]
    assert service["ProtectSystem"] == ["strict"]
    assert service["StateDirectory"] == ["kiosk"]  # data_dir /var/lib/kiosk stays writable
    assert service["StateDirectoryMode"] == ["0700"]
    assert service["ProtectHome"] == ["yes"] and service["PrivateTmp"] == ["yes"]
    # Serial ports, printers and the display/input devices must stay reachable.
    assert service.get("PrivateDevices", ["no"]) == ["no"]
    assert "DevicePolicy" not in service
    # ProtectHome hides /run/user: cage's Wayland socket needs a runtime dir of its own.
    assert service["RuntimeDirectory"] == ["kiosk"]
    assert "XDG_RUNTIME_DIR=/run/kiosk" in service["ExecStart"][0]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_knows_every_setting() -> None:
    done = subprocess.run(["systemd-analyze", "verify", str(UNIT)], capture_output=True,
                          text=True, timeout=60)
    unknown = [line for line in done.stderr.splitlines() if "Unknown" in line]
    assert unknown == []
