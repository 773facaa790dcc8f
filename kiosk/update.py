"""Signed releases and the journalled update of a terminal (issue #14 §3), Qt-free.

A release package is a folder (or the same files under a URL) holding the wheels of one
version, ``manifest.json`` (format, version, release name and every file with its size
and SHA-256) and ``manifest.json.sig``: an Ed25519 signature over the manifest's exact
bytes, base64. ``make dist`` signs with the release key (``sign_release``); the terminal
holds only the public half (``[update] release_public_key``), so a package nobody with
the release key signed, or one altered after signing, is refused before anything
changes.

``Updater.run`` then works through these steps, journalling each one (an fsynced JSON
file, ``<prefix>/update-journal.json``) before going on:

    verified   the package was copied into <prefix>/packages/<release> and checked there
               (checking a copy: nobody can swap a file between the check and the use)
    installed  a virtual environment <prefix>/versions/<release> beside the running one
    stopped    the kiosk stopped (nothing may queue a record after the backup)
    backed_up  every SQLite database of the data directory copied with SQLite's online
               backup API into <data_dir>/update-backup/
    migrated   the new version's own migrations run on the queue (its interpreter)
    switched   <prefix>/current pointed at the new version (a symlink renamed over it:
               atomic, there is never no `current`)
    done       the new version started and said READY=1 within the start limit

A failed migration or a missing READY=1 switches back, restores the databases from the
backup and starts the old version again (``rolled_back``). An updater killed at any step
leaves the journal behind: ``kiosk update --resume`` (and ``--at-start`` before the
kiosk's next start) rolls an update killed before ``switched`` back, and completes one
killed after it (restart, READY=1 - or roll back). Records are never lost: the only
writes to the databases are the migration (checked record by record by
offline_queue.migrate) and the restore of the backup taken while the kiosk was stopped.
"""
from __future__ import annotations

import base64
import binascii
import contextlib
import fcntl
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
SIGNATURE = "manifest.json.sig"
MANIFEST_FORMAT = 1
PROJECT = "tax-kiosk"
JOURNAL = "update-journal.json"
LAST_JOURNAL = "update-last.json"
LOCK = "update.lock"
BACKUP_DIR = "update-backup"
BACKUP_LIST = "databases.json"
STEPS = ("verified", "installed", "stopped", "backed_up", "migrated", "switched", "done")
FINAL = ("done", "rolled_back")
#: Test hook for the kill drills (tests/deploy/test_update.py): after journalling this
#: step the updater prints it and waits to be killed, so a SIGKILL lands exactly there.
HOLD_ENV = "KIOSK_UPDATE_HOLD_AFTER"
SQLITE_HEADER = b"SQLite format 3\x00"
_WHEEL_RE = re.compile(r"[A-Za-z0-9_.+-]+\.whl")
_VERSION_RE = re.compile(r"[0-9A-Za-z.+!-]{1,64}")
MAX_MANIFEST_BYTES = 1 << 20


class UpdateError(RuntimeError):
    """The update cannot go on; the message says why in plain words."""


# -- release key and signing -----------------------------------------------------------


