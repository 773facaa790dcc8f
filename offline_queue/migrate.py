"""Upgrading a kiosk's outbox file to the newest schema without ever losing a record.

The outbox may hold the only copy of a taxpayer's transaction, and a kiosk is upgraded
in the field with work still queued. So an upgrade

1. backs the file up first, with SQLite's online backup API (consistent even while
   another process reads it), to ``<db>.bak-<from revision>-<UTC timestamp>``, fsynced;
2. runs every pending Alembic revision inside ONE write transaction (SQLite DDL is
   transactional; ``BEGIN IMMEDIATE`` also keeps other processes out meanwhile);
3. before COMMIT, checks ``PRAGMA integrity_check``, the number of pending, acked and
   rejected records and a digest of every record's sealed columns (seq, uuid, kind,
   created_at, nonce, ciphertext, prev_hash, hash, signature) against the values read
   before; after COMMIT checks them again on a fresh connection.

Any failure rolls the transaction back; if the file is then not exactly as before (a
revision that committed on its own, a failed rollback, a check failing after COMMIT) it
is restored from the backup. Either way ``MigrationError`` says why, and the outbox
refuses to open: the kiosk does not start on a half-migrated queue.

A file written by the pre-Alembic ``create_schema`` (no ``alembic_version`` table) is
stamped 0001 when its schema is exactly revision 0001's, and refused otherwise.

Alembic costs ~0.7 s of imports, so it is imported only when a file actually needs an
upgrade; the common case (already at ``HEAD_REVISION``) is one small SELECT.

It also costs ~11 MiB that a long-running process keeps for good once imported. So the
kiosk upgrades its outbox with ``upgrade_in_child``: the same upgrade, run by
``python -m offline_queue.migrate PATH`` in a short-lived child process, with the same
``MigrationError`` reasons handed back. ``upgrade_database`` stays for tests and tools.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from offline_queue.migrations import HEAD_REVISION, SCRIPT_LOCATION

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Connection

FIRST_REVISION = "0001"
STATES = ("pending", "acked", "rejected")
_SEALED_COLUMNS = "seq, uuid, kind, created_at, nonce, ciphertext, prev_hash, hash, signature"


class MigrationError(RuntimeError):
    """The outbox file cannot be brought to the newest schema; ``reason`` says why.
    The file is left as it was (or restored from the backup named in the reason)."""

    def __init__(self, reason: str, backup: Path | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.backup = backup


@dataclass(frozen=True)
class _Snapshot:
    """What must be identical before and after an upgrade."""

    revision: str | None
    counts: dict[str, int]
    digest: str


@dataclass(frozen=True)
class MigrationReport:
    """What ``upgrade_database`` did. ``from_revision`` None means a new, empty file;
    ``backup`` is None when nothing needed backing up."""

    path: Path
    from_revision: str | None
    to_revision: str
    backup: Path | None = None
    stamped_legacy: bool = False
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return self.stamped_legacy or self.from_revision != self.to_revision


def alembic_config(version_locations: Sequence[Path] = ()) -> Config:
    """An Alembic config for the packaged scripts (no alembic.ini needed).
    ``version_locations`` adds directories of extra revisions (drills and tests)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPT_LOCATION))
    if version_locations:
        # os.pathsep ("path_separator = os" in alembic.ini terms) between directories.
        cfg.set_main_option("path_separator", "os")
        locations = [str(SCRIPT_LOCATION / "versions"), *map(str, version_locations)]
        cfg.set_main_option("version_locations", os.pathsep.join(locations))
    return cfg


def head_revision(version_locations: Sequence[Path] = ()) -> str:
    """The newest revision; without extra locations this is ``HEAD_REVISION``."""
    if not version_locations:
        return HEAD_REVISION
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config(version_locations)).get_current_head()
    if head is None:
        raise MigrationError("no migration scripts found")
    return head


