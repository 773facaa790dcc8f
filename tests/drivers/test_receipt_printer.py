"""The receipt printer driver against the simulated network printer, over real TCP."""
import threading
import time
from datetime import datetime

import pytest

from drivers.base import DeviceState
from drivers.errors import DeviceCondition, DeviceError, DeviceErrorCode
from drivers.receipt_printer import PrinterStatus, ReceiptPrinter, decode_status
from printing.document import Document, QrCode, Text, Cut
from printing.profiles import PROFILES
from printing.templates import queued_slip, verification_slip

NOW = datetime(2024, 11, 28, 10, 30)


def queued(ref="Q-000042", lang="zh"):
    return queued_slip(lang=lang, reference=ref, invoice_number="24312000000012345678",
                       qr_data=f"TAXKIOSK:VERIFY:{ref}", printed_at=NOW, kiosk_id="K-0001")


def verification(lang="zh"):
    return verification_slip(
        lang=lang, invoice_number="24312000000012345678", invoice_type="电子发票（普通发票）",
        outcome_label="查验一致", detail_rows=[("销售方", "北京某某科技有限公司"), ("价税合计", "1,130.00")],
        qr_data="TAXKIOSK:CHECKED:82::24312000000012345678:20240101:genuine",
        printed_at=NOW, kiosk_id="K-0001")


def make(sim, profile="default80", **kw):
    statuses = []
    drv = ReceiptPrinter(sim.connection, PROFILES[profile], timeout_s=kw.pop("timeout_s", 1.0),
                         on_status=statuses.append, **kw)
    drv.statuses = statuses
    return drv


def test_status_ok(printer_sim):
    st = make(printer_sim).status()
    assert st.ok and st.online and st.paper == "ok" and not st.cover_open and st.error is None


def test_print_queued_slip_over_tcp(printer_sim):
    drv = make(printer_sim)
    after = drv.print_document(queued())
    assert after is not None and after.ok
    doc = printer_sim.wait_for_documents(1, timeout=3)[0]
    assert doc.cut
    text = doc.text
    assert "发票查验结果" in text
    assert "已受理，联网后自动查验" in text
    assert "扫描此码查看结果" in text
    assert "Q-000042" in text
    assert doc.qr_codes == ["TAXKIOSK:VERIFY:Q-000042"]
    assert printer_sim.last_qr() == "TAXKIOSK:VERIFY:Q-000042"
    assert drv.state is DeviceState.IDLE
    assert drv.statistics["jobs"] == 1


def test_print_verification_slip_english(printer_sim):
    make(printer_sim).print_document(verification("en"))
    doc = printer_sim.wait_for_documents(1, timeout=3)[0]
    assert "发票查验结果" in doc.text and "Invoice verification result" in doc.text
    assert "北京某某科技有限公司" in doc.text
    assert doc.qr_codes == ["TAXKIOSK:CHECKED:82::24312000000012345678:20240101:genuine"]


def test_raster_profile_prints_images_with_a_readable_qr(printer_sim):
    make(printer_sim, "raster80").print_document(queued(lang="en"))
    doc = printer_sim.wait_for_documents(1, timeout=3)[0]
    assert doc.cut and doc.images
    assert "Q-000042" in doc.text  # ASCII-only lines stay text
    assert "发票查验结果" not in doc.text  # Chinese went as pictures
    assert doc.qr_codes == ["TAXKIOSK:VERIFY:Q-000042"]  # decoded from the raster image


def test_two_jobs_two_connections(printer_sim):
    drv = make(printer_sim)
    drv.print_document(queued("A-1"))
    drv.print_document(queued("B-2"))
    docs = printer_sim.wait_for_documents(2, timeout=3)
    assert [d.qr_codes[0] for d in docs] == ["TAXKIOSK:VERIFY:A-1", "TAXKIOSK:VERIFY:B-2"]
    assert printer_sim.connections == 2


def refused(printer_sim, drv, code, condition):
    with pytest.raises(DeviceError) as info:
        drv.print_document(queued())
    assert info.value.code is code
    assert info.value.extended is condition
    time.sleep(0.1)
    assert printer_sim.documents == [], "nothing may be printed after a failed status"
    return info.value


def test_paper_empty(printer_sim):
    printer_sim.paper = "empty"
    drv = make(printer_sim)
    st = drv.status()
    assert not st.ok and st.paper == "empty" and not st.online
    assert (st.error, st.condition) == (DeviceErrorCode.FAILURE, DeviceCondition.PAPER_EMPTY)
    refused(printer_sim, drv, DeviceErrorCode.FAILURE, DeviceCondition.PAPER_EMPTY)
    assert drv.state is DeviceState.ERROR
    assert drv.statuses[-1].condition is DeviceCondition.PAPER_EMPTY


def test_cover_open(printer_sim):
    printer_sim.cover_open = True
    drv = make(printer_sim)
    st = drv.status()
    assert st.cover_open and st.condition is DeviceCondition.COVER_OPEN and not st.ok
    refused(printer_sim, drv, DeviceErrorCode.FAILURE, DeviceCondition.COVER_OPEN)


def test_jam(printer_sim):
    printer_sim.jam = True
    drv = make(printer_sim)
    assert drv.status().condition is DeviceCondition.JAM
    refused(printer_sim, drv, DeviceErrorCode.FAILURE, DeviceCondition.JAM)