def generate_release_key(path: Path) -> bytes:
    """A new Ed25519 release key as a 0600 PEM file at `path`; returns the raw public
    key. Refuses to overwrite an existing file (that would orphan every terminal)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return key.public_key().public_bytes(serialization.Encoding.Raw,
                                         serialization.PublicFormat.Raw)


def load_release_key(path: Path) -> Any:
    """The Ed25519 private key in the PEM file at `path` (UpdateError if it is not one)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise UpdateError(f"release key {path} cannot be read: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise UpdateError(f"release key {path} is not an Ed25519 key")
    return key


def public_key_text(raw: bytes) -> str:
    """How the public half goes into `[update] release_public_key`: base64 of 32 bytes."""
    return base64.b64encode(raw).decode("ascii")


def public_key_of(key: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    raw: bytes = key.public_key().public_bytes(serialization.Encoding.Raw,
                                               serialization.PublicFormat.Raw)
    return raw


def parse_public_key(text: str) -> bytes:
    """The raw 32-byte key from base64 text or a PEM public key (UpdateError if not)."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        try:
            key = serialization.load_pem_public_key(text.encode("ascii"))
        except ValueError as exc:
            raise UpdateError(f"the release public key is not a PEM key: {exc}") from None
        if not isinstance(key, Ed25519PublicKey):
            raise UpdateError("the release public key is not an Ed25519 key")
        return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise UpdateError("the release public key must be 32 bytes in base64 (the line "
                          "`make dist` prints) or a PEM Ed25519 public key")
    return raw


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def release_name(wheel_dir: Path, wheels: list[str]) -> tuple[str, str]:
    """(version, release) named exactly as deploy/install.sh names them: the version of
    the tax_kiosk wheel and the first 12 hex digits of a SHA-256 over the wheels'
    `sha256sum` lines, so the same wheels give the same versions/ directory."""
    ours = sorted(w for w in wheels if w.startswith("tax_kiosk-"))
    if not ours:
        raise UpdateError(f"no tax_kiosk-*.whl in {wheel_dir} (make dist)")
    version = ours[-1].split("-")[1]
    lines = "".join(f"{_sha256(wheel_dir / w)}  ./{w}\n" for w in sorted(wheels))
    return version, f"{version}-{hashlib.sha256(lines.encode()).hexdigest()[:12]}"


def sign_release(wheel_dir: Path, key_path: Path) -> dict[str, Any]:
    """Write manifest.json and manifest.json.sig for the wheels in `wheel_dir`."""
    key = load_release_key(key_path)
    wheels = sorted(p.name for p in wheel_dir.glob("*.whl"))
    version, release = release_name(wheel_dir, wheels)
    manifest = {
        "format": MANIFEST_FORMAT, "project": PROJECT, "version": version,
        "release": release, "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": [{"name": w, "size": (wheel_dir / w).stat().st_size,
                   "sha256": _sha256(wheel_dir / w)} for w in wheels],
    }
    data = (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode("utf-8")
    (wheel_dir / MANIFEST).write_bytes(data)
    (wheel_dir / SIGNATURE).write_text(base64.b64encode(key.sign(data)).decode() + "\n")
    return manifest


# -- fetching and verifying a package ----------------------------------------------------


@dataclass(frozen=True)
class Manifest:
    version: str
    release: str
    files: tuple[tuple[str, int, str], ...]  # (name, size, sha256)


def check_manifest(data: bytes, signature_text: str, public_key: bytes) -> Manifest:
    """The manifest, if `signature_text` is the release key's signature over `data` and
    the content is well formed; UpdateError otherwise."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        signature = base64.b64decode(signature_text.strip(), validate=True)
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, data)
    except (InvalidSignature, binascii.Error, ValueError):
        raise UpdateError("the package's signature is not the release key's: refused "
                          "(altered, or signed with another key); nothing changed") from None
    try:
        raw = json.loads(data)
        if raw["format"] != MANIFEST_FORMAT or raw["project"] != PROJECT:
            raise ValueError("unknown format or project")
        version, release = str(raw["version"]), str(raw["release"])
        if not _VERSION_RE.fullmatch(version) or not _VERSION_RE.fullmatch(release) \
                or not release.startswith(version + "-"):
            raise ValueError("bad version or release name")
        files = tuple((str(f["name"]), int(f["size"]), str(f["sha256"]))
                      for f in raw["files"])
        for name, size, digest in files:
            if not _WHEEL_RE.fullmatch(name) or size < 0 \
                    or not re.fullmatch(r"[0-9a-f]{64}", digest):
                raise ValueError(f"bad file entry {name!r}")
        if not any(n.startswith("tax_kiosk-") for n, _, _ in files):
            raise ValueError("no tax_kiosk wheel listed")
    except (KeyError, TypeError, ValueError) as exc:
        raise UpdateError(f"the package's manifest is malformed ({exc}); refused") from None
    return Manifest(version, release, files)


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def _read_source(source: str, name: str, limit: int | None = None) -> bytes:
    """One file of the package, from a folder or under a URL."""
    if _is_url(source):
        import httpx

        try:
            response = httpx.get(source.rstrip("/") + "/" + name, timeout=60.0,
                                 follow_redirects=False)
        except httpx.HTTPError as exc:
            raise UpdateError(f"cannot fetch {name} from {source}: "
                              f"{type(exc).__name__}") from None
        if response.status_code != 200:
            raise UpdateError(f"cannot fetch {name} from {source}: HTTP "
                              f"{response.status_code}")
        return response.content
    path = Path(source) / name
    try:
        if limit is not None and path.stat().st_size > limit:
            raise UpdateError(f"{path} is too large for a manifest")
        return path.read_bytes()
    except FileNotFoundError:
        if name == SIGNATURE:
            raise UpdateError(f"the package in {source} is not signed (no {SIGNATURE}): "
                              f"refused; nothing changed") from None
        raise UpdateError(f"the package in {source} has no {name}") from None
    except OSError as exc:
        raise UpdateError(f"cannot read {path}: {exc}") from None


def fetch_and_verify(source: str, public_key: bytes, into: Path) -> Manifest:
    """Copy the package at `source` (folder or URL) into `into` and verify the copy:
    the signature over the manifest, then every listed file's size and SHA-256. Only
    listed files are copied, so pip finds nothing the manifest does not name.
    UpdateError (and `into` removed) on any mismatch."""
    if _is_url(source):
        from .config import ConfigError, check_central_url

        try:
            check_central_url(source, "--from")  # https, or http to this machine only
        except ConfigError as exc:
            raise UpdateError(str(exc)) from None
    data = _read_source(source, MANIFEST, MAX_MANIFEST_BYTES)
    signature = _read_source(source, SIGNATURE, 4096).decode("ascii", "replace")
    manifest = check_manifest(data, signature, public_key)
    shutil.rmtree(into, ignore_errors=True)
    into.mkdir(parents=True, mode=0o755)
    try:
        (into / MANIFEST).write_bytes(data)
        (into / SIGNATURE).write_text(signature)
        for name, size, digest in manifest.files:
            target = into / name
            if _is_url(source):
                target.write_bytes(_read_source(source, name))
            else:
                try:
                    shutil.copyfile(Path(source) / name, target)
                except FileNotFoundError:
                    raise UpdateError(f"the package lacks {name}, which its manifest "
                                      f"lists: refused") from None
            if target.stat().st_size != size or _sha256(target) != digest:
                raise UpdateError(f"{name} is not the file the release key signed (its "
                                  f"SHA-256 differs): refused; nothing changed")
    except BaseException:
        shutil.rmtree(into, ignore_errors=True)
        raise
    return manifest


def verify_staged(into: Path, public_key: bytes) -> Manifest:
    """Check a package already copied into `into` again (on --resume)."""
    signature = (into / SIGNATURE).read_text()
    manifest = check_manifest((into / MANIFEST).read_bytes(), signature, public_key)
    for name, size, digest in manifest.files:
        if (into / name).stat().st_size != size or _sha256(into / name) != digest:
            raise UpdateError(f"{into / name} changed since it was verified: refused")
    return manifest


# -- installing beside, backing up, migrating -------------------------------------------


def install_release(package: Path, manifest: Manifest, prefix: Path, python: str) -> bool:
    """Make <prefix>/versions/<release> from the package's wheels (no network); False if
    it was installed already. Built as <release>.partial and renamed when complete."""
    target = prefix / "versions" / manifest.release
    if (target / ".installed").exists():
        return False
    build = target.with_name(manifest.release + ".partial")
    shutil.rmtree(build, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    steps = [[python, "-m", "venv", str(build)],
             [str(build / "bin" / "python"), "-m", "pip", "install", "-q", "--no-index",
              "--disable-pip-version-check", "--find-links", str(package),
              f"{PROJECT}=={manifest.version}"]]
    for step in steps:
        result = subprocess.run(step, capture_output=True, text=True, timeout=1800)
        if result.returncode != 0:
            shutil.rmtree(build, ignore_errors=True)
            raise UpdateError(f"installing {manifest.release} failed: "
                              f"{(result.stderr or result.stdout).strip()[-600:]}")
    subprocess.run([str(build / "bin" / "python"), "-m", "compileall", "-q",
                    str(build / "lib")], capture_output=True, timeout=1800)
    # The scripts name the directory they were built in: give them the final one.
    for path in [*(build / "bin").iterdir(), build / "pyvenv.cfg"]:
        if path.is_symlink() or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if str(build) in text:
            path.write_text(text.replace(str(build), str(target)), encoding="utf-8")
    (build / ".installed").write_text(manifest.release + "\n")
    _fsync_dir(build)
    if target.exists():  # a half-removed earlier copy without its marker
        shutil.rmtree(target)
    os.rename(build, target)
    _fsync_dir(target.parent)
    return True


def sqlite_databases(data_dir: Path) -> list[Path]:
    """Every SQLite database under `data_dir` (relative paths), by its header; not the
    migration backups (*.bak-*), WAL/SHM side files or our own backup folder."""
    found = []
    for path in sorted(data_dir.rglob("*")):
        rel = path.relative_to(data_dir)
        if rel.parts[0] == BACKUP_DIR or ".bak-" in path.name or path.is_symlink() \
                or not path.is_file() or path.name.endswith(("-wal", "-shm", "-journal")):
            continue
        try:
            with path.open("rb") as handle:
                if handle.read(16) == SQLITE_HEADER:
                    found.append(rel)
        except OSError:
            continue
    return found


def _fsync_file(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def backup_databases(data_dir: Path) -> tuple[Path, list[str]]:
    """Online backup of every database into <data_dir>/update-backup (0700), replacing
    an earlier one; the list file is written last, so a backup without it is partial."""
    dest = data_dir / BACKUP_DIR
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(mode=0o700)
    names = []
    for rel in sqlite_databases(data_dir):
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        src = sqlite3.connect(f"file:{data_dir / rel}?mode=ro", uri=True, timeout=30.0)
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            src.close()
            dst.close()
        os.chmod(target, 0o600)
        _fsync_file(target)
        names.append(str(rel))
    _write_json(dest / BACKUP_LIST, {"databases": names})
    return dest, names


def restore_databases(data_dir: Path) -> list[str]:
    """Put every backed-up database back (through SQLite: right with WAL files present)
    and remove databases the new version created. Returns what was restored."""
    dest = data_dir / BACKUP_DIR
    names = json.loads((dest / BACKUP_LIST).read_text())["databases"]
    for rel in names:
        path = data_dir / rel
        src = sqlite3.connect(f"file:{dest / rel}?mode=ro", uri=True)
        dst = sqlite3.connect(path, timeout=30.0)
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()
        _same_owner(path, [path.with_name(path.name + s) for s in ("-wal", "-shm")])
    for rel in sqlite_databases(data_dir):
        if str(rel) not in names:
            for suffix in ("", "-wal", "-shm", "-journal"):
                (data_dir / f"{rel}{suffix}").unlink(missing_ok=True)
    return list(names)


def _same_owner(like: Path, paths: list[Path]) -> None:
    """As root, give files SQLite just created the owner of the database they belong
    to: the kiosk user could not open a root-owned WAL file."""
    if os.geteuid() != 0:
        return
    st = like.stat()
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            os.chown(path, st.st_uid, st.st_gid)


_MIGRATE = ("import sys\nfrom pathlib import Path\n"
            "from offline_queue.migrate import MigrationError, upgrade_database\n"
            "try:\n    r = upgrade_database(Path(sys.argv[1]))\n"
            "except MigrationError as exc:\n    print(exc.reason, file=sys.stderr)\n"
            "    sys.exit(1)\nprint(r.from_revision, r.to_revision)\n")


def migrate_queue(venv: Path, queue_path: Path) -> str:
    """Run the new version's own migrations on the queue with its interpreter, as the
    data directory's owner (files it creates must stay the kiosk user's)."""
    if not queue_path.exists():
        return "no queue yet"
    owner: dict[str, Any] = {}
    st = queue_path.parent.stat()
    if os.geteuid() == 0 and st.st_uid != 0:
        owner = {"user": st.st_uid, "group": st.st_gid, "extra_groups": []}
    result = subprocess.run([str(venv / "bin" / "python"), "-c", _MIGRATE,
                             str(queue_path)], capture_output=True, text=True,
                            timeout=3600, **owner)
    if result.returncode != 0:
        raise UpdateError("the new version's migration failed: "
                          f"{(result.stderr or result.stdout).strip()[-600:]}")
    return result.stdout.strip()


# -- the symlink, the service --------------------------------------------------------------


def current_target(prefix: Path) -> str:
    try:
        return os.readlink(prefix / "current")
    except OSError:
        raise UpdateError(f"{prefix / 'current'} is not a symlink: is the kiosk installed "
                          f"there (deploy/install.sh)?") from None


def switch_current(prefix: Path, target: str) -> None:
    """Point <prefix>/current at `target` atomically: a new link renamed over it."""
    link = prefix / "current"
    if os.readlink(link) == target:
        return
    tmp = prefix / "current.new"
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    os.replace(tmp, link)
    _fsync_dir(prefix)


@dataclass(frozen=True)
class Service:
    """How the updater stops and starts the kiosk. With systemd (`systemctl`): Type=notify
    makes `systemctl restart` wait for READY=1 (its exit status says whether it came).
    Otherwise `restart_command` runs with $NOTIFY_SOCKET pointing at our own listener
    (kiosk.watchdog.NotifyListener) and READY=1 must arrive within `start_limit_s`."""

    stop_command: str | None
    restart_command: str | None
    start_limit_s: float
    unit: str = "kiosk.service"

    @classmethod
    def detect(cls, stop: str | None, restart: str | None, start_limit_s: float,
               unit: str = "kiosk.service") -> Service:
        if restart is None and not (shutil.which("systemctl")
                                    and Path("/run/systemd/system").is_dir()):
            raise UpdateError("no systemd here to restart the kiosk: give "
                              "--restart-command (and --stop-command)")
        return cls(stop, restart, start_limit_s, unit)

    def _run(self, command: str, env: dict[str, str] | None = None) -> int:
        return subprocess.run(["/bin/sh", "-c", command], env=env, timeout=600,
                              stdin=subprocess.DEVNULL).returncode

    def stop(self) -> None:
        if self.restart_command is None:
            self._run(f"systemctl stop {shlex.quote(self.unit)}")
        elif self.stop_command:
            if self._run(self.stop_command) != 0:
                raise UpdateError(f"the stop command failed: {self.stop_command}")

    def restart(self, wait_ready: bool = True) -> bool:
        """Start the kiosk from `current`; whether READY=1 came within the limit."""
        if self.restart_command is None:
            code = self._run(f"timeout {int(self.start_limit_s) + 5} systemctl restart "
                             f"{shlex.quote(self.unit)}")
            return code == 0
        from .watchdog import NotifyListener

        with tempfile.TemporaryDirectory(prefix="kiosk-update-") as folder:
            with NotifyListener(Path(folder) / "notify") as listener:
                env = {**os.environ, "NOTIFY_SOCKET": str(listener.path)}
                env.pop(HOLD_ENV, None)
                if self._run(self.restart_command, env) != 0:
                    return False
                return listener.wait_for("READY=1", self.start_limit_s) if wait_ready \
                    else True


# -- the journal -------------------------------------------------------------------------


def _write_json(path: Path, data: dict[str, Any]) -> None:
    """Atomically and durably: a temporary file fsynced, renamed, the folder fsynced."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def read_journal(prefix: Path) -> dict[str, Any] | None:
    path = prefix / JOURNAL
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise UpdateError(f"the update journal {path} cannot be read ({exc}); look at it "
                          f"and remove it by hand") from None
    return data if isinstance(data, dict) else None


@contextlib.contextmanager
def update_lock(prefix: Path) -> Iterator[None]:
    """One updater at a time; the lock goes with the process (also on SIGKILL)."""
    prefix.mkdir(parents=True, exist_ok=True)
    fd = os.open(prefix / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UpdateError("another update is running on this terminal") from None
        yield
    finally:
        os.close(fd)


class Updater:
    """One update (or the resumption of one) of the install under `prefix`."""

    def __init__(self, prefix: Path, data_dir: Path, queue_path: Path, public_key: bytes,
                 service: Service | None, python: str = "/usr/bin/python3",
                 say: Callable[[str], None] = print) -> None:
        self.prefix = prefix
        self.data_dir = data_dir
        self.queue_path = queue_path
        self.public_key = public_key
        self.service = service
        self.python = python
        self.say = say
        self.journal: dict[str, Any] = {}

    # journal -----------------------------------------------------------------------

    def _step(self, state: str, **fields: Any) -> None:
        self.journal.update(fields, state=state)
        self.journal.setdefault("history", []).append(
            [state, datetime.now(UTC).isoformat(timespec="seconds")])
        _write_json(self.prefix / JOURNAL, self.journal)
        self.say(f"step: {state}")
        if os.environ.get(HOLD_ENV) == state:
            sys.stdout.flush()
            while True:  # the drill kills us here
                signal.pause()

    def _finish(self, state: str, message: str) -> None:
        self.journal["state"] = state
        self.journal["message"] = message
        self.journal.setdefault("history", []).append(
            [state, datetime.now(UTC).isoformat(timespec="seconds")])
        _write_json(self.prefix / LAST_JOURNAL, self.journal)
        (self.prefix / JOURNAL).unlink(missing_ok=True)
        _fsync_dir(self.prefix)
        shutil.rmtree(self.prefix / "packages", ignore_errors=True)
        self.say(message)

    # the update --------------------------------------------------------------------

    def run(self, source: str) -> str:
        """Update from `source`; returns "done" or "rolled_back" (UpdateError: refused,
        nothing changed)."""
        with update_lock(self.prefix):
            if (journal := read_journal(self.prefix)) is not None:
                raise UpdateError(f"an earlier update stopped at step "
                                  f"{journal.get('state')}: run `kiosk update --resume` "
                                  f"first")
            old = current_target(self.prefix)
            staged = self.prefix / "packages" / "incoming"
            manifest = fetch_and_verify(source, self.public_key, staged)
            new = f"versions/{manifest.release}"
            if new == old:
                shutil.rmtree(self.prefix / "packages", ignore_errors=True)
                self.say(f"{manifest.release} is already the running version")
                return "done"
            package = self.prefix / "packages" / manifest.release
            shutil.rmtree(package, ignore_errors=True)
            os.rename(staged, package)
            self.journal = {"source": source, "package": str(package),
                            "release": manifest.release, "version": manifest.version,
                            "old": old, "new": new, "data_dir": str(self.data_dir),
                            "pid": os.getpid()}
            self._step("verified")
            return self._forward(manifest)

    def _forward(self, manifest: Manifest) -> str:
        assert self.service is not None
        installed_now = install_release(Path(self.journal["package"]), manifest,
                                        self.prefix, self.python)
        self._step("installed", installed_now=installed_now)
        self.service.stop()
        self._step("stopped")
        _, names = backup_databases(self.data_dir)
        self._step("backed_up", databases=names)
        try:
            result = migrate_queue(self.prefix / self.journal["new"], self.queue_path)
        except UpdateError as exc:
            return self._rollback(str(exc))
        self._step("migrated", migration=result)
        switch_current(self.prefix, self.journal["new"])
        self._step("switched")
        return self._start_new()

    def _start_new(self) -> str:
        assert self.service is not None
        if not self.service.restart():
            return self._rollback(f"{self.journal['release']} did not report READY=1 "
                                  f"within {self.service.start_limit_s:g} s")
        self._finish("done", f"updated {self.journal['old']} -> {self.journal['new']}")
        return "done"

    def _rollback(self, reason: str, start_old: bool = True) -> str:
        """Back to the old version with the data as the backup holds it."""
        state = self.journal.get("state")
        self.say(f"rolling back: {reason}")
        after_stop = state in STEPS[STEPS.index("stopped"):]
        if state in ("switched",) and self.service is not None and start_old:
            self.service.stop()  # the new version may be running on the migrated queue
        switch_current(self.prefix, self.journal["old"])
        backup_complete = (self.data_dir / BACKUP_DIR / BACKUP_LIST).exists()
        if state in ("backed_up", "migrated", "switched") and backup_complete:
            restored = restore_databases(self.data_dir)
            self.say(f"restored {len(restored)} database(s) from the backup")
        if self.journal.get("installed_now"):
            shutil.rmtree(self.prefix / self.journal["new"], ignore_errors=True)
        shutil.rmtree(self.prefix / "versions" / f"{self.journal['release']}.partial",
                      ignore_errors=True)
        self.journal["reason"] = reason
        if after_stop and start_old and self.service is not None:
            # The old version may predate READY=1: started, not waited for.
            self.service.restart(wait_ready=False)
        self._finish("rolled_back", f"rolled back to {self.journal['old']}: {reason}")
        return "rolled_back"

    def resume(self, at_start: bool = False) -> str | None:
        """Finish an update whose updater died: before the switch roll it back, after
        it restart and wait for READY=1 (or roll back). `at_start` (the unit's
        ExecStartPre, systemd starting the kiosk): never touch the service, and roll
        back even after the switch - nobody is left to wait for READY=1. None: no
        unfinished update."""
        with update_lock(self.prefix):
            journal = read_journal(self.prefix)
            if journal is None:
                return None
            self.journal = journal
            self.data_dir = Path(journal["data_dir"])
            state = journal.get("state")
            self.say(f"resuming the update to {journal.get('release')} stopped at step "
                     f"{state}")
            if at_start or state != "switched":
                return self._rollback(f"the update was interrupted at step {state}",
                                      start_old=not at_start)
            return self._start_new()
