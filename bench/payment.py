"""Card payment figures (issue #11 §6), on the simulated hall: the central service on
loopback, the MIS-POS payment terminal simulator on a real pty at 115200 baud (the
cardholder instant: the figure is the kiosk's and the line's, not a person's), the
receipt printer simulator on TCP.

- `card_payment_end_to_end_ms`: the taxpayer confirms (pay_card called) -> the
  电子缴款凭证 is printed (its serial number read back from the printer simulator):
  sign-in, sale, order states committed, the `tax.payment` record synced and booked
  by central, the voucher laid out and printed. Median of several payments, each on a
  fresh hall (a debt is paid once).
- `payment_recovery_ms`: a kiosk restarted on the data directory of one that lost the
  terminal's answer (order `unknown`) -> the order resolved from the terminal's record
  (query by reference): KioskCore start included, as the taxpayer waits for it.
"""
from __future__ import annotations

import statistics
import tempfile
import threading
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

SAMPLES = 5


def _config(hall: Any, data: Path) -> Any:
    from kiosk.config import parse_config

    base = parse_config({"data_dir": str(data), "kiosk_id": "bench-pay",
                         "sync": {"interval_s": 0.2}, "payment": {"record_wait_s": 15.0}})
    base = replace(base, central=replace(base.central, offline_grace_s=0.0))
    return hall.kiosk_config(base)


def _request(hall: Any) -> Any:
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    from central.db import Arrear
    from central.demo_data import DEMO_ENTERPRISE_TIN
    from central.verification import china_today
    from kiosk.domain.late_fee import late_fee
    from kiosk.payments.model import PaymentItem, PaymentRequest

    engine = create_engine(hall.central.db_url)
    with Session(engine) as s:
        rows = s.execute(select(Arrear).where(Arrear.tin == DEMO_ENTERPRISE_TIN,
                                              Arrear.amount > 0)).scalars().all()
        items = []
        for row in rows:
            fee = late_fee(row.amount, row.due_on, china_today())  # central checks by China's day
            items.append(PaymentItem(kind="arrear", ref=row.tax_kind, label_zh=row.tax_kind,
                                     label_en="tax", period=row.period, tax=fee.tax,
                                     late_fee=fee.fee, due_on=row.due_on))
    engine.dispose()
    return PaymentRequest(service_id="tax.pay", items=tuple(items),
                          business={"kind": "arrears"}, tin=DEMO_ENTERPRISE_TIN)


def _wait(predicate: Any, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.002)
    return False


def measure_end_to_end_ms() -> float:
    from kiosk.app import KioskCore
    from kiosk.payments.slips import outcome_document
    from kiosk.simulation import SimulatedHall

    times = []
    for _ in range(SAMPLES):
        with tempfile.TemporaryDirectory(prefix="bench-pay-") as tmp:
            hall = SimulatedHall(Path(tmp) / "hall").start()
            try:
                assert hall.payment.baudrate == 115200
                core = KioskCore(_config(hall, Path(tmp) / "kiosk")).start()
                try:
                    assert core.payments.ready.wait(30)
                    request = _request(hall)
                    printed_before = len(hall.printer.all_text())
                    start = time.perf_counter()
                    outcome = core.payments.pay_card(request)
                    if outcome.state != "recorded":
                        raise RuntimeError(f"bench payment ended {outcome.state}")
                    order = core.payments.store.get(outcome.order_id)
                    doc = outcome_document(order, lang="zh", name="北*示例", kiosk_id="bench",
                                           printed_at=datetime.now())
                    if doc is None:
                        raise RuntimeError("no voucher for a recorded payment")
                    core.slips.print_document(doc)
                    voucher = str(outcome.voucher_no)
                    printer, mark = hall.printer, printed_before
                    if not _wait(lambda v=voucher, p=printer, m=mark:
                                 v in p.all_text()[m:], 10):
                        raise RuntimeError("the voucher never reached the printer")
                    times.append((time.perf_counter() - start) * 1000)
                finally:
                    core.stop()
            finally:
                hall.stop()
    return round(statistics.median(times), 1)


def measure_recovery_ms() -> float:
    from kiosk.app import KioskCore
    from kiosk.simulation import SimulatedHall

    times = []
    with tempfile.TemporaryDirectory(prefix="bench-pay-rec-") as tmp:
        hall = SimulatedHall(Path(tmp) / "hall").start()
        try:
            config = _config(hall, Path(tmp) / "kiosk")
            request = _request(hall)
            for _ in range(SAMPLES):
                core = KioskCore(config).start()
                try:
                    assert core.payments.ready.wait(30)
                    core.driver("payment_terminal").transaction_timeout_s = 1.0
                    sim = hall.payment
                    sim.slow_s = 0.3
                    out: list[Any] = []
                    payer = threading.Thread(
                        target=lambda o=out, c=core: o.append(c.payments.pay_card(request)))
                    payer.start()
                    _wait(lambda s=sim: s.in_transaction, 10)
                    sim.mute = True  # the answer is lost: the order stays unknown
                    payer.join(30)
                    if not out or out[0].state != "unknown":
                        raise RuntimeError("bench: the order did not stay unknown")
                    order_id = out[0].order_id
                finally:
                    driver = core.driver("payment_terminal")
                    core.stop()
                    # What a process exit does at once: the core's background
                    # resolution ends (it sees the store closed) and the port is free.
                    for thread in threading.enumerate():
                        if thread.name == "payments-resolve":
                            thread.join(30)
                    driver.close()
                sim.mute = False
                sim.slow_s = 0.0
                start = time.perf_counter()
                core = KioskCore(config).start()  # the restart
                try:
                    if not _wait(lambda c=core, o=order_id: c.payments.store.get(o).state
                                 not in ("sent", "unknown"), 30):
                        raise RuntimeError("bench: the unknown order was not resolved")
                    times.append((time.perf_counter() - start) * 1000)
                    core.payments.settle()  # (voided after the first: the debt is paid)
                finally:
                    core.stop()
        finally:
            hall.stop()
    return round(statistics.median(times), 1)


def measure() -> dict[str, Any]:
    return {"card_payment_end_to_end_ms": measure_end_to_end_ms(),
            "payment_recovery_ms": measure_recovery_ms()}
