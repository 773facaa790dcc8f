"""Helpers shared by the integration tests (a unique module name: conftest is not)."""
from __future__ import annotations

from ui.main_window import MainWindow


def visible_text(window: MainWindow) -> str:
    from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit

    return "\n".join(w.text() for cls in (QLabel, QAbstractButton, QLineEdit)
                     for w in window.findChildren(cls) if w.isVisible() and w.text())
