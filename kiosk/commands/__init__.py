"""Sub-commands of `kiosk`, one module per area. Each module may define
`register(subparsers)` (new top-level commands) and `register_queue(queue_subparsers)`
(more `kiosk queue ...` commands); `kiosk.cli` discovers the modules here."""
from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def command_modules() -> list[ModuleType]:
    return [importlib.import_module(f"{__name__}.{m.name}")
            for m in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name)]
