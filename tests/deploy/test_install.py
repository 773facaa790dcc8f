"""deploy/install.sh (issue #14 §1) staged with --root into a temporary tree: no root,
no users, nothing started. The tree, its modes, the plan, --dry-run and idempotence
(a second run changes nothing), with the program installed from real wheels."""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

# A real install builds a virtual environment from wheels: minutes on a busy 2-core machine.
pytestmark = [pytest.mark.timeout(900)]

REPO = Path(__file__).resolve().parents[2]
INSTALL = REPO / "deploy" / "install.sh"


def run_install(*args: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["bash", str(INSTALL), *map(str, args)], capture_output=True,
                            text=True, timeout=600, env={**os.environ, "LC_ALL": "C"})
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def snapshot(root: Path) -> dict[str, tuple[int, int, str]]:
    """Every path under root (not into the virtual environments): mode, mtime, link."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if "/versions/" in "/" + rel and rel.count("/") > 3:
            continue
        st = path.lstat()
        out[rel] = (st.st_mode, st.st_mtime_ns, os.readlink(path) if path.is_symlink() else "")
    return out


def test_script_parses_and_lints() -> None:
    subprocess.run(["bash", "-n", str(INSTALL)], check=True)
    if shutil.which("shellcheck"):
        subprocess.run(["shellcheck", "-S", "warning", str(INSTALL)], check=True)


def test_bad_options_change_nothing(tmp_path: Path) -> None:
    result = run_install("--root", tmp_path / "t", "--wheels", tmp_path / "none", check=False)
    assert result.returncode == 2 and "not a directory" in result.stderr
    assert not any((tmp_path / "t").rglob("*"))
    result = run_install("--frobnicate", check=False)
    assert result.returncode == 2 and "unknown option" in result.stderr
    result = run_install("--root", tmp_path / "t", "--devices", tmp_path / "nope", check=False)
    assert result.returncode == 2 and "cannot be read" in result.stderr


def test_dry_run_prints_every_change_and_makes_none(tmp_path: Path) -> None:
    root = tmp_path / "staging"
    result = run_install("--root", root, "--dry-run")
    lines = result.stdout.splitlines()
    assert all(line.startswith("would ") for line in lines[:-1]), lines
    assert "dry run: nothing changed" in lines[-1]
    for what in ("/etc/kiosk/kiosk.toml", "/var/lib/kiosk", "/etc/systemd/system/kiosk.service",
                 "/etc/systemd/journald.conf.d/kiosk.conf", "/opt/kiosk/current",
                 "/etc/kiosk/install-plan.txt"):
        assert any(what in line for line in lines), what
    assert not any(root.rglob("*"))


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `make dist` builds: the program and its dependencies as wheels, signed with
    a release key (manifest.json + manifest.json.sig; the key lies beside the folder)."""
    out = tmp_path_factory.mktemp("wheels")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--wheel-dir", str(out),
                    str(REPO)], check=True, timeout=900, capture_output=True)
    from kiosk.update import generate_release_key, sign_release

    generate_release_key(out.parent / "release-key.pem")
    sign_release(out, out.parent / "release-key.pem")
    return out


def public_key(wheels: Path) -> str:
    from kiosk.update import load_release_key, public_key_of, public_key_text

    return public_key_text(public_key_of(load_release_key(wheels.parent / "release-key.pem")))


