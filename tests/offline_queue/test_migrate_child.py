"""The kiosk's outbox upgrade in a child process (offline_queue.migrate.upgrade_in_child):
the same upgrade as ``upgrade_database`` (records kept, backup taken, the same refusal
reasons), run by ``python -m offline_queue.migrate`` so that the long-running kiosk
never imports Alembic (~11 MiB it would keep for months, #9 §5).

Real SQLite files and real child processes. This test process has usually imported
Alembic already (upgrade_in_child then upgrades in place: a child would spare nothing),
so each test that wants the child takes "alembic" out of sys.modules (after its own
set-up, which imports it again) until the test ends.
"""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from oq_helpers import KIOSK_ID
from test_migrations import at_revision, backups, fill, rows, sha256

from offline_queue.crypto import KioskKeys
from offline_queue.migrate import (
    MigrationError,
    stored_revision,
    upgrade_database,
    upgrade_in_child,
)
from offline_queue.migrations import HEAD_REVISION
from offline_queue.outbox import Outbox, OutboxError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "queue" / "outbox.sqlite3"


@pytest.fixture
def keys(tmp_path: Path) -> KioskKeys:
    return KioskKeys.load_or_create(tmp_path / "keys")


def _newer_revision(db: Path) -> None:
    at_revision(db, "head")
    conn = sqlite3.connect(db)
    conn.execute("UPDATE alembic_version SET version_num = 'f00dface'")
    conn.commit()
    conn.close()


def test_a_new_file_is_created_by_a_child_and_alembic_stays_out(db: Path) -> None:
    db.parent.mkdir(parents=True)
    probe = ("import json, sys\nfrom pathlib import Path\n"
             "from offline_queue.migrate import upgrade_in_child\n"
             "r = upgrade_in_child(Path(sys.argv[1]))\n"
             "print(json.dumps([r.from_revision, r.to_revision, 'alembic' in sys.modules]))\n")
    done = subprocess.run([sys.executable, "-c", probe, str(db)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [None, HEAD_REVISION, False]
    assert stored_revision(db) == HEAD_REVISION and backups(db) == []


def test_an_old_queue_is_upgraded_by_the_child_with_every_record(
        db: Path, keys: KioskKeys, monkeypatch: pytest.MonkeyPatch) -> None:
    at_revision(db, "0001")
    fill(db, keys)
    before = rows(db)
    monkeypatch.delitem(sys.modules, "alembic", raising=False)

    report = upgrade_in_child(db)

    assert "alembic" not in sys.modules  # it ran in the child
    assert (report.from_revision, report.to_revision) == ("0001", HEAD_REVISION)
    assert report.counts == {"pending": 32, "acked": 16, "rejected": 12}
    assert report.backup is not None and backups(db) == [report.backup]
    assert rows(report.backup) == before
    assert stored_revision(db) == HEAD_REVISION
    # The queue opens on the upgraded file with its records (the check it makes itself).
    with Outbox(db, KIOSK_ID, keys, upgrade=upgrade_in_child) as box:
        assert box.status().pending == 32


def test_the_child_refuses_with_the_in_process_reason(db: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _newer_revision(db)
    digest = sha256(db)
    with pytest.raises(MigrationError) as in_process:
        upgrade_database(db)
    monkeypatch.delitem(sys.modules, "alembic", raising=False)
    with pytest.raises(MigrationError) as in_child:
        upgrade_in_child(db)
    assert in_child.value.reason == in_process.value.reason
    assert "f00dface, which this software does not know" in in_child.value.reason
    assert sha256(db) == digest and backups(db) == []


def test_the_kiosk_outbox_refuses_to_open_on_the_childs_refusal(
        db: Path, keys: KioskKeys, monkeypatch: pytest.MonkeyPatch) -> None:
    _newer_revision(db)
    digest = sha256(db)
    monkeypatch.delitem(sys.modules, "alembic", raising=False)
    with pytest.raises(OutboxError, match="f00dface, which this software does not know"):
        Outbox(db, KIOSK_ID, keys, upgrade=upgrade_in_child)
    assert sha256(db) == digest


def test_a_child_that_dies_without_an_answer_is_a_migration_error(
        db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db.parent.mkdir(parents=True)
    monkeypatch.delitem(sys.modules, "alembic", raising=False)
    monkeypatch.setattr(sys, "executable", "/bin/false")
    with pytest.raises(MigrationError, match="failed in its child process "
                                             r"\(exit status 1\)"):
        upgrade_in_child(db)
    assert not db.exists()


def test_a_file_at_the_head_needs_no_child(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at_revision(db, "head")
    monkeypatch.delitem(sys.modules, "alembic", raising=False)
    monkeypatch.setattr(sys, "executable", "/bin/false")  # a child would fail
    report = upgrade_in_child(db)
    assert (report.from_revision, report.to_revision) == (HEAD_REVISION, HEAD_REVISION)
