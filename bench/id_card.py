"""ID card read time: `read_card()` (find, select, read base info, parse) against the
simulated reader on a real pty pair. It measures the driver and the serial stack, not a
card: a real reader adds its radio exchange with the card (a few hundred ms)."""
from __future__ import annotations

import statistics
import time

from drivers.id_card.reader import IdCardReader
from drivers.simulators.id_card_sim import SimulatedIdCardReader


def measure_id_read_ms(n: int = 20) -> float:
    """Median milliseconds of `read_card()` over `n` reads (after one warm-up read)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    sim = SimulatedIdCardReader()
    try:
        sim.insert_card()
        with IdCardReader(sim.connection) as reader:
            reader.read_card()  # warm-up: imports, first-call costs
            times = []
            for _ in range(n):
                start = time.perf_counter()
                reader.read_card()
                times.append((time.perf_counter() - start) * 1000)
    finally:
        sim.close()
    return round(statistics.median(times), 2)


def measure() -> dict[str, float]:
    """The figures in the shape bench/__main__.py collects."""
    return {"id_card_read_ms": measure_id_read_ms()}


if __name__ == "__main__":
    print(f"id_card_read_ms {measure_id_read_ms()}")
