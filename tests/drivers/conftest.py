import pytest

from drivers.simulators.escpos_printer_sim import SimulatedReceiptPrinter


@pytest.fixture
def printer_sim():
    sim = SimulatedReceiptPrinter().start()
    yield sim
    sim.stop()
