"""Schema migrations of the kiosk outbox never lose a record, from the first schema on.

Files are real SQLite files; records are sealed exactly as Outbox.enqueue seals them
(AES-GCM, hash chain, Ed25519), but written with plain SQL so that they exist at the
old revision before any upgrade code runs. Failures are real too: a page of garbage
in the file, another process holding the write lock, and extra revisions (in a second
version location) that fail, or delete a record and commit behind the upgrade's back.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from oq_helpers import KIOSK_ID

from offline_queue.crypto import GENESIS_HASH, KioskKeys, encrypt_payload, record_hash
from offline_queue.db import SCHEMA_VERSION, make_engine, metadata
from offline_queue.migrate import (
    MigrationError,
    alembic_config,
    stored_revision,
    upgrade_database,
)
from offline_queue.migrations import HEAD_REVISION
from offline_queue.outbox import Outbox, OutboxError

LEGACY_SQL = Path(__file__).with_name("data") / "outbox_schema_v1.sql"
RECORDS = 60


# ------------------------------------------------------------------- helpers

def at_revision(path: Path, revision: str) -> None:
    """A new file brought to ``revision`` by the packaged scripts only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(path)
    try:
        with engine.connect() as conn:
            conn.begin()
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            conn.commit()
    finally:
        engine.dispose()


def legacy_file(path: Path) -> None:
    """A file exactly as the pre-Alembic create_schema wrote it (frozen DDL)."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(LEGACY_SQL.read_text())
    finally:
        conn.close()


def fill(path: Path, keys: KioskKeys, count: int = RECORDS, *, payload_bytes: int = 40
         ) -> None:
    """``count`` sealed records in every state, plus the outbox's meta rows, written
    with plain SQL (as the outbox of that revision would have)."""
    start = datetime(2025, 3, 1, 8, 30, tzinfo=timezone.utc)
    prev = GENESIS_HASH
    conn = sqlite3.connect(path)
    try:
        for seq in range(1, count + 1):
            rid = f"00000000-0000-4000-8000-{seq:012d}"
            created = start + timedelta(seconds=seq)
            payload = {"seq": seq, "amount_fen": seq * 100, "pad": "x" * payload_bytes}
            nonce, ciphertext = encrypt_payload(keys.data_key, payload, KIOSK_ID, seq, rid)
            digest = record_hash(KIOSK_ID, seq, rid, "invoice.verify", created, prev,
                                 nonce, ciphertext)
            state, reason, result, acked_at = "pending", None, None, None
            if seq % 5 == 0:
                state, reason, acked_at = "rejected", "bad payload: test", created.isoformat()
            elif seq % 3 == 0:
                state, acked_at = "acked", created.isoformat()
                result = json.dumps({"outcome": "genuine", "seq": seq})
            conn.execute(
                "INSERT INTO outbox (seq, uuid, kind, created_at, nonce, ciphertext, "
                "prev_hash, hash, signature, state, reason, acked_at, result, "
                "confirmed_on_screen) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (seq, rid, "invoice.verify", created.isoformat(), nonce, ciphertext, prev,
                 digest, keys.sign(digest), state, reason, acked_at, result,
                 0 if seq % 7 == 0 else 1))
            prev = digest
        meta = {"kiosk_id": KIOSK_ID,
                "public_key_sha256": hashlib.sha256(keys.public_key).hexdigest(),
                "created_at": start.isoformat(), "central_acked_through": "3"}
        conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", meta.items())
        conn.commit()
    finally:
        conn.close()


#: The first schema's columns (later revisions only add columns).
V1_COLUMNS = ("seq, uuid, kind, created_at, nonce, ciphertext, prev_hash, hash, signature, "
              "state, reason, acked_at, result, confirmed_on_screen")
RESULT_COLUMN = 12


def rows(path: Path) -> list[tuple[Any, ...]]:
    """Every outbox row, every first-schema column, as stored (bytes stay bytes)."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT {V1_COLUMNS} FROM outbox ORDER BY seq").fetchall()
    finally:
        conn.close()


