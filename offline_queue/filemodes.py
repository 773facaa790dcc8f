"""Owner-only file modes for everything the kiosk keeps on disk.

The kiosk's files hold personal data (queued transactions, verification results) and
staff PIN hashes (the reference inbox), so its data directory is 0700 and its files
0600 whatever the process umask. The kiosk also sets ``umask 077`` at start (kiosk.cli,
``UMask=0077`` in the unit); these helpers are the second line: each store creates its
own files owner-only and repairs the modes of an older install when it opens them.
Stdlib only, so that drivers/ can use it too.
"""
from __future__ import annotations

import errno
import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
#: The files SQLite keeps beside a database (WAL mode and rollback journal).
SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def private_umask() -> int:
    """Make every file this process creates from now on owner-only; returns the old
    umask. Called first thing by the kiosk's CLI."""
    return os.umask(0o077)


def _restrict(path: Path, mode: int) -> None:
    """chmod ``path`` to ``mode`` when group or others have any access. Only files we
    own can be changed; anything else is logged (the operator must fix it)."""
    try:
        current = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return
    if not current & 0o077:
        return
    try:
        os.chmod(path, mode)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EACCES, errno.EROFS):
            raise
        log.warning("%s is readable by others (mode %04o) and cannot be changed: %s",
                    path, current, exc.strerror)
        return
    # A warning: whatever was in it was readable by others until now.
    log.warning("%s was readable by others: restricted from mode %04o to %04o", path,
                current, mode)


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) 0700, or restrict an existing one to 0700.
    Parents that existed already are left alone: they may be shared (/var/lib)."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    _restrict(path, PRIVATE_DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Make sure ``path`` exists owner-only: create it empty 0600 if missing (an empty
    file is a valid empty SQLite database), else restrict it to 0600."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC,
                     PRIVATE_FILE_MODE)
    except FileExistsError:
        _restrict(path, PRIVATE_FILE_MODE)
    else:
        os.close(fd)
    return path


def restrict_file(path: Path) -> None:
    """Restrict an existing file to 0600 (nothing if it does not exist)."""
    _restrict(Path(path), PRIVATE_FILE_MODE)


def private_sqlite(path: Path) -> Path:
    """Before SQLite opens ``path``: its folder 0700, the database file created 0600
    (SQLite gives the -wal/-shm/-journal files the database file's mode) and the modes
    of files left by an older install repaired."""
    path = Path(path)
    private_dir(path.parent)
    private_file(path)
    for suffix in SQLITE_SUFFIXES[1:]:
        restrict_file(Path(f"{path}{suffix}"))
    return path
