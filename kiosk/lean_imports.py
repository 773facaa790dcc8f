"""Keeps optional modules the kiosk never uses out of the `kiosk run` process.

Some libraries import an optional extra when it happens to be installed, and a kiosk
process keeps whatever it imported for months:

- httpx imports its command-line client (`httpx._main`: click, rich, pygments; several
  MiB and ~24 ms) whenever those are installed, as they are in a development venv for
  the tests. `httpx/__init__.py` catches the ImportError and defines a stub `main`.
- httpcore imports trio (~7 MiB) when it is installed (a test extra, for selenium) to
  support trio event loops; the kiosk's HTTP client is synchronous.
  `httpcore/_synchronization.py` and `httpcore/__init__.py` catch the ImportError.

A production install has neither, so this only makes a development run measure and
behave like the hall's. A `None` entry in sys.modules makes `import name` raise
ModuleNotFoundError (an ImportError) at once. Never call this in a test process:
selenium needs trio there.
"""
from __future__ import annotations

import sys

# Module names a `kiosk run` process must not load; each importer handles their absence.
KEPT_OUT = ("trio", "httpx._main")


def install() -> None:
    """Block the modules of KEPT_OUT; those already imported stay (nothing to save)."""
    for name in KEPT_OUT:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
