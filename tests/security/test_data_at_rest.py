"""Issue #8: what a stolen or shared kiosk disk gives away.

- Every file the kiosk writes is owner-only (0600, folders 0700) even under a umask of
  022: the real CLI in a subprocess, the stores on their own in a subprocess, and an
  older install's 0644/0755 files repaired when they are opened.
- The central service's verification result (it names the buyer) is sealed at rest:
  after a real sync with a central service on loopback, the buyer's name is in no byte
  of the queue database or its WAL; a result cannot be swapped with a payload.
- Results are purged after [privacy] result_retention_days, counted from when they were
  shown (injected clock); the record itself stays, and a slip scanned afterwards says
  the result is no longer kept.
- The keys can come from systemd credentials ($CREDENTIALS_DIRECTORY), and `kiosk
  enroll --credentials` seals them with systemd-creds.
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from central.server import CentralServer
from kiosk.app import KioskCore
from kiosk.config import ConfigError, parse_config
from kiosk.services.invoice_verify import InvoiceVerifyService
from kiosk.services.verify_outcomes import Verified
from offline_queue.crypto import DATA_KEY_FILE, SIGNING_KEY_FILE, KioskKeys
from offline_queue.outbox import Outbox
from offline_queue.wire import RecordResult, SyncAck

pytestmark = pytest.mark.security

ROOT = Path(__file__).resolve().parents[2]
# The systemd credential names the unit passes (LoadCredentialEncrypted=).
SIGNING_KEY_CREDENTIAL = "kiosk-signing-key"
DATA_KEY_CREDENTIAL = "kiosk-data-key"
KIOSK_ID = "hall-03.t1"
TOKEN = "data-at-rest-enrolment-token"
# Demo invoice (central/demo/invoices.csv, type 31) whose registry entry names a buyer.
BUYER = "上海示例贸易有限公司"
DEMO_QUERY = {"type_code": "31", "code": "", "number": "24922000000012341234",
              "issued_on": "2024-02-08", "amount": "666.00", "check_code_last6": None}


def modes(root: Path) -> dict[str, int]:
    """Mode bits of every file and folder under ``root`` (``root`` itself as ".")."""
    found = {".": stat.S_IMODE(root.stat().st_mode)}
    for path in root.rglob("*"):
        found[str(path.relative_to(root))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def assert_owner_only(root: Path) -> None:
    found = modes(root)
    loose = {name: f"{mode:04o}" for name, mode in found.items() if mode & 0o077}
    assert loose == {}, f"readable by group/others: {loose}"
    dirs = [name for name in found if (root / name).is_dir()]
    assert all(found[d] == 0o700 for d in dirs), {d: f"{found[d]:04o}" for d in dirs}


def umask_022() -> None:
    os.umask(0o022)


def write_config(path: Path, data_dir: Path, extra: str = "") -> Path:
    # A central URL nothing listens on (loopback): the commands work offline.
    path.write_text(textwrap.dedent(f"""\
        data_dir = "{data_dir}"
        kiosk_id = "{KIOSK_ID}"
        {extra}
        [central]
        urls = ["http://127.0.0.1:9"]
        timeout_s = 0.5
        """), encoding="utf-8")
    return path


def kiosk_cli(*args: str, env: dict[str, str] | None = None
              ) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    # `python -m kiosk` from the work tree: the real CLI of the code under test.
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True,
                          text=True, timeout=120, env=full_env, preexec_fn=umask_022,
                          cwd=ROOT)


# ------------------------------------------------------------------- file modes

def test_kiosk_cli_under_umask_022_writes_only_owner_only_files(tmp_path: Path) -> None:
    data_dir = tmp_path / "var" / "kiosk"
    cfg = write_config(tmp_path / "kiosk.toml", data_dir)
    done = kiosk_cli("queue", "status", "--config", str(cfg))
    assert done.returncode == 0, done.stderr
    names = set(modes(data_dir))
    assert {"outbox.sqlite3", "reference.sqlite3", f"keys/{SIGNING_KEY_FILE}"} <= names
    assert_owner_only(data_dir)


STORES_CHILD = r"""
import os, sys
os.umask(0o022)  # as a careless service manager would leave it
from datetime import datetime, timezone
from pathlib import Path
from drivers.dispenser.journal import DispenseJournal
from drivers.payment.journal import PaymentJournal
from kiosk.app import KioskCore
from kiosk.config import parse_config
from kiosk.staff.lockout import CardState, LockoutStore
from offline_queue.wire import ReferenceItem, ReferencePage

