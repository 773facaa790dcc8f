"""How the central service serves (issue #14 §6): uvicorn on httptools and uvloop,
chosen explicitly (refused clearly when missing), and the busiest routes on a thread
pool of their own, bounded per event loop."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import anyio
import httpx
import pytest

from central import hot_path, server
from central.server import CentralServer, protocol_options, tls_options
from central.tls_peer import PeerCertH11Protocol


def test_fast_protocols_and_mutual_tls_keeps_its_own() -> None:
    assert protocol_options({}) == {"http": "httptools", "loop": "uvloop"}
    options = protocol_options(tls_options("c.pem", "k.pem", "ca.pem"))
    # The client certificate reaches the app only through the h11 subclass.
    assert options["http"] is PeerCertH11Protocol
    assert options["loop"] == "uvloop"


def test_a_missing_fast_protocol_is_refused_by_name(monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    real = server.importlib.util.find_spec
    monkeypatch.setattr(server.importlib.util, "find_spec",
                        lambda name, *a: None if name == "uvloop" else real(name, *a))
    with pytest.raises(RuntimeError, match="uvloop not installed"):
        protocol_options({})
    with pytest.raises(RuntimeError, match="pip install uvloop"):
        CentralServer(f"sqlite:///{tmp_path}/never.db")  # refused before any file


def test_the_server_answers_on_uvloop_and_httptools(tmp_path: Path) -> None:
    with CentralServer(f"sqlite:///{tmp_path}/c.db") as central:
        assert central.serving == {"http": "httptools", "loop": "uvloop"}
        assert httpx.get(central.url + "/v1/health", timeout=5).status_code == 200


def test_hot_routes_run_in_threads_at_most_hot_threads_at_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hot_path, "HOT_THREADS", 3)
    running, peak, threads = [0], [0], set()
    lock = threading.Lock()

    def work(n: int) -> int:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
            threads.add(threading.get_ident())
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return n * 2

    async def main() -> list[int]:
        results: list[int] = []

        async def one(n: int) -> None:
            results.append(await hot_path.run_hot(work, n))

        async with anyio.create_task_group() as group:
            for n in range(12):
                group.start_soon(one, n)
        return sorted(results)

    loop_thread = threading.get_ident()
    assert anyio.run(main) == [n * 2 for n in range(12)]
    assert peak[0] == 3  # bounded, and used
    assert loop_thread not in threads  # never on the event loop's thread
