"""`kiosk update` (issue #14 §3): from the version on main before this work (tag
v0-main) to this tree, on a terminal staged by deploy/install.sh --root, with 1,000
records queued by the old version itself.

Real everything: wheels built from a `git worktree` of the tag and from the tree, both
signed by `kiosk release-sign`, the old one installed by install.sh, the new one by the
updater; the kiosk started and stopped by a stand-in for systemctl (a shell script) and
READY=1 received on a kiosk.watchdog.NotifyListener socket. The updater is killed with
SIGKILL right after each step it journals (KIOSK_UPDATE_HOLD_AFTER holds it there),
then resumed; each time every record must still be there and the terminal must be
wholly the old version (old schema) or wholly the new one (new schema).

`make test` kills it after two steps; `make update-drill` (KIOSK_UPDATE_KILL_STEPS=all)
after every step.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.update import BACKUP_DIR, JOURNAL, fetch_and_verify, install_release
from offline_queue.migrations import HEAD_REVISION

REPO = Path(__file__).resolve().parents[2]
KIOSK = [sys.executable, "-m", "kiosk"]
OLD_REVISION = "0003"  # the queue schema of v0-main
# main before the fleet work (tag v0-main): named by its commit, which every clone of main
# has, where a tag may not travel with the submission.
V0_MAIN = "a6c78089d1c2195f79ea05d986bf96586b8807f3"
RECORDS = 1000
KIOSK_ID = "kiosk-upd-1"
ALL_STEPS = ("verified", "installed", "stopped", "backed_up", "migrated", "switched")
KILL_STEPS = ALL_STEPS if os.environ.get("KIOSK_UPDATE_KILL_STEPS") == "all" \
    else ("migrated", "switched")

pytestmark = [pytest.mark.timeout(900)]


def run(cmd: list[str], cwd: str | None = None,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=900, cwd=cwd,
                            env=env)
    assert result.returncode == 0, f"{cmd}: {result.stdout}{result.stderr}"
    return result


# -- session-wide: the two versions' signed packages and the old install -----------------


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path | str]:
    base = tmp_path_factory.mktemp("releases")
    new, old = base / "new", base / "old"
    run([sys.executable, "-m", "pip", "wheel", "-q", "--wheel-dir", str(new), str(REPO)])
    tree = base / "v0-tree"
    run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(tree), V0_MAIN])
    try:
        run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--wheel-dir",
             str(old), str(tree)])
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)],
                       capture_output=True)
    for wheel in new.glob("*.whl"):  # the same dependencies: only the program differs
        if not wheel.name.startswith("tax_kiosk-"):
            shutil.copy(wheel, old / wheel.name)
    key = base / "release-key.pem"
    first = run([*KIOSK, "release-sign", str(old), "--key", str(key), "--generate"])
    run([*KIOSK, "release-sign", str(new), "--key", str(key)])
    public = next(line for line in first.stdout.splitlines()
                  if line.startswith("[update] release_public_key"))
    return {"old": old, "new": new, "key": key,
            "public": public.split("=", 1)[1].strip().strip('"')}


def write_config(root: Path, public: str) -> Path:
    config = root / "etc/kiosk/update-test.toml"
    config.write_text(
        f'data_dir = "{root}/var/lib/kiosk"\nkiosk_id = "{KIOSK_ID}"\n'
        '[central]\nurls = ["http://127.0.0.1:9"]\n'
        f'[update]\nrelease_public_key = "{public}"\nprefix = "{root}/opt/kiosk"\n',
        encoding="utf-8")
    return config


_FILL = """
import json, sys
from pathlib import Path
from offline_queue.crypto import KioskKeys
from offline_queue.outbox import Outbox
data = Path(sys.argv[1])
keys = KioskKeys.load_or_create(data / "keys")
box = Outbox(data / "outbox.sqlite3", sys.argv[2], keys)
uuids = [box.enqueue("verification", {"invoice_code": "044031900111", "n": i}).uuid
         for i in range(int(sys.argv[3]))]