data = Path(sys.argv[1])
cfg = parse_config({"data_dir": str(data), "kiosk_id": "hall-03.t1",
                    "central": {"urls": ["http://127.0.0.1:9"], "timeout_s": 0.5}})
core = KioskCore(cfg).start(background_sync=False, open_devices=False)
try:
    core.outbox.enqueue("invoice.verify", {"n": 1})
    core.reference.apply(ReferencePage(items=[ReferenceItem(
        id=1, kind="staff", key="k", body={"pin_hash": "x"}, updated_seq=1)],
        next_cursor=1, more=False))
    # While open: SQLite gives the WAL and shared-memory files the database's mode.
    for name in ("outbox.sqlite3-wal", "outbox.sqlite3-shm", "reference.sqlite3-wal"):
        print(name, oct(os.stat(data / name).st_mode & 0o777))
finally:
    core.stop()
LockoutStore(data / "staff-lockout.json").save(
    {"card": CardState(2, datetime(2030, 1, 1, tzinfo=timezone.utc))})
PaymentJournal(data / "payment-journal.sqlite3").close()
DispenseJournal(data / "dispenser-journal.sqlite3").close()
print("ok")
"""


def test_stores_create_owner_only_files_whatever_the_umask(tmp_path: Path) -> None:
    """Not through the CLI (which sets umask 077): each store protects its own files."""
    data_dir = tmp_path / "kiosk"
    done = subprocess.run([sys.executable, "-c", STORES_CHILD, str(data_dir)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr
    assert done.stdout.split()[:-1] == ["outbox.sqlite3-wal", "0o600", "outbox.sqlite3-shm",
                                        "0o600", "reference.sqlite3-wal", "0o600"]
    names = set(modes(data_dir))
    assert {"outbox.sqlite3", "reference.sqlite3",
            "staff-lockout.json", "payment-journal.sqlite3",
            "dispenser-journal.sqlite3", f"keys/{DATA_KEY_FILE}"} <= names
    assert_owner_only(data_dir)


def test_an_older_install_is_repaired_when_opened(tmp_path: Path) -> None:
    """Files and folders left 0644/0755 by an older version become 0600/0700."""
    from drivers.payment.journal import PaymentJournal
    from kiosk.staff.lockout import LockoutStore
    from offline_queue.reference import ReferenceInbox

    data_dir = tmp_path / "kiosk"
    cfg = parse_config({"data_dir": str(data_dir), "kiosk_id": KIOSK_ID,
                        "central": {"urls": ["http://127.0.0.1:9"]}})
    core = KioskCore(cfg).start(background_sync=False, open_devices=False)
    core.outbox.enqueue("invoice.verify", {"n": 1})
    core.stop()
    PaymentJournal(data_dir / "payment-journal.sqlite3").close()
    (data_dir / "staff-lockout.json").write_text("{}", encoding="utf-8")
    for path in [data_dir, *data_dir.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)

    keys = KioskKeys.load_or_create(cfg.key_dir)
    Outbox(cfg.queue_path, KIOSK_ID, keys).close()
    ReferenceInbox(cfg.reference_path).close()
    LockoutStore(data_dir / "staff-lockout.json")
    PaymentJournal(data_dir / "payment-journal.sqlite3").close()
    assert_owner_only(data_dir)


# ------------------------------------------------------------------- results at rest

@pytest.fixture
def central(tmp_path: Path) -> Iterator[CentralServer]:
    server = CentralServer(f"sqlite:///{tmp_path / 'central.sqlite3'}", demo_data=True,
                           enrolment_token=TOKEN).start()
    try:
        yield server
    finally:
        server.stop()


def test_a_synced_verification_result_is_not_stored_in_clear(
        tmp_path: Path, central: CentralServer) -> None:
    cfg = parse_config({"data_dir": str(tmp_path / "kiosk"), "kiosk_id": KIOSK_ID,
                        "central": {"urls": [central.url]}})
    core = KioskCore(cfg).start(background_sync=False, open_devices=False)
    try:
        core.enroll(TOKEN)
        # Queued as while offline; the sync brings the central's result back.
        record = core.outbox.enqueue("invoice.verify", DEMO_QUERY, confirm_later=True)
        report = core.drain_queue(timeout_s=30)
        assert report.error is None and report.accepted == 1, report
        view = core.outbox.get(record.uuid)
        assert view is not None and view.result is not None
        assert view.result["invoice"]["buyer_name"] == BUYER  # the kiosk still reads it
        assert_not_in_files(BUYER, cfg.queue_path)  # while open: the WAL holds the write
        assert BUYER not in repr(view)
    finally:
        core.stop()
    assert_not_in_files(BUYER, cfg.queue_path)  # after the WAL was checkpointed


def assert_not_in_files(text: str, db: Path) -> None:
    needle = text.encode("utf-8")
    found = [p.name for p in (Path(f"{db}{s}") for s in ("", "-wal", "-shm"))
             if p.exists() and needle in p.read_bytes()]
    assert found == [], f"the buyer's name is in clear in {found}"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _acked_with_result(tmp_path: Path, clock: Clock) -> tuple[Outbox, KioskKeys, str]:
    keys = KioskKeys.generate()
    box = Outbox(tmp_path / "q" / "outbox.sqlite3", KIOSK_ID, keys, clock=clock)
    rec = box.enqueue("invoice.verify", DEMO_QUERY, confirm_later=True)
    box.apply_ack(SyncAck(kiosk_id=KIOSK_ID, acked_through=rec.seq, results=[
        RecordResult(seq=rec.seq, uuid=rec.uuid, status="accepted",
                     result={"outcome": "genuine", "buyer_name": BUYER})]))
    return box, keys, rec.uuid


def test_results_are_purged_after_retention_counted_from_when_shown(tmp_path: Path) -> None:
    t0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
    clock = Clock(t0)
    box, keys, uuid = _acked_with_result(tmp_path, clock)
    other = box.enqueue("invoice.verify", {**DEMO_QUERY, "number": "1"})
    box.apply_ack(SyncAck(kiosk_id=KIOSK_ID, acked_through=other.seq, results=[
        RecordResult(seq=other.seq, uuid=other.uuid, status="accepted",
                     result={"outcome": "genuine", "buyer_name": "nobody came"})]))
    try:
        clock.now = t0 + timedelta(days=20)
        box.mark_result_shown(uuid)  # the taxpayer scans the slip on day 20
        retention = timedelta(days=30)

        clock.now = t0 + timedelta(days=40)  # 40 days after arrival, 20 after shown
        assert box.purge_results(retention) == 1  # only the result nobody came to see
        assert box.get(uuid).result is not None  # type: ignore[union-attr]
        assert box.get(other.uuid).result_purged  # type: ignore[union-attr]

        clock.now = t0 + timedelta(days=50, seconds=1)
        assert box.purge_results(retention) == 1
        view = box.get(uuid)
        assert view is not None
        assert view.result is None and view.result_purged
        assert view.state == "acked" and view.payload == DEMO_QUERY  # the record stays
        assert box.verify_chain() == [] and box.status().acked == 2
        assert box.purge_results(retention) == 0
    finally:
        box.close()
    conn = sqlite3.connect(tmp_path / "q" / "outbox.sqlite3")
    try:
        kept = conn.execute("SELECT count(*) FROM outbox WHERE result IS NOT NULL OR "
                            "result_ciphertext IS NOT NULL OR result_nonce IS NOT NULL"
                            ).fetchone()[0]
    finally:
        conn.close()
    assert kept == 0


def test_a_slip_scanned_after_the_purge_says_the_result_is_not_kept(tmp_path: Path) -> None:
    from kiosk.services.verify_outcomes import ResultNotKept

    clock = Clock(datetime(2026, 3, 1, tzinfo=timezone.utc))
    box, keys, uuid = _acked_with_result(tmp_path, clock)

    class Offline:
        def should_try(self) -> bool:
            return False

    service = InvoiceVerifyService(central=None, outbox=box,  # type: ignore[arg-type]
                                   connectivity=Offline(), slips=None,  # type: ignore[arg-type]
                                   keys=keys)
    try:
        assert isinstance(service.lookup(uuid), Verified)  # shown now: retention starts
        assert box.get(uuid).result_shown_at == clock.now  # type: ignore[union-attr]
        clock.now += timedelta(days=31)
        assert box.purge_results(timedelta(days=30)) == 1
        assert service.lookup(uuid) == ResultNotKept(uuid)
    finally:
        box.close()


def test_a_result_cannot_be_swapped_with_a_payload(tmp_path: Path) -> None:
    clock = Clock(datetime(2026, 3, 1, tzinfo=timezone.utc))
    box, _keys, uuid = _acked_with_result(tmp_path, clock)
    box.close()
    conn = sqlite3.connect(tmp_path / "q" / "outbox.sqlite3")
    try:
        conn.execute("UPDATE outbox SET result_nonce = nonce, result_ciphertext = ciphertext")
        conn.commit()
    finally:
        conn.close()
    with Outbox(tmp_path / "q" / "outbox.sqlite3", KIOSK_ID, _keys) as box:
        view = box.get(uuid)
        assert view is not None and view.payload == DEMO_QUERY and view.result is None


@pytest.mark.parametrize("value", [0, -1, "30", True, 3651, 1.5])
def test_result_retention_days_is_validated(value: object) -> None:
    with pytest.raises(ConfigError, match="result_retention_days"):
        parse_config({"data_dir": "/tmp/x", "privacy": {"result_retention_days": value}})
    assert parse_config({"data_dir": "/tmp/x"}).privacy.result_retention_days == 30


# ------------------------------------------------------------------- keys

def _credentials(folder: Path, keys: KioskKeys) -> Path:
    folder.mkdir(mode=0o700)
    (folder / SIGNING_KEY_CREDENTIAL).write_bytes(keys.signing_key_bytes())
    (folder / DATA_KEY_CREDENTIAL).write_bytes(keys.data_key)
    return folder


def _fingerprint(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT value FROM meta WHERE key = 'public_key_sha256'"
                            ).fetchone()[0]
    finally:
        conn.close()


@pytest.mark.parametrize("key_source", ["credentials", "auto"])
def test_keys_come_from_the_credentials_directory(tmp_path: Path, key_source: str) -> None:
    keys = KioskKeys.generate()
    creds = _credentials(tmp_path / "creds", keys)
    data_dir = tmp_path / "kiosk"
    cfg = write_config(tmp_path / "kiosk.toml", data_dir, f'key_source = "{key_source}"')
    done = kiosk_cli("queue", "status", "--config", str(cfg),
                     env={"CREDENTIALS_DIRECTORY": str(creds)})
    assert done.returncode == 0, done.stderr
    assert _fingerprint(data_dir / "outbox.sqlite3") == \
        hashlib.sha256(keys.public_key).hexdigest()
    assert not (data_dir / "keys" / SIGNING_KEY_FILE).exists()  # no key files made


def test_credentials_source_without_credentials_refuses_to_start(tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "kiosk.toml", tmp_path / "kiosk", 'key_source = "credentials"')
    env = {k: v for k, v in os.environ.items() if k != "CREDENTIALS_DIRECTORY"}
    done = subprocess.run([sys.executable, "-m", "kiosk", "queue", "status", "--config",
                           str(cfg)], capture_output=True, text=True, timeout=120, env=env,
                          cwd=ROOT)
    assert done.returncode != 0
    assert "CREDENTIALS_DIRECTORY" in done.stderr
    assert not (tmp_path / "kiosk" / "keys" / SIGNING_KEY_FILE).exists()
    half = tmp_path / "half"
    half.mkdir()
    (half / SIGNING_KEY_CREDENTIAL).write_bytes(KioskKeys.generate().signing_key_bytes())
    done = kiosk_cli("queue", "status", "--config", str(cfg),
                     env={"CREDENTIALS_DIRECTORY": str(half)})
    assert done.returncode != 0 and DATA_KEY_CREDENTIAL in done.stderr


# A stand-in for systemd-creds (the real one needs root and a host key or a TPM):
# "encrypts" by prefixing the credential name, checks it on decrypt.
FAKE_SYSTEMD_CREDS = r"""#!PYTHON
import sys
args = sys.argv[1:]
if args[0] == "has-tpm2":
    sys.exit(1)