def test_mute_printer_is_a_timeout_never_ok(printer_sim):
    printer_sim.mute = True
    drv = make(printer_sim, timeout_s=0.4)
    t0 = time.monotonic()
    st = drv.status()
    assert time.monotonic() - t0 < 1.5
    assert not st.ok and not st.online and st.paper == "unknown"
    assert st.error is DeviceErrorCode.TIMEOUT
    err = refused(printer_sim, drv, DeviceErrorCode.TIMEOUT, None)
    assert "did not answer" in str(err)
    assert drv.state is DeviceState.OFFLINE
    assert drv.statistics["status_timeouts"] >= 2


def test_offline_printer_refuses_connections_then_comes_back(printer_sim):
    drv = make(printer_sim)
    printer_sim.offline = True
    st = drv.status()
    assert st.error is DeviceErrorCode.OFFLINE and not st.ok
    refused(printer_sim, drv, DeviceErrorCode.OFFLINE, None)
    assert drv.state is DeviceState.OFFLINE
    printer_sim.offline = False  # power back on: the next job just works
    drv.print_document(queued())
    assert len(printer_sim.wait_for_documents(1, timeout=3)) == 1
    assert drv.state is DeviceState.IDLE


def test_paper_near_end_prints_and_warns(printer_sim):
    printer_sim.paper = "near_end"
    drv = make(printer_sim)
    after = drv.print_document(queued())
    assert after.ok and after.paper == "near_end" and after.condition is DeviceCondition.PAPER_NEAR_END
    assert printer_sim.wait_for_documents(1, timeout=3)
    assert drv.statuses[-1].condition is DeviceCondition.PAPER_NEAR_END
    assert drv.statuses[-1].error is None


def test_paper_runs_out_during_the_job(printer_sim):
    drv = make(printer_sim)
    original = printer_sim.status_byte
    calls = {"n": 0}

    def flaky(n):  # the roll ends after the first status round
        calls["n"] += 1
        if calls["n"] > 3:
            printer_sim.paper = "empty"
        return original(n)

    printer_sim.status_byte = flaky
    with pytest.raises(DeviceError) as info:
        drv.print_document(queued())
    assert info.value.extended is DeviceCondition.PAPER_EMPTY
    assert "may be incomplete" in str(info.value)


def test_jobs_are_serialised(printer_sim):
    drv = make(printer_sim)
    errors = []

    def job(i):
        try:
            drv.print_document(Document([Text(f"job {i}"), QrCode(f"Q{i}"), Cut()]))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=job, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert not errors
    docs = printer_sim.wait_for_documents(4, timeout=3)
    for doc in docs:  # never interleaved: each document holds one job's text and QR
        (line,) = [ln for ln in doc.lines if ln.startswith("job")]
        assert doc.qr_codes == ["Q" + line.split()[1]]


def test_bad_document_is_illegal_and_sends_nothing(printer_sim):
    from printing.document import Barcode
    drv = make(printer_sim)
    with pytest.raises(DeviceError) as info:
        drv.print_document(Document([Barcode("发票"), Cut()]))
    assert info.value.code is DeviceErrorCode.ILLEGAL
    assert printer_sim.received_bytes == 0


def test_file_printer_writes_the_bytes(tmp_path):
    out = tmp_path / "out.bin"
    drv = ReceiptPrinter(f"file://{out}", PROFILES["default80"])
    assert drv.print_document(queued()) is None  # no back channel: no status
    from drivers.simulators.escpos_decoder import EscPosDecoder
    dec = EscPosDecoder()
    dec.feed(out.read_bytes())
    assert dec.documents[0].qr_codes == ["TAXKIOSK:VERIFY:Q-000042"]
    assert not drv.status().ok  # unknown is never OK


def test_missing_serial_port_is_no_hardware(tmp_path):
    drv = ReceiptPrinter(f"serial://{tmp_path}/ttyNONE", PROFILES["default80"], timeout_s=0.3)
    st = drv.status()
    assert st.error is DeviceErrorCode.NO_HARDWARE and not st.ok
    with pytest.raises(DeviceError) as info:
        drv.print_document(queued())
    assert info.value.code is DeviceErrorCode.NO_HARDWARE


def test_decode_status_bytes():
    ok = decode_status({1: 0x16, 2: 0x12, 4: 0x12})
    assert ok.ok and ok.paper == "ok"
    assert decode_status({1: 0x1E, 2: 0x32, 4: 0x72}).paper == "empty"
    assert decode_status({1: 0x16, 2: 0x12, 4: 0x1E}).condition is DeviceCondition.PAPER_NEAR_END
    assert decode_status({1: 0x1E, 2: 0x12, 4: 0x12}).error is DeviceErrorCode.OFFLINE
    assert isinstance(ok, PrinterStatus)


def test_serial_printer_over_a_pty(printer_sim):
    connection = printer_sim.attach_serial(baudrate=115200)
    drv = ReceiptPrinter(connection, PROFILES["default80"], timeout_s=1.0)
    assert drv.status().ok
    drv.print_document(queued("S-1"))
    (doc,) = printer_sim.wait_for_documents(1, timeout=3)
    assert "已受理，联网后自动查验" in doc.text and doc.qr_codes == ["TAXKIOSK:VERIFY:S-1"]
    printer_sim.cover_open = True
    with pytest.raises(DeviceError) as info:
        drv.print_document(queued("S-2"))
    assert info.value.extended is DeviceCondition.COVER_OPEN
    printer_sim.cover_open = False
    printer_sim.mute = True
    st = drv.status()
    assert st.error is DeviceErrorCode.TIMEOUT and not st.ok
