"""The hall's devices in a process of their own: the serial scanner simulator on a pty
pair and the TCP receipt printer simulator (ESC/POS, decoded), driven over stdin.

    python -m bench.sim_host

It prints one JSON line with the connection strings a kiosk config needs:

    {"scanner": "serial://...?baudrate=9600", "printer": "tcp://127.0.0.1:PORT"}

then answers one JSON line per command line on stdin:

    scan TEXT          the scanner sends TEXT + CR LF          -> {"ok": true}
    docs N TIMEOUT     wait until N slips were cut, at most TIMEOUT seconds
                       -> {"ok": true, "documents": n, "cut": [...]} (summary of slips
                          N.. only: line count and QR payload count, no printed text)
    count              -> {"ok": true, "documents": n}
    quit               stops the simulators and exits (so does end of input)

Bad input gets {"ok": false, "error": "..."} and changes nothing. Used by bench/rss.py,
so that the process measured runs the kiosk alone.
"""
from __future__ import annotations

import json
import sys
from typing import Any

from drivers.simulators.escpos_printer_sim import SimulatedReceiptPrinter
from drivers.simulators.serial_scanner_sim import SimulatedSerialScanner


def _reply(answer: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()


def _handle(line: str, scanner: SimulatedSerialScanner,
            printer: SimulatedReceiptPrinter) -> bool:
    """Run one command; False when the host should stop."""
    verb, _, rest = line.partition(" ")
    if verb == "quit":
        return False
    if verb == "scan":
        if not rest:
            raise ValueError("scan needs the text to send")
        scanner.scan(rest)
        _reply({"ok": True})
    elif verb == "count":
        _reply({"ok": True, "documents": len(printer.documents)})
    elif verb == "docs":
        parts = rest.split()
        if len(parts) != 2:
            raise ValueError("docs needs N and TIMEOUT")
        n, timeout = int(parts[0]), float(parts[1])
        if n < 0 or timeout < 0:
            raise ValueError("N and TIMEOUT must be >= 0")
        try:
            docs = printer.wait_for_documents(n, timeout)
        except TimeoutError as exc:
            _reply({"ok": False, "error": str(exc), "documents": len(printer.documents)})
            return True
        # Only the shape of the new slips: the printed text holds invoice data.
        cut = [{"lines": len(d.lines), "qr_codes": len(d.qr_codes)}
               for d in docs[max(0, n - 1):]]
        _reply({"ok": True, "documents": len(docs), "cut": cut})
    else:
        raise ValueError(f"unknown command {verb!r} (scan, docs, count, quit)")
    return True


def main() -> int:
    scanner = SimulatedSerialScanner(stable_link=True)
    printer = SimulatedReceiptPrinter().start()
    try:
        _reply({"scanner": scanner.connection, "printer": printer.connection})
        for raw in sys.stdin:
            line = raw.strip()
            if not line:
                continue
            try:
                if not _handle(line, scanner, printer):
                    break
            except (ValueError, OSError) as exc:
                _reply({"ok": False, "error": str(exc)})
    finally:
        printer.stop()
        scanner.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
