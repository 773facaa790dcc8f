"""Operator commands as real subprocesses: the drill, hand-carried bundles (export,
import, idempotence, damaged files), unconfirmed records and the status JSON."""
from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest
from queue_cli_helpers import KIOSK, ROOT, run, stored_records, write_config

from central.server import CentralServer
from kiosk.central_client import CentralClient
from kiosk.cli import build_parser
from offline_queue.crypto import KioskKeys
from offline_queue.outbox import Outbox

KIOSK_ID = "hall-03.t1"
DOWN = "http://127.0.0.1:9"


def test_drill_prints_each_seq_as_soon_as_it_is_committed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    cfg = write_config(tmp_path / "kiosk.toml", data, [DOWN], kiosk_id=KIOSK_ID)
    small = run(["queue", "drill", "--count", "3", "--config", str(cfg)])
    assert small.returncode == 0, small.stderr
    assert small.stdout.splitlines() == ["1", "2", "3"]
    assert run(["queue", "drill", "--count", "0", "--config", str(cfg)]).returncode == 2

    # A long drill, killed mid-way: every seq it printed is stored (the print follows
    # the commit), and the chain is intact.
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    # `with` closes the pipe and reaps the child even when a read fails.
    with subprocess.Popen(KIOSK + ["queue", "drill", "--count", "1000000", "--config",
                                   str(cfg)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True, bufsize=1) as proc:
        try:
            assert proc.stdout is not None
            printed = [int(proc.stdout.readline()) for _ in range(20)]
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=20)
    assert printed == list(range(4, 24))
    with Outbox(data / "outbox.sqlite3", KIOSK_ID, KioskKeys.load_or_create(data / "keys")) as box:
        stored = {r.seq for r in box.pending(limit=10**6)}
        assert set(printed) <= stored
        assert box.verify_chain() == []
        assert box.get(box.pending(1)[0].uuid).kind == "drill"  # type: ignore[union-attr]


