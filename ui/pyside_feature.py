"""PySide's `__feature__` import hook without the copy of every module's source.

Once PySide6 is imported, its import hook asks of every module imported after it
whether the module uses PySide (PYSIDE-2029, `shibokensupport.feature`), by searching
`inspect.getsource(module)` for "PySide6". inspect reads the file through `linecache`,
which keeps every line of it for the life of the process: the kiosk's core imports
SQLAlchemy, pydantic and the rest after PySide, and the process kept ~180,000 lines
(~20 MiB) of their source for months (#9, RSS after start 161 or 181 MiB from run to
run, depending on the thread the core's imports ran on). It also costs ~5 ms of the
cold start for the UI modules imported before the first paint.

`install()` swaps in the same test, "PySide6" in the module's source file, read as
bytes and dropped at once. Modules without a .py file go to PySide's own function.
If a future PySide has no such hook, nothing is changed.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

_MARK = "_kiosk_source_read"


def install() -> bool:
    """Replace the hook's source test; True when PySide has one (after PySide6 is
    imported), False (and nothing changed) otherwise."""
    feature: Any = sys.modules.get("shibokensupport.feature")
    upstream: Callable[[ModuleType], bool] | None = getattr(feature, "_mod_uses_pyside", None)
    if upstream is None:
        return False
    if getattr(upstream, _MARK, False):
        return True

    def mod_uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return upstream(module)
        try:
            with open(path, "rb") as source:
                return b"PySide6" in source.read()
        except OSError:
            return upstream(module)

    setattr(mod_uses_pyside, _MARK, True)
    feature._mod_uses_pyside = mod_uses_pyside
    return True
