"""The dependency direction of docs/design.md, checked on every module's imports:
`ui -> kiosk -> {drivers, printing, offline_queue}`, `central -> offline_queue`; only
ui/ imports Qt widgets. A lower layer importing a higher one fails here."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# package -> top-level packages it must never import
FORBIDDEN = {
    "drivers": {"kiosk", "ui", "central"},  # printers render printing/ documents
    "printing": {"kiosk", "ui", "central", "drivers", "offline_queue"},
    "offline_queue": {"kiosk", "ui", "central", "drivers", "printing"},
    "central": {"kiosk", "ui", "drivers", "printing"},
    "kiosk": {"ui"},
}
# Documented exceptions (module -> package): central's admin CLI hashes a staff PIN with
# the kiosk's credential format (docs/design.md, kiosk/staff); the composition roots
# (`kiosk run`, the scenario runner) build the window.
ALLOWED = {("central/cli.py", "kiosk"), ("kiosk/launcher.py", "ui"),
           ("kiosk/launcher.py", "PySide6"), ("kiosk/scenario/runner.py", "ui"),
           ("kiosk/scenario/runner.py", "PySide6"), ("kiosk/scenario/screenshots.py", "ui"),
           ("kiosk/scenario/screenshots.py", "PySide6")}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def _modules(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts
                  or p.name != "env.py")


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_lower_layers_never_import_higher_ones(package: str) -> None:
    bad = []
    for path in _modules(package):
        rel = path.relative_to(ROOT).as_posix()
        for name in _imports(path):
            top = name.split(".")[0]
            if top in FORBIDDEN[package] and (rel, top) not in ALLOWED:
                bad.append(f"{rel} imports {name}")
            if name.startswith("PySide6.QtWidgets") and (rel, "PySide6") not in ALLOWED:
                bad.append(f"{rel} imports Qt widgets ({name})")
    assert not bad, "\n".join(bad)