def test_export_and_import_bundle_idempotent_and_damaged_bundles_store_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db_url = f"sqlite:///{tmp_path / 'central.db'}"
    data = tmp_path / "data"
    with CentralServer(db_url) as central:
        cfg = write_config(tmp_path / "kiosk.toml", data, [central.url], kiosk_id=KIOSK_ID)
        client = CentralClient((central.url,), KIOSK_ID)
        client.enroll(KioskKeys.load_or_create(data / "keys"))
        client.close()
        assert run(["queue", "drill", "--count", "4", "--config", str(cfg)]).returncode == 0

        bundle = tmp_path / "carry" / "hall-03.t1.bundle.json"
        bundle.parent.mkdir()
        exported = run(["queue", "export", str(bundle), "--config", str(cfg)])
        assert exported.returncode == 0, exported.stderr
        assert "exported 4 record(s), seq 1..4" in exported.stdout
        content = bundle.read_text(encoding="utf-8")
        assert json.loads(content)["kiosk_id"] == KIOSK_ID
        again = run(["queue", "export", str(bundle), "--config", str(cfg)])
        assert again.returncode == 1 and "refusing to overwrite" in again.stderr
        assert bundle.read_text(encoding="utf-8") == content

        def import_(path: Path) -> subprocess.CompletedProcess[str]:
            return run(["central", "--db", db_url, "--import-bundle", str(path)])

        truncated = tmp_path / "truncated.json"
        truncated.write_text(content[: len(content) * 2 // 3], encoding="utf-8")
        tampered = tmp_path / "tampered.json"
        doc = json.loads(content)
        doc["records"][2]["kind"] = "refund"
        tampered.write_text(json.dumps(doc), encoding="utf-8")
        dropped = tmp_path / "dropped.json"
        doc = json.loads(content)
        del doc["records"][1]
        dropped.write_text(json.dumps(doc), encoding="utf-8")
        stranger = tmp_path / "stranger.json"
        doc = json.loads(content)
        doc["kiosk_id"] = "hall-99.t9"
        stranger.write_text(json.dumps(doc), encoding="utf-8")
        refused = import_(truncated)  # once as a real process, the rest in-process
        assert refused.returncode == 2, refused.stderr
        assert "nothing stored" in refused.stderr and "truncated" in refused.stderr
        capsys.readouterr()
        for path, reason in ((tampered, "signature"), (dropped, "signature"),
                             (stranger, "another kiosk"),
                             (tmp_path / "missing.json", "does not exist")):
            args = build_parser().parse_args(["central", "--db", db_url, "--import-bundle",
                                              str(path)])
            code = args.func(args)
            err = capsys.readouterr().err
            assert code == 2, (path.name, err)
            assert "nothing stored" in err and reason in err, err
        assert stored_records(db_url, KIOSK_ID) == []

        first = import_(bundle)
        assert first.returncode == 0, first.stderr
        assert "accepted 4, duplicate 0, rejected 0" in first.stdout
        second = import_(bundle)
        assert second.returncode == 0 and "accepted 0, duplicate 4" in second.stdout
        assert [(s, k, st) for s, _u, k, st in stored_records(db_url, KIOSK_ID)] == [
            (i, "drill", "accepted") for i in range(1, 5)]

        # The kiosk syncs the same records later: duplicates, and its queue is clear.
        synced = run(["queue", "sync", "--config", str(cfg)])
        assert synced.returncode == 0, synced.stderr
        assert "accepted 0, duplicate 4" in synced.stdout
        status = json.loads(run(["queue", "status", "--json", "--config", str(cfg)]).stdout)
        assert status["pending"] == 0 and status["acked"] == 4
    nothing = run(["queue", "export", str(tmp_path / "empty.json"), "--config", str(cfg)])
    assert nothing.returncode == 1 and "nothing pending" in nothing.stderr
    assert not (tmp_path / "empty.json").exists()


def test_status_json_has_limits_and_unconfirmed_which_are_listed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    cfg = write_config(tmp_path / "kiosk.toml", data, [DOWN], kiosk_id=KIOSK_ID,
                       extra="[limits]\nmax_pending_records = 5\n"
                             "max_pending_amount_fen = 1000\n")
    with Outbox(data / "outbox.sqlite3", KIOSK_ID, KioskKeys.load_or_create(data / "keys")) as box:
        shown = box.enqueue("invoice.verify", {"number": "1"}, confirm_later=True)
        box.mark_confirmed(shown.uuid)
        lost = [box.enqueue("invoice.verify", {"number": str(i)}, confirm_later=True)
                for i in range(2)]
        box.enqueue("payment", {"amount_fen": 850})
    result = run(["queue", "status", "--json", "--config", str(cfg)])
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    assert status["kiosk_id"] == KIOSK_ID and status["unconfirmed"] == 2
    limits = status["limits"]
    assert limits["pending_records"] == {"value": 4, "limit": 5, "warning": True,
                                         "exceeded": False}
    assert limits["pending_amount_fen"] == {"value": 850, "limit": 1000, "warning": True,
                                            "exceeded": False}
    assert limits["oldest_age_h"]["limit"] == 72 and not limits["oldest_age_h"]["warning"]
    assert limits["warning"] is True and limits["exceeded"] is False

    listed = run(["queue", "unconfirmed", "--json", "--config", str(cfg)])
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [(r["seq"], r["uuid"], r["kind"]) for r in rows] == [
        (r.seq, r.uuid, "invoice.verify") for r in lost]
    assert all(set(r) == {"seq", "uuid", "kind", "created_at"} for r in rows)
    text = run(["queue", "unconfirmed", "--config", str(cfg)])
    assert text.stdout.count("\n") == 2 and lost[0].uuid in text.stdout


def test_terminal_start_logs_unconfirmed_records(tmp_path: Path,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from kiosk.app import KioskCore
    from kiosk.config import parse_config

    cfg = parse_config({"data_dir": str(tmp_path / "data"), "kiosk_id": KIOSK_ID,
                        "central": {"urls": [DOWN]}, "sync": {"interval_s": 60.0}})
    with Outbox(cfg.queue_path, KIOSK_ID, KioskKeys.load_or_create(cfg.key_dir)) as box:
        lost = box.enqueue("invoice.verify", {"number": "1"}, confirm_later=True)
    queue_log = logging.getLogger("kiosk.queue")
    queue_log.addHandler(caplog.handler)
    try:
        core = KioskCore(cfg).start(background_sync=True)  # as `kiosk run` starts it
        core.stop()
    finally:
        queue_log.removeHandler(caplog.handler)
    # (Seen once or twice: through our handler, and through the root logger when
    # the kiosk logger propagates.)
    messages = {(r.levelname, r.getMessage()) for r in caplog.records
                if r.name == "kiosk.queue"}
    assert len(messages) == 1
    level, message = messages.pop()
    assert level == "WARNING" and "1 committed record(s) were never confirmed" in message
    assert lost.uuid in message