def stored_revision(path: Path) -> str | None:
    """The revision recorded in the file (None: no alembic_version table or no file).
    Raises sqlite3.DatabaseError for a file that is not a readable database."""
    if not Path(path).exists():
        return None
    conn = sqlite3.connect(Path(path), timeout=5.0)
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                            "AND name = 'alembic_version'").fetchone():
            return None
        rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        return rows[0][0] if len(rows) == 1 else None
    finally:
        conn.close()


def upgrade_database(path: Path, *, busy_timeout_s: float = 60.0,
                     version_locations: Sequence[Path] = ()) -> MigrationReport:
    """Bring the outbox file at ``path`` to the newest revision (creating it when new);
    see the module docstring. Raises MigrationError with the reason on any failure.
    ``busy_timeout_s``: how long to wait for another process's upgrade (backup and
    all revisions of a full queue) before refusing."""
    path = Path(path)
    head = head_revision(version_locations)
    try:
        if stored_revision(path) == head:
            return MigrationReport(path, head, head)
    except sqlite3.DatabaseError:
        pass  # the locked upgrade below reports it properly
    return _Upgrade(path, head, busy_timeout_s, version_locations).run()


def upgrade_in_child(path: Path, *, busy_timeout_s: float = 60.0) -> MigrationReport:
    """``upgrade_database`` for a process that must not keep Alembic in memory (the
    kiosk): a file already at the head is checked here with one SELECT; any other runs
    the upgrade in a child process (``main`` below) and raises MigrationError with the
    child's reason. A process that has imported Alembic already upgrades in place:
    a child would spare it nothing."""
    path = Path(path)
    try:
        if stored_revision(path) == HEAD_REVISION:
            return MigrationReport(path, HEAD_REVISION, HEAD_REVISION)
    except sqlite3.DatabaseError:
        pass  # the upgrade reports it properly
    if "alembic" in sys.modules:
        return upgrade_database(path, busy_timeout_s=busy_timeout_s)
    # No timeout of our own: in process, an upgrade of a big queue is not cut short
    # either, and the child's wait for another upgrader is bounded by busy_timeout_s.
    try:
        done = subprocess.run(
            [sys.executable, "-m", "offline_queue.migrate", "--busy-timeout",
             str(busy_timeout_s), str(path)],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, encoding="utf-8",
            check=False)
    except OSError as exc:
        raise MigrationError(f"cannot start the upgrade of queue database {path} "
                             f"({type(exc).__name__}: {exc}); not migrated") from exc
    answer: dict[str, Any] | None = None
    lines = done.stdout.strip().splitlines()
    if lines:
        try:
            parsed = json.loads(lines[-1])
        except ValueError:
            parsed = None
        answer = parsed if isinstance(parsed, dict) else None
    if answer is None:
        # A crash (no answer at all): the child's own last words, never a payload,
        # since the upgrade only reads counts and digests.
        tail = done.stderr.strip().splitlines()[-1:] or [f"exit status {done.returncode}"]
        raise MigrationError(f"the upgrade of queue database {path} failed in its child "
                             f"process ({tail[0][:300]}); check the file before starting")
    backup = Path(answer["backup"]) if answer.get("backup") else None
    if not answer.get("ok"):
        raise MigrationError(str(answer.get("reason")), backup)
    return MigrationReport(path, answer["from_revision"], answer["to_revision"], backup,
                           bool(answer["stamped_legacy"]),
                           {str(k): int(v) for k, v in answer["counts"].items()})


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m offline_queue.migrate [--busy-timeout S] PATH``: the child of
    ``upgrade_in_child``. Prints one JSON line (the report, or the MigrationError's
    reason and backup); exit status 0, or 1 when the file was not migrated."""
    parser = argparse.ArgumentParser(prog="python -m offline_queue.migrate",
                                     description="Upgrade a kiosk outbox file.")
    parser.add_argument("--busy-timeout", type=float, default=60.0, metavar="S")
    parser.add_argument("path", type=Path)
    args = parser.parse_args(argv)
    # Run as __main__, this module is a second copy: use the package's own, whose
    # MigrationError the revisions and helpers raise.
    from offline_queue.migrate import MigrationError as Error
    from offline_queue.migrate import upgrade_database as upgrade

    try:
        report = upgrade(args.path, busy_timeout_s=args.busy_timeout)
    except Error as exc:
        print(json.dumps({"ok": False, "reason": exc.reason,
                          "backup": str(exc.backup) if exc.backup else None}), flush=True)
        return 1
    print(json.dumps({"ok": True, "from_revision": report.from_revision,
                      "to_revision": report.to_revision,
                      "backup": str(report.backup) if report.backup else None,
                      "stamped_legacy": report.stamped_legacy,
                      "counts": report.counts}), flush=True)
    return 0


class _Upgrade:
    def __init__(self, path: Path, head: str, busy_timeout_s: float,
                 version_locations: Sequence[Path]) -> None:
        self.path = path
        self.head = head
        self.busy_timeout_ms = int(busy_timeout_s * 1000)
        self.version_locations = version_locations
        self.backup: Path | None = None

    def run(self) -> MigrationReport:
        from sqlalchemy.exc import OperationalError, SQLAlchemyError

        from offline_queue.db import make_engine

        # make_engine creates the file 0600 in a 0700 folder (backups are 0600 too).
        engine = make_engine(self.path)
        try:
            with engine.connect() as conn:
                # On the driver connection: a statement here would autobegin.
                raw = conn.connection.driver_connection
                assert raw is not None
                raw.execute(f"PRAGMA busy_timeout = {self.busy_timeout_ms}")
                try:
                    conn.begin()  # BEGIN IMMEDIATE: one upgrader at a time, readers go on
                except OperationalError as exc:
                    raise MigrationError(
                        f"queue database {self.path} is locked by another process "
                        f"({_driver_message(exc)}); not migrated, try again once it is "
                        f"closed") from exc
                return self._locked(conn)
        except MigrationError:
            raise
        except (SQLAlchemyError, sqlite3.DatabaseError) as exc:
            orig = getattr(exc, "orig", None) or exc
            if isinstance(orig, sqlite3.DatabaseError) and \
                    not isinstance(orig, sqlite3.OperationalError):
                raise MigrationError(
                    f"queue database {self.path} is damaged ({_driver_message(exc)}); "
                    f"not migrated: restore it from a backup", self.backup) from exc
            raise MigrationError(f"cannot upgrade queue database {self.path}: "
                                 f"{_driver_message(exc)}", self.backup) from exc
        finally:
            engine.dispose()

    def _locked(self, conn: Connection) -> MigrationReport:
        """Everything below runs under the write lock taken by ``run``."""
        current = _revision(conn)
        if current == self.head:
            conn.commit()  # another process upgraded it while we waited
            return MigrationReport(self.path, current, current)
        tables = _user_tables(conn)
        stamp = False
        if current is None and not tables:
            self._migrate(conn, None)  # a new file: nothing to back up or compare
            conn.commit()
            return MigrationReport(self.path, None, self.head)
        if current is None:
            if _schema_signature(conn) != _reference_signature(FIRST_REVISION):
                conn.rollback()
                raise MigrationError(
                    f"queue database {self.path} has tables ({', '.join(sorted(tables))}) "
                    f"but no schema revision, and they are not the first schema; refusing "
                    f"to guess (not migrated)")
            current, stamp = FIRST_REVISION, True
        elif current not in self._known_revisions():
            conn.rollback()
            raise MigrationError(
                f"queue database {self.path} is at schema revision {current}, which this "
                f"software does not know (written by a newer version?); refusing to start "
                f"rather than run on a schema it does not understand")

        problems = _integrity_problems(conn)
        if problems:
            conn.rollback()
            raise MigrationError(
                f"queue database {self.path} fails its integrity check before migration "
                f"({problems}); not migrated: restore it from a backup")
        before = _snapshot(conn, None if stamp else current)
        try:
            self.backup = _backup(self.path, current)
        except (OSError, sqlite3.Error) as exc:
            conn.rollback()
            raise MigrationError(
                f"cannot back up queue database {self.path} before migrating it "
                f"({type(exc).__name__}: {exc}; disk full?); not migrated") from exc
        try:
            if stamp:
                self._stamp(conn, FIRST_REVISION)
            if current != self.head:
                self._migrate(conn, current)
            self._check(conn, before, "before COMMIT")
            conn.commit()
        except MigrationError:
            self._recover(conn, before)
            raise
        except Exception as exc:
            self._recover(conn, before)
            raise MigrationError(
                f"migrating queue database {self.path} from revision {current} to "
                f"{self.head} failed ({_driver_message(exc)}); the database is as it was "
                f"(backup {self.backup})", self.backup) from exc
        self._verify_committed(before)
        return MigrationReport(self.path, current, self.head, self.backup, stamp,
                               before.counts)

    # ----------------------------------------------------------------- steps

    def _config(self, conn: Connection) -> Config:
        cfg = alembic_config(self.version_locations)
        cfg.attributes["connection"] = conn  # env.py joins our transaction
        return cfg

    def _known_revisions(self) -> set[str]:
        from alembic.script import ScriptDirectory

        script = ScriptDirectory.from_config(alembic_config(self.version_locations))
        return {rev.revision for rev in script.walk_revisions()}

    def _migrate(self, conn: Connection, current: str | None) -> None:
        from alembic import command

        command.upgrade(self._config(conn), self.head)
        if _revision(conn) != self.head:
            raise MigrationError(f"migration of {self.path} from {current} ended at "
                                 f"{_revision(conn)}, not {self.head}", self.backup)

    def _stamp(self, conn: Connection, revision: str) -> None:
        from alembic import command

        command.stamp(self._config(conn), revision)

    def _check(self, conn: Connection, before: _Snapshot, when: str) -> None:
        problems = _integrity_problems(conn)
        if problems:
            raise MigrationError(f"queue database {self.path} fails its integrity check "
                                 f"after migration {when} ({problems})", self.backup)
        after = _snapshot(conn, self.head)
        if after.counts != before.counts:
            raise MigrationError(
                f"migration changed the record counts of {self.path} {when}: "
                f"{_counts_text(before.counts)} before, {_counts_text(after.counts)} after",
                self.backup)
        if after.digest != before.digest:
            raise MigrationError(f"migration changed sealed record content in {self.path} "
                                 f"{when}", self.backup)

    def _recover(self, conn: Connection, before: _Snapshot) -> None:
        """After a failure: roll back, and restore from the backup unless the file is
        provably as it was."""
        try:
            conn.rollback()
        except Exception:  # noqa: BLE001 - the comparison below decides
            pass
        try:
            check = sqlite3.connect(self.path, timeout=self.busy_timeout_ms / 1000)
            try:
                same = (_integrity_problems_raw(check) == ""
                        and _snapshot_raw(check) == before)
            finally:
                check.close()
        except sqlite3.DatabaseError:
            same = False
        if not same:
            self._restore(before)

    def _verify_committed(self, before: _Snapshot) -> None:
        try:
            check = sqlite3.connect(self.path, timeout=self.busy_timeout_ms / 1000)
            try:
                problems = _integrity_problems_raw(check)
                after = _snapshot_raw(check)
            finally:
                check.close()
        except sqlite3.DatabaseError as exc:
            problems, after = f"{type(exc).__name__}: {exc}", None
        if problems or after is None or after.counts != before.counts \
                or after.digest != before.digest or after.revision != self.head:
            self._restore(before)
            raise MigrationError(
                f"queue database {self.path} did not check out after the migration was "
                f"committed ({problems or 'records differ'}); restored from {self.backup}",
                self.backup)

    def _restore(self, before: _Snapshot) -> None:
        """Copy the backup back through SQLite (correct with WAL files present)."""
        if self.backup is None:
            raise MigrationError(f"queue database {self.path} changed during a failed "
                                 f"migration and there is no backup")
        src = sqlite3.connect(f"file:{self.backup}?mode=ro", uri=True)
        dst = sqlite3.connect(self.path, timeout=self.busy_timeout_ms / 1000)
        try:
            src.backup(dst)
            restored = _snapshot_raw(dst)
        finally:
            src.close()
            dst.close()
        if restored.counts != before.counts or restored.digest != before.digest:
            raise MigrationError(f"restoring {self.path} from {self.backup} did not give back "
                                 f"the original records; copy the backup file over it by "
                                 f"hand", self.backup)


# --------------------------------------------------------------------- helpers


def _driver_message(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return f"{type(orig).__name__}: {orig}"


def _revision(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def _user_tables(conn: Connection) -> set[str]:
    rows = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table' "
                                "AND name NOT LIKE 'sqlite_%'").all()
    return {r[0] for r in rows} - {"alembic_version"}


def _normalise(sql: str | None) -> str:
    return re.sub(r"\s+", " ", sql or "").replace("( ", "(").replace(" )", ")").strip()


def _schema_signature(conn: Connection) -> set[tuple[str, str, str, str]]:
    """Every table and index as SQLite stored its DDL (whitespace normalised)."""
    rows = conn.exec_driver_sql(
        "SELECT type, name, tbl_name, sql FROM sqlite_master "
        "WHERE tbl_name != 'alembic_version'").all()
    return {(r[0], r[1], r[2], _normalise(r[3])) for r in rows}


def _reference_signature(revision: str) -> set[tuple[str, str, str, str]]:
    """The signature of a file created by the scripts up to ``revision``."""
    from alembic import command
    from sqlalchemy import create_engine

    engine = create_engine("sqlite://")
    try:
        with engine.connect() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            return _schema_signature(conn)
    finally:
        engine.dispose()


def _integrity_problems(conn: Connection) -> str:
    rows = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").all()]
    return "" if rows == ["ok"] else "; ".join(rows[:5])


def _integrity_problems_raw(conn: sqlite3.Connection) -> str:
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    return "" if rows == ["ok"] else "; ".join(rows[:5])


def _snapshot_rows(execute: Any, revision: str | None) -> _Snapshot:
    counts = {state: 0 for state in STATES}
    for state, n in execute("SELECT state, COUNT(*) FROM outbox GROUP BY state"):
        counts[state] = n
    digest = hashlib.sha256()
    for row in execute(f"SELECT {_SEALED_COLUMNS} FROM outbox ORDER BY seq"):
        for value in row:
            data = value if isinstance(value, bytes) else str(value).encode()
            digest.update(len(data).to_bytes(8, "big") + data)
    return _Snapshot(revision, counts, digest.hexdigest())


def _snapshot(conn: Connection, revision: str | None) -> _Snapshot:
    return _snapshot_rows(lambda sql: conn.exec_driver_sql(sql).all(), revision)


def _snapshot_raw(conn: sqlite3.Connection) -> _Snapshot:
    has_version = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                               "AND name = 'alembic_version'").fetchone()
    revision = None
    if has_version:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
    return _snapshot_rows(lambda sql: conn.execute(sql).fetchall(), revision)


def _counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {state}" for state, n in counts.items())


def _backup(path: Path, revision: str) -> Path:
    """A consistent copy made with the online backup API, fsynced with its directory."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = path.with_name(f"{path.name}.bak-{revision}-{stamp}")
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    try:
        src = sqlite3.connect(path, timeout=5.0)
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")  # a self-contained single file
        finally:
            src.close()
            dst.close()
        with open(target, "rb") as handle:
            os.fsync(handle.fileno())
    except BaseException:
        target.unlink(missing_ok=True)  # no half-written backup left to mislead anyone
        raise
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return target


if __name__ == "__main__":
    sys.exit(main())
