"""Memory after start (#9 §5, RSS <= 200 MB), without an RSS assertion: once `kiosk run`
has attached its core, checked its receipt printer and warmed up, what costs memory and
is not needed yet has not been loaded.

- python-escpos (~8 MiB, its capability database): loaded at the first print, not by
  the printer's status queries (drivers/receipt_printer.py);
- Qt Quick / QML (~24 MiB, the on-screen keyboard's engine): mounted when the first
  text field needs it (ui/widgets/keyboard_dock.py);
- invoice verification's screens: the warm-up renders attract and home only.

The kiosk runs as in a hall: a real `kiosk run --config FILE` process with a receipt
printer on TCP (the ESC/POS simulator, in this process). A sitecustomize.py on
PYTHONPATH starts a thread in the kiosk that, once the core is attached (the window
imported the home screen) and this test says the printer answered, writes the names in
sys.modules to a file.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from drivers.simulators.escpos_printer_sim import SimulatedReceiptPrinter

ROOT = Path(__file__).resolve().parents[2]

NOT_YET = ("escpos.escpos", "escpos.printer", "escpos.capabilities", "PySide6.QtQuick",
           "PySide6.QtQml", "PySide6.QtQuickWidgets", "ui.widgets.virtual_keyboard",
           "ui.screens.invoice_verify")

SITECUSTOMIZE = """\
import json, os, sys, threading, time

_out = os.environ["START_MODULES_OUT"]


def _dump():
    while not os.path.exists(_out + ".go"):
        time.sleep(0.05)
    while "ui.screens.home" not in sys.modules:
        time.sleep(0.05)
    time.sleep(1.5)  # attach_core goes on (keyboard, warm-up) on the GUI thread
    with open(_out + ".tmp", "w", encoding="utf-8") as f:
        json.dump(sorted(sys.modules), f)
    os.replace(_out + ".tmp", _out)


threading.Thread(target=_dump, daemon=True).start()
"""


def test_after_start_escpos_qml_and_service_screens_are_not_loaded(tmp_path: Path) -> None:
    hook_dir = tmp_path / "hook"
    hook_dir.mkdir()
    (hook_dir / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    out = tmp_path / "modules.json"
    printer = SimulatedReceiptPrinter().start()
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(f"""\
data_dir = "{tmp_path / 'data'}"
[central]
urls = ["http://127.0.0.1:9"]
[devices.receipt_printer]
kind = "receipt_printer"
connection = "{printer.connection}"
profile = "default80"
""", encoding="utf-8")
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen", "START_MODULES_OUT": str(out),
                        "PYTHONPATH": os.pathsep.join(
                            [str(hook_dir), *filter(None, [os.environ.get("PYTHONPATH")])])}
    log = (tmp_path / "kiosk.log").open("w+", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "--log-json", "run", "--config",
                             str(cfg)], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=log, text=True)
    try:
        deadline = time.monotonic() + 90
        # The printer's status query at start: the path that used to load python-escpos.
        while '"receipt_printer: idle"' not in (tmp_path / "kiosk.log").read_text("utf-8"):
            assert proc.poll() is None, (tmp_path / "kiosk.log").read_text("utf-8")[-2000:]
            assert time.monotonic() < deadline, "the receipt printer never came up"
            time.sleep(0.1)
        Path(str(out) + ".go").touch()
        while not out.exists():
            assert proc.poll() is None, (tmp_path / "kiosk.log").read_text("utf-8")[-2000:]
            assert time.monotonic() < deadline, "the core was never attached"
            time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
        printer.stop()
    modules = set(json.loads(out.read_text(encoding="utf-8")))
    assert "ui.screens.home" in modules  # the hook did see the attached core
    assert "drivers.receipt_printer" in modules  # and the printer's driver
    assert sorted(m for m in NOT_YET if m in modules) == []
