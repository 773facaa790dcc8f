"""Helpers for the operator-command tests: the `kiosk` CLI as a real subprocess, config
files, and reading what the central service stored. Named uniquely because test
folders have no __init__.py."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[2]
KIOSK = [sys.executable, "-m", "kiosk"]
ADMIN_TOKEN = "admin-token-for-operator-tests"
ENROLMENT_TOKEN = "enrolment-token-for-operator-tests"


def run(args: list[str], env: dict[str, str] | None = None,
        timeout: float = 60) -> subprocess.CompletedProcess[str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    full_env = inherited | {"QT_QPA_PLATFORM": "offscreen"} | (env or {})
    return subprocess.run(KIOSK + args, capture_output=True, text=True, timeout=timeout,
                          env=full_env, cwd=ROOT)


def write_config(path: Path, data_dir: Path, urls: list[str], kiosk_id: str = "hall-01.t1",
                 extra: str = "", central_extra: str = "") -> Path:
    url_list = ", ".join(f'"{u}"' for u in urls)
    path.write_text(f'data_dir = "{data_dir}"\nkiosk_id = "{kiosk_id}"\n{extra}\n'
                    f'[central]\nurls = [{url_list}]\n{central_extra}\n', encoding="utf-8")
    return path


def stored_records(db_url: str, kiosk_id: str) -> list[tuple[int, str | None, str, str]]:
    """(seq, uuid, kind, status) of every record the central database holds for a kiosk,
    read straight from the database file."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT seq, uuid, kind, status FROM records "
                                     "WHERE kiosk_id = :k ORDER BY seq"), {"k": kiosk_id})
            return [tuple(r) for r in rows]  # type: ignore[misc]
    finally:
        engine.dispose()


def admin_get(base_url: str, path: str, **kw: Any) -> httpx.Response:
    with httpx.Client(base_url=base_url, timeout=10, **kw) as http:
        return http.get(path, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