def without_results(found: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows without the clear-text result column, which the outbox seals (0003)."""
    return [r[:RESULT_COLUMN] + r[RESULT_COLUMN + 1:] for r in found]


def clear_results(path: Path) -> int:
    return sum(r[RESULT_COLUMN] is not None for r in rows(path))


def meta(path: Path) -> dict[str, str]:
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute("SELECT key, value FROM meta").fetchall())
    finally:
        conn.close()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def backups(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + ".bak-*"))


def extra_revision(directory: Path, body: str) -> Path:
    """A revision after the real head, in a second version location."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "9999_extra.py").write_text(
        "from alembic import op\nimport sqlalchemy as sa\n\n"
        f"revision = '9999'\ndown_revision = {HEAD_REVISION!r}\n"
        "branch_labels = None\ndepends_on = None\n\n\n"
        f"def upgrade():\n{body}\n\n\ndef downgrade():\n    pass\n")
    return directory


@pytest.fixture
def keys(tmp_path: Path) -> KioskKeys:
    return KioskKeys.load_or_create(tmp_path / "keys")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "queue" / "outbox.sqlite3"


# ------------------------------------------------------------------- the scripts

def test_head_constant_and_a_single_linear_history() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == [HEAD_REVISION]
    chain = [rev.revision for rev in script.walk_revisions()]
    assert chain[-1] == "0001" and len(chain) == len(set(chain))
    assert all(len(rev.nextrev) <= 1 for rev in script.walk_revisions())


def test_models_and_migration_head_agree(db: Path) -> None:
    """Catches a column or table added to offline_queue/db.py without a revision."""
    upgrade_database(db)
    engine = make_engine(db)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diffs = compare_metadata(context, metadata)
    finally:
        engine.dispose()
    assert diffs == []


def test_new_file_gets_head_without_a_backup(db: Path, keys: KioskKeys) -> None:
    with Outbox(db, KIOSK_ID, keys) as box:
        box.enqueue("invoice.verify", {"n": 1})
    assert stored_revision(db) == HEAD_REVISION
    assert meta(db)["schema_version"] == SCHEMA_VERSION
    assert backups(db) == []
    report = upgrade_database(db)
    assert not report.changed and report.backup is None


def test_downgrade_to_base_and_back(db: Path) -> None:
    at_revision(db, "head")
    engine = make_engine(db)
    try:
        with engine.connect() as conn:
            conn.begin()
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "base")
            command.upgrade(cfg, "head")
            conn.commit()
    finally:
        engine.dispose()
    assert stored_revision(db) == HEAD_REVISION


# ------------------------------------------------------------------- upgrades keep records

def _assert_upgraded_intact(db: Path, keys: KioskKeys, before: list[tuple[Any, ...]],
                            meta_before: dict[str, str]) -> None:
    # Every column of every record, byte for byte; the clear results are sealed.
    assert without_results(rows(db)) == without_results(before)
    after_meta = meta(db)
    assert after_meta.pop("schema_version") == SCHEMA_VERSION
    after_meta.pop("clear_results", None)  # until the outbox opens the file
    meta_before.pop("schema_version")
    assert after_meta == meta_before
    with Outbox(db, KIOSK_ID, keys) as box:
        assert box.verify_chain() == []
        status = box.status()
        assert (status.pending, status.acked, status.rejected) == (32, 16, 12)
        assert [w.seq for w in box.pending(limit=500)] == \
            [r[0] for r in before if r[9] == "pending"]
        assert [q.seq for q in box.unconfirmed()] == [7, 14, 21, 28, 35, 42, 49, 56]
        view = box.get(before[2][1])
        assert view is not None and view.payload is not None and view.payload["seq"] == 3
        assert view.result == {"outcome": "genuine", "seq": 3}
        nxt = box.enqueue("invoice.verify", {"after": "upgrade"})  # the chain goes on
        assert nxt.seq == RECORDS + 1 and box.verify_chain() == []
    # The outbox sealed the clear results in the file and scrubbed them from backups.
    assert clear_results(db) == 0 and "clear_results" not in meta(db)
    assert all(clear_results(b) == 0 for b in backups(db))