box.close()
print(json.dumps(uuids))
"""


@pytest.fixture(scope="module")
def old_terminal(packages: dict[str, Path | str],
                 tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """install.sh's staged tree with the old version and 1,000 records it queued."""
    root = tmp_path_factory.mktemp("old-terminal") / "root"
    run(["bash", str(REPO / "deploy/install.sh"), "--root", str(root), "--wheels",
         str(packages["old"]), "--release-public-key", str(packages["public"])],
        env={**os.environ, "LC_ALL": "C"})
    write_config(root, str(packages["public"]))
    python = root / "opt/kiosk/current/bin/python"
    filled = run([str(python), "-c", _FILL, str(root / "var/lib/kiosk"), KIOSK_ID,
                  str(RECORDS)], cwd="/")
    return root, json.loads(filled.stdout)


@pytest.fixture(scope="module")
def both_installed(old_terminal: tuple[Path, list[str]], packages: dict[str, Path | str],
                   tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The old terminal with the new version already installed beside (not switched):
    the kill drills need not build a virtual environment each."""
    root = tmp_path_factory.mktemp("both") / "root"
    clone(old_terminal[0], root)
    staged = root.parent / "pkg"
    manifest = fetch_and_verify(str(packages["new"]),
                                base64.b64decode(str(packages["public"])), staged)
    install_release(staged, manifest, root / "opt/kiosk", "/usr/bin/python3")
    return root


def clone(template: Path, root: Path) -> None:
    """The virtual environments hard-linked (never written in place), the rest copied."""
    subprocess.run(["cp", "-al", str(template), str(root)], check=True)
    for mutable in ("var/lib/kiosk", "etc/kiosk"):
        shutil.rmtree(root / mutable)
        subprocess.run(["cp", "-a", str(template / mutable), str(root / mutable)],
                       check=True)
    write_config(root, _public_of(template))


def _public_of(root: Path) -> str:
    text = (root / "etc/kiosk/update-test.toml").read_text()
    return text.split('release_public_key = "')[1].split('"')[0]


class Terminal:
    """One staged terminal: its prefix, data, and a stand-in for systemctl."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.prefix = root / "opt/kiosk"
        self.data = root / "var/lib/kiosk"
        self.config = root / "etc/kiosk/update-test.toml"
        self.pidfile = root / "kiosk.pid"
        self.log = root / "kiosk.log"
        stop = (f'if [ -f {self.pidfile} ]; then p=$(cat {self.pidfile}); kill $p 2>/dev/null;'
                f' i=0; while kill -0 $p 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; '
                f'i=$((i+1)); done; kill -9 $p 2>/dev/null; rm -f {self.pidfile}; fi\n')
        (root / "stop.sh").write_text(stop)
        (root / "restart.sh").write_text(
            stop + f'cd / && QT_QPA_PLATFORM=offscreen setsid {self.prefix}/current/bin/python '
            f'-m kiosk run --config {self.config} >>{self.log} 2>&1 </dev/null &\n'
            f'echo $! > {self.pidfile}\n')

    def update_args(self, *extra: str) -> list[str]:
        return [*KIOSK, "update", "--config", str(self.config), "--restart-command",
                f"sh {self.root / 'restart.sh'}", "--stop-command",
                f"sh {self.root / 'stop.sh'}", "--start-limit", "60", *extra]

    def update(self, *extra: str, env: dict[str, str] | None = None
               ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self.update_args(*extra), capture_output=True, text=True,
                              timeout=900, env=env)

    def current(self) -> str:
        return os.readlink(self.prefix / "current")

    def kiosk_running(self) -> bool:
        if not self.pidfile.exists():
            return False
        try:
            os.kill(int(self.pidfile.read_text()), 0)
        except OSError:
            return False
        return True

    def stop(self) -> None:
        subprocess.run(["sh", str(self.root / "stop.sh")], check=False)

    def records(self) -> tuple[str, int, list[str], list[str]]:
        """(schema revision, pending count by the current version's own Outbox, the
        stored uuids, chain problems)."""
        conn = sqlite3.connect(self.data / "outbox.sqlite3")
        try:
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
            uuids = [r[0] for r in conn.execute("SELECT uuid FROM outbox ORDER BY seq")]
        finally:
            conn.close()
        check = ("import json, sys\nfrom pathlib import Path\n"
                 "from offline_queue.crypto import KioskKeys\n"
                 "from offline_queue.outbox import Outbox\n"
                 "d = Path(sys.argv[1])\n"
                 "b = Outbox(d / 'outbox.sqlite3', sys.argv[2], "
                 "KioskKeys.load_or_create(d / 'keys'))\n"
                 "print(json.dumps([b.pending_count(), b.verify_chain()]))\nb.close()\n")
        out = run([str(self.prefix / "current/bin/python"), "-c", check, str(self.data),
                   KIOSK_ID], cwd="/")
        pending, problems = json.loads(out.stdout)
        return revision, pending, uuids, problems

    def assert_whole(self, uuids: list[str], old: str) -> str:
        """Wholly old or wholly new, every record there; returns which."""
        revision, pending, stored, problems = self.records()
        which = "old" if self.current() == old else "new"
        assert revision == (OLD_REVISION if which == "old" else HEAD_REVISION), \
            (which, revision)
        assert (self.prefix / self.current() / ".installed").exists()
        assert stored == uuids and pending == RECORDS and problems == []
        assert not (self.prefix / JOURNAL).exists()
        return which


@pytest.fixture()
def terminal(old_terminal: tuple[Path, list[str]], tmp_path: Path) -> Iterator[Terminal]:
    clone(old_terminal[0], tmp_path / "root")
    t = Terminal(tmp_path / "root")
    yield t
    t.stop()


@pytest.fixture()
def installed_terminal(both_installed: Path, tmp_path: Path) -> Iterator[Terminal]:
    clone(both_installed, tmp_path / "root")
    t = Terminal(tmp_path / "root")
    yield t
    t.stop()


def tree_digest(t: Terminal) -> dict[str, str]:
    """What a refused update must not change: prefix entries, the link, the data."""
    out = {"current": t.current(),
           "versions": ",".join(sorted(os.listdir(t.prefix / "versions")))}
    for path in sorted(t.data.rglob("*")):
        if path.is_file():
            out[str(path.relative_to(t.data))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


# -- the tests -------------------------------------------------------------------------


def test_upgrade_keeps_every_record(terminal: Terminal, old_terminal: tuple[Path, list[str]],
                                    packages: dict[str, Path | str]) -> None:
    uuids = old_terminal[1]
    old = terminal.current()
    subprocess.run(["sh", str(terminal.root / "restart.sh")], check=True)  # old one runs
    result = terminal.update("--from", str(packages["new"]))
    assert result.returncode == 0, result.stdout + result.stderr
    steps = [line.split(": ")[1] for line in result.stdout.splitlines()
             if line.startswith("step: ")]
    assert steps == list(ALL_STEPS), result.stdout
    assert terminal.current() != old and terminal.assert_whole(uuids, old) == "new"
    assert terminal.kiosk_running()  # the new version, which said READY=1
    last = json.loads((terminal.prefix / "update-last.json").read_text())
    assert last["state"] == "done" and last["installed_now"] is True
    assert (terminal.data / BACKUP_DIR / "outbox.sqlite3").exists()
    # Updating to the same release again changes nothing.
    again = terminal.update("--from", str(packages["new"]))
    assert again.returncode == 0 and "already the running version" in again.stdout


@pytest.mark.parametrize("step", KILL_STEPS)
def test_killed_at_each_step_resumes_whole(installed_terminal: Terminal, step: str,
                                           old_terminal: tuple[Path, list[str]],
                                           packages: dict[str, Path | str]) -> None:
    t, uuids = installed_terminal, old_terminal[1]
    old = t.current()
    proc = subprocess.Popen(t.update_args("--from", str(packages["new"])),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "KIOSK_UPDATE_HOLD_AFTER": step})
    assert proc.stdout is not None and proc.stderr is not None
    try:
        for line in proc.stdout:
            if line.strip() == f"step: {step}":
                break
        else:
            pytest.fail(f"the updater never reached {step}: {proc.stderr.read()}")
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
        proc.stdout.close()
        proc.stderr.close()
    assert json.loads((t.prefix / JOURNAL).read_text())["state"] == step
    resumed = t.update("--resume")
    assert resumed.returncode in (0, 3), resumed.stdout + resumed.stderr
    which = t.assert_whole(uuids, old)
    # Before the switch the update is rolled back; after it, completed.
    assert which == ("new" if step == "switched" else "old"), resumed.stdout
    assert resumed.returncode == (0 if which == "new" else 3)


def test_killed_update_rolls_back_at_next_start(installed_terminal: Terminal,
                                                old_terminal: tuple[Path, list[str]],
                                                packages: dict[str, Path | str]) -> None:
    """What the unit's ExecStartPre runs: no service commands, always back to old."""
    t, uuids = installed_terminal, old_terminal[1]
    old = t.current()
    proc = subprocess.Popen(t.update_args("--from", str(packages["new"])),
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env={**os.environ, "KIOSK_UPDATE_HOLD_AFTER": "switched"})
    assert proc.stdout is not None
    with proc:
        for line in proc.stdout:
            if line.strip() == "step: switched":
                proc.kill()
                break
    assert t.current() != old
    result = subprocess.run([*KIOSK, "update", "--resume", "--at-start", "--config",
                             str(t.config)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 3, result.stdout + result.stderr
    assert t.assert_whole(uuids, old) == "old" and not t.kiosk_running()


def test_no_ready_in_time_rolls_back(installed_terminal: Terminal,
                                     old_terminal: tuple[Path, list[str]],
                                     packages: dict[str, Path | str]) -> None:
    t, uuids = installed_terminal, old_terminal[1]
    old = t.current()
    args = t.update_args("--from", str(packages["new"]))
    args[args.index("--start-limit") + 1] = "0.05"  # no Python starts Qt that fast
    result = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "did not report READY=1" in result.stdout
    assert t.assert_whole(uuids, old) == "old"
    assert t.kiosk_running()  # the old version started again


def test_failed_migration_rolls_back(installed_terminal: Terminal,
                                     old_terminal: tuple[Path, list[str]],
                                     packages: dict[str, Path | str]) -> None:
    t, uuids = installed_terminal, old_terminal[1]
    old = t.current()
    # A table in the way of the new version's first revision: its CREATE TABLE fails.
    conn = sqlite3.connect(t.data / "outbox.sqlite3")
    conn.execute("CREATE TABLE payment_orders (x INTEGER)")
    conn.commit()
    conn.close()
    result = t.update("--from", str(packages["new"]))
    assert result.returncode == 3, result.stdout + result.stderr
    assert "migration failed" in result.stdout
    assert t.assert_whole(uuids, old) == "old"


def _altered(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest)
    return dest


def test_unsigned_and_altered_packages_refused(terminal: Terminal, tmp_path: Path,
                                               packages: dict[str, Path | str]) -> None:
    new = Path(packages["new"])
    before = tree_digest(terminal)
    unsigned = _altered(new, tmp_path / "unsigned")
    (unsigned / "manifest.json.sig").unlink()
    wheel = _altered(new, tmp_path / "wheel")
    ours = next(wheel.glob("tax_kiosk-*.whl"))
    ours.write_bytes(ours.read_bytes() + b"\0")
    manifest = _altered(new, tmp_path / "manifest")
    text = (manifest / "manifest.json").read_text()
    (manifest / "manifest.json").write_text(text.replace('"format": 1', '"format":  1'))
    other = _altered(new, tmp_path / "other-key")
    (other / "manifest.json.sig").unlink()
    run([*KIOSK, "release-sign", str(other), "--key", str(tmp_path / "k.pem"), "--generate"])
    for pkg, words in ((unsigned, "not signed"), (wheel, "SHA-256 differs"),
                       (manifest, "signature"), (other, "signature")):
        result = terminal.update("--from", str(pkg))
        assert result.returncode == 1 and words in result.stderr, (pkg, result.stderr)
        assert tree_digest(terminal) == before
        assert not (terminal.prefix / JOURNAL).exists()
    # No key configured: nothing is accepted.
    terminal.config.write_text(terminal.config.read_text().replace(
        "release_public_key", "# release_public_key"))
    result = terminal.update("--from", str(new))
    assert result.returncode == 1 and "no release key configured" in result.stderr
