"""The dot-matrix invoice printer driver against the simulated printer, over real TCP,
a pty pair and files; positions checked on the decoded forms."""
import threading
import time

import pytest

from drivers.base import DeviceState
from drivers.errors import DeviceError, DeviceErrorCode
from drivers.invoice_printer import InvoicePrinter
from drivers.simulators.escp_decoder import decode_escp
from drivers.simulators.escp_printer_sim import SimulatedInvoicePrinter
from printing.forms import sample_invoice_values


@pytest.fixture
def sim():
    printer = SimulatedInvoicePrinter().start()
    yield printer
    printer.stop()


def make(connection, **kw):
    statuses = []
    drv = InvoicePrinter(connection, "vat_general_241x140", timeout_s=kw.pop("timeout_s", 1.0),
                         on_status=statuses.append, **kw)
    drv.statuses = statuses
    return drv


def test_print_invoice_over_tcp(sim):
    drv = make(sim.connection)
    drv.print_invoice(sample_invoice_values())
    form = sim.wait_for_forms(1, timeout=3)[0]
    assert form.find("北京某某科技有限公司").near(40.0, 30.0)
    assert form.find("深圳市某某贸易有限公司").near(40.0, 97.0)
    assert form.find("壹仟壹佰叁拾元整").near(62.0, 90.0)
    assert form.find("044031900111").near(184.0, 11.0)
    assert form.page_length_mm == pytest.approx(139.7)
    assert drv.state is DeviceState.IDLE
    assert drv.statistics["jobs"] == 1 and drv.statistics["bytes_out"] > 300
    assert [s.state for s in drv.statuses] == [DeviceState.BUSY, DeviceState.IDLE]


def test_plain_escp_dialect_and_offsets(sim):
    drv = make(sim.connection, dialect="escp", offset_x_mm=1.0, offset_y_mm=0.5)
    drv.print_invoice(sample_invoice_values())
    form = sim.wait_for_forms(1, timeout=3)[0]
    assert form.find("北京某某科技有限公司").near(41.0, 30.5)


def test_two_invoices_are_two_forms(sim):
    drv = make(sim.connection)
    values = sample_invoice_values()
    drv.print_invoice(values)
    values["invoice_number"] = "12345679"
    drv.print_invoice(values)
    forms = sim.wait_for_forms(2, timeout=3)
    assert [f.at(184.0, 17.0)[0].text for f in forms] == ["12345678", "12345679"]


def test_values_that_do_not_fit_are_refused_before_sending(sim):
    drv = make(sim.connection)
    values = sample_invoice_values()
    values["items"] = values["items"] * 3
    with pytest.raises(DeviceError) as err:
        drv.print_invoice(values)
    assert err.value.code is DeviceErrorCode.ILLEGAL
    assert sim.connections == 0
    assert drv.statistics["jobs_failed"] == 1


def test_paper_out_is_reported_offline_and_nothing_printed(sim):
    sim.paper_out = True
    drv = make(sim.connection)
    with pytest.raises(DeviceError) as err:
        drv.print_invoice(sample_invoice_values())
    assert err.value.code is DeviceErrorCode.OFFLINE
    assert "paper out" in err.value.message
    assert drv.state is DeviceState.OFFLINE
    assert sim.forms == []
    sim.paper_out = False  # paper loaded: the next job goes through
    drv.print_invoice(sample_invoice_values())
    assert len(sim.wait_for_forms(1, timeout=3)) == 1
    assert drv.state is DeviceState.IDLE


def test_stalled_printer_times_out(sim):
    sim.stall = True
    drv = make(sim.connection, timeout_s=0.3)
    start = time.monotonic()
    with pytest.raises(DeviceError) as err:
        drv.print_invoice(sample_invoice_values())
    assert err.value.code is DeviceErrorCode.TIMEOUT
    assert time.monotonic() - start < 3
    assert drv.state is DeviceState.OFFLINE


def test_powered_off_printer_is_offline_and_status_never_ok(sim):
    drv = make(sim.connection)
    st = drv.status()
    assert st.online and st.error is None and st.paper == "unknown" and not st.ok
    sim.offline = True
    st = drv.status()
    assert st.error is DeviceErrorCode.OFFLINE and not st.online
    with pytest.raises(DeviceError) as err:
        drv.print_invoice(sample_invoice_values())
    assert err.value.code is DeviceErrorCode.OFFLINE
    assert drv.statistics["open_failures"] == 2
    sim.offline = False
    drv.print_invoice(sample_invoice_values())
    assert len(sim.wait_for_forms(1, timeout=3)) == 1


def test_jobs_are_serialised(sim):
    drv = make(sim.connection)
    errors = []

    def job(n):
        values = sample_invoice_values()
        values["invoice_number"] = f"1000000{n}"
        try:
            drv.print_invoice(values)
        except DeviceError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=job, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert not errors
    forms = sim.wait_for_forms(4, timeout=3)
    assert sorted(f.at(184.0, 17.0)[0].text for f in forms) == [f"1000000{n}" for n in range(4)]
    assert all(len(job) > 300 and job.count(b"\x0c") == 1 for job in sim.jobs)


def test_serial_port(sim):
    port = sim.attach_serial(baudrate=115200)
    drv = make(port)
    drv.print_invoice(sample_invoice_values())
    form = sim.wait_for_forms(1, timeout=3)[0]
    assert form.find("北京某某科技有限公司").near(40.0, 30.0)
    assert drv.status().online


def test_serial_port_stalled_times_out(sim):
    port = sim.attach_serial(baudrate=115200)
    sim.stall = True
    drv = make(port, timeout_s=0.3)
    values = sample_invoice_values()
    with pytest.raises(DeviceError) as err:
        for _ in range(40):  # enough to fill the pty's buffer
            drv.print_invoice(values)
    assert err.value.code is DeviceErrorCode.TIMEOUT


def test_missing_serial_port_is_no_hardware():
    drv = make("serial:///dev/ttyNOSUCH0")
    with pytest.raises(DeviceError) as err:
        drv.print_invoice(sample_invoice_values())
    assert err.value.code is DeviceErrorCode.NO_HARDWARE
    assert drv.status().error is DeviceErrorCode.NO_HARDWARE


def test_file_capture(tmp_path):
    out = tmp_path / "invoice.prn"
    drv = make(f"file://{out}")
    drv.print_invoice(sample_invoice_values())
    drv.print_invoice(sample_invoice_values())
    forms = decode_escp(out.read_bytes())
    assert len(forms) == 2
    assert forms[1].find("壹仟壹佰叁拾元整").near(62.0, 90.0)
    assert drv.status().online


def test_missing_device_node_is_not_created():
    drv = make("file:///dev/usb/lpNOSUCH")
    with pytest.raises(DeviceError) as err:
        drv.print_invoice(sample_invoice_values())
    assert err.value.code is DeviceErrorCode.NO_HARDWARE


def test_usb_is_refused_with_advice():
    with pytest.raises(DeviceError, match="/dev/usb/lp0"):
        InvoicePrinter("usb://04b8:0005", "vat_general_241x140")