def test_upgrade_from_0001_keeps_every_record(db: Path, keys: KioskKeys) -> None:
    at_revision(db, "0001")
    fill(db, keys)
    before, meta_before = rows(db), meta(db)
    assert stored_revision(db) == "0001" and meta_before["schema_version"] == "1"

    report = upgrade_database(db)

    assert (report.from_revision, report.to_revision) == ("0001", HEAD_REVISION)
    assert report.counts == {"pending": 32, "acked": 16, "rejected": 12}
    assert report.backup is not None and backups(db) == [report.backup]
    assert report.backup.name.startswith(db.name + ".bak-0001-")
    assert report.backup.stat().st_mode & 0o777 == 0o600
    assert rows(report.backup) == before and stored_revision(report.backup) == "0001"
    assert stored_revision(db) == HEAD_REVISION
    _assert_upgraded_intact(db, keys, before, meta_before)


def test_pre_alembic_file_is_stamped_0001_and_upgraded(db: Path, keys: KioskKeys) -> None:
    db.parent.mkdir(parents=True)
    legacy_file(db)
    fill(db, keys)
    before, meta_before = rows(db), meta(db)
    assert stored_revision(db) is None

    with Outbox(db, KIOSK_ID, keys):  # opening the outbox upgrades it
        pass
    found = backups(db)
    assert len(found) == 1 and found[0].name.startswith(db.name + ".bak-0001-")
    assert without_results(rows(found[0])) == without_results(before)
    assert stored_revision(found[0]) is None
    assert stored_revision(db) == HEAD_REVISION
    _assert_upgraded_intact(db, keys, before, meta_before)


def test_migration_built_0001_equals_the_pre_alembic_schema(tmp_path: Path) -> None:
    legacy, built = tmp_path / "legacy.sqlite3", tmp_path / "built.sqlite3"
    legacy_file(legacy)
    at_revision(built, "0001")

    def schema(path: Path) -> set[tuple[str, str]]:
        conn = sqlite3.connect(path)
        try:
            return {(name, " ".join((sql or "").split())) for name, sql in conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE tbl_name != 'alembic_version'")}
        finally:
            conn.close()

    assert schema(built) == schema(legacy)
    assert meta(built) == meta(legacy) == {"schema_version": "1"}


def test_concurrent_openers_migrate_once(db: Path, keys: KioskKeys) -> None:
    at_revision(db, "0001")
    fill(db, keys)
    before = rows(db)
    reports, errors = [], []

    def upgrade() -> None:
        try:
            reports.append(upgrade_database(db))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=upgrade) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert sum(r.changed for r in reports) == 1 and len(backups(db)) == 1
    assert rows(db) == before


# ------------------------------------------------------------------- refusals

def test_unknown_schema_without_revision_is_refused_untouched(db: Path) -> None:
    db.parent.mkdir(parents=True)
    legacy_file(db)
    conn = sqlite3.connect(db)
    conn.execute("ALTER TABLE outbox ADD COLUMN surprise TEXT")
    conn.close()
    digest = sha256(db)
    with pytest.raises(MigrationError, match="not the first schema"):
        upgrade_database(db)
    assert sha256(db) == digest and backups(db) == []


def test_revision_from_newer_software_is_refused(db: Path, keys: KioskKeys) -> None:
    at_revision(db, "head")
    conn = sqlite3.connect(db)
    conn.execute("UPDATE alembic_version SET version_num = 'f00dface'")
    conn.commit()
    conn.close()
    digest = sha256(db)
    with pytest.raises(OutboxError, match="f00dface, which this software does not know"):
        Outbox(db, KIOSK_ID, keys)
    assert sha256(db) == digest