name = next(a.split("=", 1)[1] for a in args if a.startswith("--name="))
src, dst = [a for a in args[1:] if not a.startswith("--")]
data = sys.stdin.buffer.read() if src == "-" else open(src, "rb").read()
if args[0] == "encrypt":
    out = b"SEALED:" + name.encode() + b":" + data
else:
    prefix = b"SEALED:" + name.encode() + b":"
    if not data.startswith(prefix):
        sys.exit("wrong credential name")
    out = data[len(prefix):]
if dst == "-":
    sys.stdout.buffer.write(out)
else:
    open(dst, "wb").write(out)
"""


def test_enroll_seals_the_keys_as_credentials(tmp_path: Path, central: CentralServer) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "systemd-creds"
    fake.write_text(FAKE_SYSTEMD_CREDS.replace("PYTHON", sys.executable), encoding="utf-8")
    fake.chmod(0o755)
    data_dir = tmp_path / "kiosk"
    cfg = write_config(tmp_path / "kiosk.toml", data_dir)
    store = tmp_path / "credstore.encrypted"
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "KIOSK_ENROLMENT_TOKEN": TOKEN}

    shown = kiosk_cli("enroll", "--config", str(cfg), "--central", central.url,
                      "--credentials-commands", env=env)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0] == KIOSK_ID
    assert any("systemd-creds encrypt --name=kiosk-signing-key --with-key=host" in line
               for line in lines)
    keys = KioskKeys.load_or_create(data_dir / "keys")  # printing changed nothing

    done = kiosk_cli("enroll", "--config", str(cfg), "--central", central.url,
                     "--credentials", str(store), env=env)
    assert done.returncode == 0, done.stderr
    assert not (data_dir / "keys" / SIGNING_KEY_FILE).exists()
    assert not (data_dir / "keys" / DATA_KEY_FILE).exists()
    blobs = {p.name: p.read_bytes() for p in store.iterdir()}
    assert set(blobs) == {"kiosk-signing-key.cred", "kiosk-data-key.cred"}
    assert keys.data_key not in blobs["kiosk-signing-key.cred"]  # each under its name
    # What systemd would decrypt into $CREDENTIALS_DIRECTORY: the kiosk runs on it.
    creds = tmp_path / "run-credentials"
    creds.mkdir()
    for name in (SIGNING_KEY_CREDENTIAL, DATA_KEY_CREDENTIAL):
        blob = blobs[f"{name}.cred"]
        (creds / name).write_bytes(blob[len(f"SEALED:{name}:"):])
    run = kiosk_cli("queue", "status", "--config", str(cfg),
                    env={"CREDENTIALS_DIRECTORY": str(creds)})
    assert run.returncode == 0, run.stderr
    assert _fingerprint(data_dir / "outbox.sqlite3") == \
        hashlib.sha256(keys.public_key).hexdigest()
    # A second enrolment without the credentials loaded must not mint a new identity.
    again = kiosk_cli("enroll", "--config", str(cfg), "--central", central.url,
                      "--credentials", str(store), env=env)
    assert again.returncode == 2 and "second identity" in again.stderr
    assert not (data_dir / "keys" / SIGNING_KEY_FILE).exists()