@pytest.fixture(scope="module")
def staged(wheels: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    root = tmp_path_factory.mktemp("root")
    devices = root.parent / "t07-devices.env"
    devices.write_text("PRINTER_VENDOR=0fe6\nPRINTER_PRODUCT=811e\nPRINTER_SERIAL=PRN1\n")
    first = run_install("--root", root, "--wheels", wheels, "--devices", devices,
                        "--release-public-key", public_key(wheels))
    yield root, first.stdout


def test_staged_tree_modes_and_plan(staged: tuple[Path, str], wheels: Path) -> None:
    root, output = staged
    assert "change(s) made" in output
    config = root / "etc/kiosk/kiosk.toml"
    assert mode(config) == 0o640 and mode(root / "etc/kiosk") == 0o750
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    assert data["mode"] == "production" and data["data_dir"] == "/var/lib/kiosk"
    from kiosk.config import parse_config

    assert parse_config(data).production  # the kiosk accepts what was written
    # `kiosk update` will accept what the wheels were checked with, and nothing else.
    assert data["update"]["release_public_key"] == public_key(wheels)
    assert mode(root / "var/lib/kiosk") == 0o700
    rules = (root / "etc/udev/rules.d/99-kiosk.rules").read_text()
    assert 'ATTRS{serial}=="PRN1"' in rules and "SCANNER" not in rules
    assert mode(root / "etc/udev/rules.d/99-kiosk.rules") == 0o644
    journald = (root / "etc/systemd/journald.conf.d/kiosk.conf").read_text()
    assert "SystemMaxUse=" in journald
    unit = (root / "etc/systemd/system/kiosk.service").read_text()
    for line in ("Type=notify", "WatchdogSec=", "Restart=always", "/usr/bin/cage -- ",
                 "/opt/kiosk/current/bin/kiosk run"):
        assert line in unit, line
    assert "cage -s" not in unit  # -s would allow VT switching
    plan = (root / "etc/kiosk/install-plan.txt").read_text().splitlines()
    assert "user kiosk groups=dialout,lp,video,input" in plan
    assert "service kiosk.service enable" in plan and "package cage" in plan


def test_versioned_environment_runs(staged: tuple[Path, str]) -> None:
    root, _ = staged
    current = root / "opt/kiosk/current"
    target = os.readlink(current)
    assert target.startswith("versions/") and current.resolve().is_dir()
    # The scripts name the real path (/opt/kiosk/versions/...), not the staging tree.
    script = (current / "bin/kiosk").read_text().splitlines()[0]
    assert script == f"#!/opt/kiosk/{target}/bin/python", script
    result = subprocess.run([str(current / "bin/python"), "-m", "kiosk", "run", "--help"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "--simulate" in result.stdout, result.stderr


def test_second_run_changes_nothing(staged: tuple[Path, str], wheels: Path) -> None:
    root, _ = staged
    devices = root.parent / "t07-devices.env"
    before = snapshot(root)
    again = run_install("--root", root, "--wheels", wheels, "--devices", devices)
    assert again.stdout.startswith("nothing to change"), again.stdout
    assert snapshot(root) == before
    dry = run_install("--root", root, "--wheels", wheels, "--devices", devices, "--dry-run")
    assert dry.stdout.startswith("nothing to change"), dry.stdout


def test_config_edits_are_kept_and_modes_repaired(staged: tuple[Path, str],
                                                  wheels: Path) -> None:
    root, _ = staged
    config = root / "etc/kiosk/kiosk.toml"
    edited = config.read_text(encoding="utf-8") + "\n# hall 0101 terminal 7\n"
    config.write_text(edited, encoding="utf-8")
    config.chmod(0o644)
    (root / "var/lib/kiosk").chmod(0o755)
    devices = root.parent / "t07-devices.env"
    result = run_install("--root", root, "--wheels", wheels, "--devices", devices)
    assert "set mode 640 on /etc/kiosk/kiosk.toml" in result.stdout
    assert "set mode 700 on /var/lib/kiosk" in result.stdout
    assert config.read_text(encoding="utf-8") == edited
    assert mode(config) == 0o640 and mode(root / "var/lib/kiosk") == 0o700


@pytest.mark.security
def test_unsigned_or_altered_wheels_are_refused_with_nothing_changed(
        wheels: Path, tmp_path: Path) -> None:
    """--wheels takes only what the release key signed (kiosk.update's own check): no
    signature, an altered wheel, another key or no key at all leave the tree empty."""
    key = public_key(wheels)

    def package(name: str, skip: str = "", alter: str = "") -> Path:
        # Hard links: the large wheels are not copied; the altered one is a real copy.
        folder = tmp_path / name
        folder.mkdir()
        for item in wheels.iterdir():
            if item.name == skip:
                continue
            if item.name.startswith(alter) and alter:
                (folder / item.name).write_bytes(item.read_bytes() + b"\0")
            else:
                os.link(item, folder / item.name)
        return folder

    root = tmp_path / "root"
    cases = [
        (package("unsigned", skip="manifest.json.sig"), key, "not signed"),
        (package("altered", alter="tax_kiosk-"), key, "SHA-256 differs"),
        (wheels, "A" * 43 + "=", "signature is not the release key's"),
        (wheels, "", "needs --release-public-key"),
    ]
    for folder, given, reason in cases:
        for dry in ([], ["--dry-run"]):
            args: list[str | Path] = ["--root", root, "--wheels", folder, *dry]
            if given:
                args += ["--release-public-key", given]
            result = run_install(*args, check=False)
            assert result.returncode == 2, result.stdout + result.stderr
            assert reason in result.stderr and "nothing changed" in result.stderr, \
                result.stderr
            assert result.stdout == "", result.stdout  # not one change announced
            assert not any(root.rglob("*")), (folder, sorted(root.rglob("*")))
