"""The A4 printer: PDFs into a directory (read back with QtPdf), the lp command line,
lp/lpstat answers, and a clear no_hardware error when the CUPS client is missing."""
import os
from datetime import datetime

import pytest
from PySide6.QtPdf import QPdfDocument

from drivers.a4_printer import (
    A4Printer, lp_command, lp_error, parse_lp_job_id, parse_lpstat,
)
from drivers.base import DeviceState
from drivers.errors import DeviceCondition, DeviceError, DeviceErrorCode
from printing.document import Document, Heading, KeyValue, QrCode
from printing.templates import verification_slip


def doc():
    return verification_slip(
        lang="zh", invoice_number="24312000000012345678", invoice_type="电子发票（普通发票）",
        outcome_label="查验一致", detail_rows=[("销售方", "北京某某科技有限公司")],
        qr_data="TAXKIOSK:CHECKED:82::24312000000012345678:20240101:genuine",
        printed_at=datetime(2024, 11, 28, 10, 30), kiosk_id="K-0001")


def test_file_target_writes_a_pdf(qapp, tmp_path):
    statuses = []
    printer = A4Printer(f"file://{tmp_path}/", on_status=statuses.append)
    job = printer.print_document(doc())
    assert job.path is not None and job.path.parent == tmp_path and job.path.suffix == ".pdf"
    assert job.job_id == job.path.name
    assert [p.name for p in tmp_path.iterdir()] == [job.path.name]  # no temporary left over
    pdf = QPdfDocument()
    assert pdf.load(str(job.path)) == QPdfDocument.Error.None_
    assert "北京某某科技有限公司" in pdf.getAllText(0).text()
    second = printer.print_document(Document([Heading("纳税证明"), KeyValue("税额", "130.00"),
                                              QrCode("TAXKIOSK:CERT:1")]), copies=2)
    assert second.path != job.path and second.path.name.endswith("-x2.pdf")
    assert printer.statistics["jobs"] == 2 and printer.statistics["bytes_out"] > 10_000
    assert printer.state is DeviceState.IDLE
    assert [s.state for s in statuses][:2] == [DeviceState.BUSY, DeviceState.IDLE]
    status = printer.status()
    assert status.ok and status.online


def test_missing_directory_is_no_hardware(qapp, tmp_path):
    printer = A4Printer(f"file://{tmp_path}/nowhere/")
    status = printer.status()
    assert status.error is DeviceErrorCode.NO_HARDWARE and not status.ok
    with pytest.raises(DeviceError) as err:
        printer.print_document(doc())
    assert err.value.code is DeviceErrorCode.NO_HARDWARE
    assert printer.state is DeviceState.OFFLINE


def test_without_lp_cups_is_no_hardware_with_advice(qapp, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH with no CUPS client on it
    printer = A4Printer("cups://Office_A4")
    assert printer.queue == "Office_A4" and str(printer.connection) == "cups://Office_A4"
    with pytest.raises(DeviceError) as err:
        printer.print_document(doc())
    assert err.value.code is DeviceErrorCode.NO_HARDWARE
    assert "cups-client" in err.value.message
    status = printer.status()
    assert status.error is DeviceErrorCode.NO_HARDWARE and "lpstat" in status.message
    assert printer.state is DeviceState.OFFLINE


def test_lp_command_line():
    assert lp_command("Office_A4", "/tmp/x.pdf") == [
        "lp", "-d", "Office_A4", "-n", "1", "-o", "media=A4", "--", "/tmp/x.pdf"]
    assert lp_command("hall-2", "-odd name.pdf", 3, title="certificate") == [
        "lp", "-d", "hall-2", "-n", "3", "-o", "media=A4", "-t", "certificate", "--",
        "-odd name.pdf"]
    for queue in ("", "a b", "a/b", "x;rm -rf", "a" * 128):
        with pytest.raises(ValueError):
            lp_command(queue, "/tmp/x.pdf")
    for copies in (0, 100, True, 1.0):
        with pytest.raises(ValueError):
            lp_command("q", "/tmp/x.pdf", copies)


def test_bad_queue_names_are_refused_at_configuration():
    with pytest.raises(DeviceError) as err:
        A4Printer("cups://bad queue")
    assert err.value.code is DeviceErrorCode.ILLEGAL
    with pytest.raises(DeviceError):
        A4Printer("tcp://127.0.0.1:9100")


def test_lp_answers():
    assert parse_lp_job_id("request id is Office_A4-42 (1 file(s))\n") == "Office_A4-42"
    assert parse_lp_job_id("") is None
    assert lp_error("lp: The printer or class does not exist.").code is DeviceErrorCode.NO_HARDWARE
    assert lp_error("lp: Unable to connect to server: Connection refused").code is DeviceErrorCode.OFFLINE
    assert lp_error('lp: Destination "Office_A4" is not accepting jobs.').code is DeviceErrorCode.OFFLINE
    assert lp_error("lp: Error - something new").code is DeviceErrorCode.FAILURE


def test_lpstat_answers():
    idle = parse_lpstat("printer Office_A4 is idle.  enabled since Thu 28 Nov 2024 10:00:00\n"
                        "\tAlerts: none\n")
    assert idle.ok and idle.paper == "ok"
    printing = parse_lpstat("printer Office_A4 now printing Office_A4-42.  enabled since Thu\n")
    assert printing.ok and printing.message == "printing"
    stopped = parse_lpstat("printer Office_A4 disabled since Thu 28 Nov 2024 -\n\treason unknown\n")
    assert stopped.error is DeviceErrorCode.OFFLINE and not stopped.ok
    empty = parse_lpstat("printer Office_A4 is idle.  enabled since Thu\n"
                         "\tAlerts: media-empty-error media-needed\n")
    assert empty.condition is DeviceCondition.PAPER_EMPTY and empty.paper == "empty" and not empty.ok
    jam = parse_lpstat("printer Office_A4 now printing Office_A4-43.  enabled since Thu\n"
                       "\tAlerts: media-jam-error\n")
    assert jam.condition is DeviceCondition.JAM
    door = parse_lpstat("printer P is idle.  enabled since Thu\n\tAlerts: door-open-report\n")
    assert door.condition is DeviceCondition.COVER_OPEN and door.cover_open
    assert parse_lpstat("").error is DeviceErrorCode.FAILURE


def test_file_target_is_atomic_and_leaves_no_partial_file(qapp, tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    printer = A4Printer(f"file://{target}/")
    with pytest.raises(DeviceError) as err:
        printer.print_pdf(tmp_path / "missing.pdf")
    assert err.value.code is DeviceErrorCode.ILLEGAL
    source = tmp_path / "doc.pdf"
    source.write_bytes(b"%PDF-1.4\n%%EOF\n")
    # The receiving side went away: its folder is now a plain file (fails even as root,
    # where a read-only folder would not).
    gone = tmp_path / "gone"
    gone.write_text("not a folder")
    broken = A4Printer(f"file://{gone}/")
    with pytest.raises(DeviceError) as err:
        broken.print_pdf(source)
    assert err.value.code is DeviceErrorCode.NO_HARDWARE and "not a directory" in str(err.value)
    assert not broken.status().ok
    assert os.listdir(target) == []