def _corrupt_second_page(path: Path) -> None:
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    assert len(data) >= 3 * page_size
    data[page_size:2 * page_size] = b"\xde\xad\xbe\xef" * (page_size // 4)
    path.write_bytes(bytes(data))


def test_corrupt_page_is_not_migrated_and_the_kiosk_refuses_to_start(
        tmp_path: Path, keys: KioskKeys) -> None:
    data_dir = tmp_path / "kiosk"
    db = data_dir / "outbox.sqlite3"
    at_revision(db, "0001")
    fill(db, KioskKeys.load_or_create(data_dir / "keys"), payload_bytes=600)
    _corrupt_second_page(db)
    digest = sha256(db)

    with pytest.raises(MigrationError, match="is damaged|fails its integrity check"):
        upgrade_database(db)
    assert sha256(db) == digest and backups(db) == []

    config = tmp_path / "kiosk.toml"
    config.write_text(f'data_dir = "{data_dir}"\nkiosk_id = "{KIOSK_ID}"\n'
                      '[central]\nurls = ["http://127.0.0.1:9"]\n')
    done = subprocess.run([sys.executable, "-m", "kiosk", "queue", "status",
                           "--config", str(config)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 3, done.stderr
    assert "kiosk: cannot start" in done.stderr and str(db) in done.stderr
    assert any(why in done.stderr for why in ("integrity check", "damaged", "malformed"))
    assert "Traceback" not in done.stderr
    assert sha256(db) == digest


LOCK_HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
"""


def test_database_locked_by_another_process_is_not_migrated(db: Path,
                                                            keys: KioskKeys) -> None:
    at_revision(db, "0001")
    fill(db, keys)
    before = rows(db)
    with subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(db)],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
            with pytest.raises(MigrationError, match="locked by another process"):
                upgrade_database(db, busy_timeout_s=0.3)
        finally:
            assert holder.stdin is not None
            holder.stdin.write("\n")
            holder.stdin.close()
            holder.wait(10)
    assert stored_revision(db) == "0001" and rows(db) == before and backups(db) == []
    assert upgrade_database(db).to_revision == HEAD_REVISION  # fine once released
    assert rows(db) == before


@pytest.mark.parametrize("body,reason", [
    # Fails half-way, after DDL: the single transaction takes the DDL back too.
    ("    op.create_table('half_done', sa.Column('x', sa.Integer))\n"
     "    raise RuntimeError('disk on fire')",
     r"failed \(RuntimeError: disk on fire\)"),
    # Loses a pending record inside the transaction: caught before COMMIT.
    ("    op.execute(\"DELETE FROM outbox WHERE seq = 1\")",
     "changed the record counts"),
    # Rewrites sealed content without changing counts.
    ("    op.execute(\"UPDATE outbox SET ciphertext = x'00' WHERE seq = 2\")",
     "changed sealed record content"),
    # Commits behind the upgrade's back, then deletes: only the backup can undo it.
    ("    bind = op.get_bind()\n"
     "    bind.exec_driver_sql('COMMIT')\n"
     "    bind.exec_driver_sql('DELETE FROM outbox WHERE seq = 1')",
     "changed the record counts"),
], ids=["raises", "deletes", "rewrites", "commits-then-deletes"])
def test_failed_migration_leaves_every_record_and_refuses(
        db: Path, keys: KioskKeys, tmp_path: Path, body: str, reason: str) -> None:
    with Outbox(db, KIOSK_ID, keys) as box:
        for i in range(5):
            box.enqueue("invoice.verify", {"i": i})
    before, meta_before = rows(db), meta(db)
    extra = extra_revision(tmp_path / "extra", body)

    with pytest.raises(MigrationError, match=reason) as failure:
        upgrade_database(db, version_locations=[extra])

    assert failure.value.backup is not None and failure.value.backup.exists()
    assert rows(db) == before and meta(db) == meta_before
    assert stored_revision(db) == HEAD_REVISION
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'half_done'"
                                ).fetchall()
    finally:
        conn.close()
    with Outbox(db, KIOSK_ID, keys) as box:  # the current software still opens it
        assert box.verify_chain() == [] and box.pending_count() == 5


DISK_FULL_CHILD = """
import resource, signal, sys
from pathlib import Path
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG
limit = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
from offline_queue.migrate import MigrationError, upgrade_database
try:
    upgrade_database(Path(sys.argv[1]))
    print("migrated")
except MigrationError as exc:
    print("refused:", exc.reason)
"""


def test_no_room_for_the_backup_means_no_migration(db: Path, keys: KioskKeys) -> None:
    """A disk too full for the backup: nothing is migrated, no partial backup stays."""
    at_revision(db, "0001")
    fill(db, keys, count=200, payload_bytes=400)
    limit = 48 * 1024
    assert db.stat().st_size > 2 * limit
    before, digest = rows(db), sha256(db)
    done = subprocess.run([sys.executable, "-c", DISK_FULL_CHILD, str(db), str(limit)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("refused: cannot back up"), done.stdout
    assert sha256(db) == digest and backups(db) == [] and stored_revision(db) == "0001"
    assert upgrade_database(db).to_revision == HEAD_REVISION  # room again: it migrates
    assert rows(db) == before
