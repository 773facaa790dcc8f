"""Cold start guard (#9 §5), without a timing assertion: when `kiosk run` paints its
attract screen and sends READY=1, the heavy libraries of the core are not loaded yet.

They load afterwards, on the core loader's thread (ui/core_loader.py). One careless
module-level import on the boot path (the config, the launcher, the main window, the
attract screen) brings them back before the first paint: importing pydantic alone
added ~100 ms to the cold start (config -> offline_queue.wire, fixed in #9).

The kiosk runs as in a hall, a real `kiosk run --config FILE` process; a
sitecustomize.py on PYTHONPATH adds an audit hook that, when the process connects to
$NOTIFY_SOCKET (READY=1), writes the names in sys.modules to a file.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Loaded by the core (kiosk.app), never before the first paint.
HEAVY = ("pydantic", "pydantic_core", "sqlalchemy", "alembic", "cryptography", "escpos",
         "httpx", "PIL", "numpy", "serial", "usb", "qrcode", "reportlab",
         "kiosk.app", "kiosk.central_client", "offline_queue.outbox", "offline_queue.wire",
         "offline_queue.crypto", "drivers.manager", "central")

# Every first-party module the boot path may load before the attract screen's first
# paint (#9 §5: 1.3x a bare PySide6 window's CPU time). A module that is not here loads
# after READY=1: the core (ui.core_loader, kiosk.app), the other screens, the header,
# the idle overlay. Adding one costs every start: measure it first (python -m bench
# --only cold_start) and say why in docs/design.md.
ALLOWED_AT_FIRST_PAINT = frozenset({
    "kiosk", "kiosk.cli", "kiosk.config", "kiosk.frozen", "kiosk.hall_time",
    "kiosk.launcher", "kiosk.lean_imports", "kiosk.log", "kiosk.services",
    "kiosk.services.catalogue", "kiosk.watchdog",
    "offline_queue", "offline_queue.redact",
    "ui", "ui.i18n", "ui.icons", "ui.idle", "ui.layout", "ui.main_window", "ui.notify",
    "ui.pyside_feature", "ui.screens", "ui.screens.attract", "ui.screens.base",
    "ui.theme", "ui.units", "ui.widgets", "ui.widgets.adaptive", "ui.widgets.buttons",
    "ui.widgets.illustration", "ui.widgets.item_layout", "ui.widgets.offline_banner",
    "ui.widgets.screen_stack",
})
FIRST_PARTY = ("kiosk", "ui", "offline_queue", "drivers", "central", "printing")
# Standard-library modules the boot path must not load either: zoneinfo loads sysconfig
# (~2.5 ms) and is needed only when a time is shown (kiosk.hall_time).
STDLIB_LATER = ("zoneinfo", "sysconfig", "sqlite3", "uuid", "ssl")

SITECUSTOMIZE = """\
import json, os, sys

_out = os.environ["COLD_START_MODULES_OUT"]
_addr = os.environ["NOTIFY_SOCKET"]


def _hook(event, args):
    if event == "socket.connect" and args[1] == _addr and not os.path.exists(_out):
        with open(_out, "w", encoding="utf-8") as f:
            # None: a module kept out on purpose (kiosk.lean_imports), not loaded.
            json.dump(sorted(k for k, v in sys.modules.items() if v is not None), f)
        # PySide creates a class at its first use: those in a module's namespace are
        # the ones the boot path has used.
        classes = {name: sorted(k for k, v in vars(sys.modules[name]).items()
                                if isinstance(v, type))
                   for name in ("PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets")
                   if name in sys.modules}
        with open(_out + ".classes.json", "w", encoding="utf-8") as f:
            json.dump(classes, f)


sys.addaudithook(_hook)
"""


def _modules_at_ready(tmp_path: Path, *extra: str) -> list[str]:
    hook_dir = tmp_path / "hook"
    hook_dir.mkdir()
    (hook_dir / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    out = tmp_path / "modules.json"
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(f'data_dir = "{tmp_path / "data"}"\n{"".join(extra)}'
                   '[central]\nurls = ["http://127.0.0.1:9"]\n', encoding="utf-8")
    sock_path = tmp_path / "notify.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(sock_path))
        sock.settimeout(90)
        env = os.environ | {"QT_QPA_PLATFORM": "offscreen", "NOTIFY_SOCKET": str(sock_path),
                            "COLD_START_MODULES_OUT": str(out),
                            "PYTHONPATH": os.pathsep.join(
                                [str(hook_dir), *filter(None, [os.environ.get("PYTHONPATH")])])}
        proc = subprocess.Popen([sys.executable, "-m", "kiosk", "run", "--config", str(cfg)],
                                env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        try:
            while b"READY=1" not in sock.recv(256):
                pass
        finally:
            proc.terminate()
            _, stderr = proc.communicate(timeout=30)
    assert out.exists(), f"the hook wrote nothing; kiosk stderr:\n{stderr[-2000:]}"
    modules: list[str] = json.loads(out.read_text(encoding="utf-8"))
    return modules


def _heavy(modules: list[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


def test_first_paint_loads_none_of_the_core_libraries(tmp_path: Path) -> None:
    modules = _modules_at_ready(tmp_path)
    assert "ui.screens.attract" in modules  # the hook did see the first paint
    assert _heavy(modules) == []


def test_a_hall_id_in_the_config_loads_no_wire_models(tmp_path: Path) -> None:
    """The `hall_id` check uses the shared pattern, not the pydantic wire models."""
    modules = _modules_at_ready(tmp_path, 'hall_id = "hall-0101"\n')
    assert _heavy(modules) == []


def test_first_paint_builds_no_qt_namespace(tmp_path: Path) -> None:
    """PySide builds the whole `Qt` namespace (~90 enums, ~15 ms of a ~150 ms start) at
    its first use, and classes such as QIcon or the text editors at theirs: the attract
    screen needs none of them, so none exists before its first paint (ui.theme
    align_center; the window's queued connections and blank cursor come after)."""
    modules = _modules_at_ready(tmp_path)
    assert "ui.screens.attract" in modules
    classes = json.loads((tmp_path / "modules.json.classes.json").read_text(encoding="utf-8"))
    assert "QLabel" in classes["PySide6.QtWidgets"]  # the hook saw the created classes
    assert "Qt" not in classes["PySide6.QtCore"]
    assert "QIcon" not in classes["PySide6.QtGui"]
    assert not {"QLineEdit", "QPlainTextEdit", "QTextEdit"} & set(classes["PySide6.QtWidgets"])


def test_first_paint_loads_only_the_allowed_first_party_modules(tmp_path: Path) -> None:
    """The regression guard of the cold start's module set: anything first-party beyond
    ALLOWED_AT_FIRST_PAINT, or zoneinfo and the like, now loads before the first paint."""
    modules = _modules_at_ready(tmp_path)
    assert "ui.screens.attract" in modules
    first_party = {m for m in modules if m.split(".")[0] in FIRST_PARTY}
    assert sorted(first_party - ALLOWED_AT_FIRST_PAINT) == []
    assert sorted(m for m in modules if m.split(".")[0] in STDLIB_LATER) == []
