"""Memory after start (#9 §5, RSS <= 200 MB): what a `kiosk run` process would keep for
months and never uses is not imported, even on a terminal's first start.

- Alembic (~11 MiB): a new data directory's outbox is created (upgraded to the newest
  schema) by a child process, offline_queue.migrate.upgrade_in_child;
- trio (~7 MiB, which httpcore imports when installed) and httpx's command-line client
  (click, rich, pygments): installed in a development venv for the tests, never in the
  hall; kiosk/lean_imports.py keeps them out;
- sqlalchemy.orm (~6 MiB): the kiosk's tables are SQLAlchemy Core tables;
- the source lines of every module imported after PySide6 (~20 MiB in linecache).

A real `kiosk run --config FILE` process on a fresh data directory. A sitecustomize.py on
PYTHONPATH starts a thread in the kiosk that, once the core is attached (the window
imported the home screen), writes the names in sys.modules to a file.
"""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from offline_queue.migrations import HEAD_REVISION

ROOT = Path(__file__).resolve().parents[2]

KEPT_OUT = ("alembic", "trio", "httpx._main", "click", "pygments", "rich", "sqlalchemy.orm")

SITECUSTOMIZE = """\
import json, os, sys, threading, time

_out = os.environ.get("LEAN_MODULES_OUT")


def _dump():
    while "ui.screens.home" not in sys.modules:
        time.sleep(0.05)
    time.sleep(1.5)  # attach_core goes on (keyboard, warm-up) on the GUI thread
    import linecache
    with open(_out + ".lines", "w", encoding="utf-8") as f:
        json.dump({name: len(entry[2]) for name, entry in list(linecache.cache.items())
                   if len(entry) > 2}, f)
    with open(_out + ".tmp", "w", encoding="utf-8") as f:
        # A None entry is a module kept out, not one loaded.
        json.dump(sorted(k for k, v in list(sys.modules.items()) if v is not None), f)
    os.replace(_out + ".tmp", _out)


# The kiosk only: the upgrade's child process inherits PYTHONPATH too.
if _out and sys.argv[1:2] == ["--log-json"]:
    threading.Thread(target=_dump, daemon=True).start()
"""


def test_first_start_keeps_alembic_trio_the_httpx_cli_and_the_orm_out(tmp_path: Path) -> None:
    hook_dir = tmp_path / "hook"
    hook_dir.mkdir()
    (hook_dir / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    out = tmp_path / "modules.json"
    data = tmp_path / "data"
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(f'data_dir = "{data}"\n[central]\nurls = ["http://127.0.0.1:9"]\n',
                   encoding="utf-8")
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen", "LEAN_MODULES_OUT": str(out),
                        "PYTHONPATH": os.pathsep.join(
                            [str(hook_dir), *filter(None, [os.environ.get("PYTHONPATH")])])}
    log_path = tmp_path / "kiosk.log"
    log = log_path.open("w+", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "--log-json", "run", "--config",
                             str(cfg)], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=log, text=True)
    try:
        deadline = time.monotonic() + 90
        while not out.exists():
            assert proc.poll() is None, log_path.read_text("utf-8")[-2000:]
            assert time.monotonic() < deadline, "the core was never attached"
            time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
    modules = set(json.loads(out.read_text(encoding="utf-8")))
    assert "ui.screens.home" in modules  # the hook saw the attached core
    assert "httpx" in modules and "httpcore" in modules  # the central client is loaded
    assert sorted(m for m in modules
                  if any(m == k or m.startswith(k + ".") for k in KEPT_OUT)) == []
    # PySide's import hook asks of each module imported after PySide6 whether it uses
    # PySide; through inspect it kept every line of those files (SQLAlchemy, pydantic,
    # ...: ~20 MiB) in linecache for good. ui/pyside_feature.py reads the file instead.
    cached = json.loads(Path(f"{out}.lines").read_text(encoding="utf-8"))
    # Before the fix, SQLAlchemy's, pydantic's, httpx's... ~180,000 lines; now ~6,500
    # (typing and enum, read by PySide as it starts, before its hook is replaced).
    assert not [f for f in cached if "/sqlalchemy/" in f or "/pydantic" in f]
    assert sum(cached.values()) < 20_000, sorted(cached.items(), key=lambda kv: -kv[1])[:5]
    # The new outbox was created at the newest schema all the same: by the child.
    conn = sqlite3.connect(f"file:{data / 'outbox.sqlite3'}?mode=ro", uri=True)
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (HEAD_REVISION,)]
    finally:
        conn.close()
