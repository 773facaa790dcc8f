"""`kiosk devices ...` as a technician runs it: real subprocesses against simulators on
real transports (TCP printer that decodes ESC/POS, pty scanner)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.simulators.escpos_printer_sim import SimulatedReceiptPrinter
from drivers.simulators.serial_scanner_sim import SimulatedSerialScanner

ROOT = Path(__file__).resolve().parents[2]
KIOSK = [sys.executable, "-m", "kiosk"]


def run(args: list[str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen"}
    env.pop("KIOSK_CONFIG", None)
    return subprocess.run(KIOSK + args, capture_output=True, text=True, timeout=timeout,
                          env=env, cwd=ROOT)


@pytest.fixture
def printer() -> Iterator[SimulatedReceiptPrinter]:
    sim = SimulatedReceiptPrinter().start()
    yield sim
    sim.stop()


@pytest.fixture
def scanner() -> Iterator[SimulatedSerialScanner]:
    sim = SimulatedSerialScanner()
    yield sim
    sim.close()


def test_print_refuses_paper_out_cover_open_and_silence_with_the_reason(printer) -> None:  # type: ignore[no-untyped-def]
    cases = [("paper", "empty", "out of paper"), ("cover_open", True, "cover is open"),
             ("mute", True, "did not answer")]
    for attr, value, says in cases:
        setattr(printer, attr, value)
        result = run(["devices", "test-print", "--printer", printer.connection,
                      "--timeout", "0.5"])
        assert result.returncode != 0, (attr, result.stdout)
        assert says in result.stderr and "not printed" in result.stderr, result.stderr
        setattr(printer, attr, {"paper": "ok"}.get(attr, False))
    printer.offline = True  # powered off: connection refused
    result = run(["devices", "test-print", "--printer", printer.connection])
    assert result.returncode != 0 and "cannot be reached" in result.stderr
    printer.offline = False
    assert printer.documents == [] and "测试" not in printer.all_text()  # nothing printed


def test_print_the_test_page_on_a_healthy_printer(printer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(f'data_dir = "{tmp_path / "data"}"\nkiosk_id = "hall-0101-t07"\n',
                   encoding="utf-8")
    result = run(["devices", "test-print", "--printer", printer.connection, "--config", str(cfg)])
    assert result.returncode == 0, result.stderr
    assert "test page printed" in result.stdout
    doc = printer.wait_for_documents(1, timeout=5)[0]
    assert "打印机测试页" in doc.text and "中文打印测试：发票查验 办税服务厅 国家税务总局" in doc.text
    assert doc.qr_codes == ["TAXKIOSK:TEST:hall-0101-t07"]
    assert doc.cut


def test_scan_prints_each_scan_as_it_arrives(scanner) -> None:  # type: ignore[no-untyped-def]
    # Buffered stdout, as in a pipe: each scan must still show at once (flushed).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    # `with` closes the child's pipes whatever happens (ResourceWarning is an error).
    with subprocess.Popen(KIOSK + ["devices", "scan", "--port", scanner.connection,
                                   "--count", "2", "--timeout", "20"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env=env, cwd=ROOT) as proc:
        try:
            assert proc.stderr is not None and proc.stdout is not None
            # The port is open (log lines of every namespace may come first).
            while "scanner ready" not in (line := proc.stderr.readline()):
                assert line, "kiosk devices scan ended before the scanner was ready"
            scanner.scan("01,10,033002600111,31415926,88.50,20240101,1234,")
            # The first scan is printed (flushed) before the second one is even sent.
            assert proc.stdout.readline() == "01,10,033002600111,31415926,88.50,20240101,1234,\n"
            scanner.scan("发票查验")
            assert proc.stdout.readline() == "发票查验\n"
            assert proc.wait(10) == 0
        finally:
            proc.kill()
            proc.wait()


def test_scan_without_the_scans_exits_non_zero(scanner) -> None:  # type: ignore[no-untyped-def]
    result = run(["devices", "scan", "--port", scanner.port, "--count", "1", "--timeout", "0.5"])
    assert result.returncode == 1 and "0 of 1 scans" in result.stderr


def test_list_and_check_json(printer, scanner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(f'''data_dir = "{tmp_path / 'data'}"
[devices.scanner]
kind = "serial_scanner"
connection = "{scanner.connection}"
[devices.receipt_printer]
kind = "receipt_printer"
connection = "{printer.connection}"
profile = "default80"
[devices.wedge]
kind = "wedge_scanner"
''', encoding="utf-8")
    listed = run(["devices", "list", "--json", "--config", str(cfg)])
    assert listed.returncode == 0, listed.stderr
    assert [(d["name"], d["kind"], d["connection"]) for d in json.loads(listed.stdout)] == [
        ("scanner", "serial_scanner", scanner.connection),
        ("receipt_printer", "receipt_printer", printer.connection),
        ("wedge", "wedge_scanner", "")]
    text = run(["devices", "list", "--config", str(cfg)])
    assert "receipt_printer" in text.stdout and printer.connection in text.stdout

    check = run(["devices", "check", "--json", "--config", str(cfg)])
    assert check.returncode == 0, check.stdout + check.stderr
    report = json.loads(check.stdout)
    assert report["ok"] is True
    by_name = {d["name"]: d for d in report["devices"]}
    assert set(by_name) == {"scanner", "receipt_printer", "wedge"}
    for d in by_name.values():
        assert {"name", "kind", "connection", "ok", "state", "error", "condition", "message",
                "counters"} <= set(d)
        assert {"opens", "failures", "reconnects", "last_error"} <= set(d["counters"])
    assert by_name["receipt_printer"]["state"] == "idle"
    assert by_name["scanner"]["counters"]["opens"] == 1

    printer.paper = "empty"
    bad = run(["devices", "check", "receipt_printer", "--json", "--config", str(cfg)])
    assert bad.returncode == 1
    only = json.loads(bad.stdout)
    assert only["ok"] is False and [d["name"] for d in only["devices"]] == ["receipt_printer"]
    assert only["devices"][0]["state"] == "error"
    assert only["devices"][0]["condition"] == "paper_empty"
    human = run(["devices", "check", "receipt_printer", "--config", str(cfg)])
    assert human.returncode == 1 and "FAIL receipt_printer" in human.stdout
    assert "paper_empty" in human.stdout

    unknown = run(["devices", "check", "fax", "--config", str(cfg)])
    assert unknown.returncode == 2 and "no device named 'fax'" in unknown.stderr
