"""No way out of the kiosk through Qt itself (issue #14 §2): no context menus (a long
press or right click on a text field offers Cut/Copy/Paste/Select All, and on some
platforms "Insert Unicode control character" and friends), and no file, colour or font
dialogs (a file dialog browses the whole file system).

One application-wide event filter, installed once: every widget made later is covered
too, which a per-widget `Qt.NoContextMenu` policy would not guarantee. The compositor
(cage, without -s) has no shortcuts of its own to block.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QColorDialog, QFileDialog, QFontDialog

_BLOCKED_DIALOGS = (QFileDialog, QColorDialog, QFontDialog)
_CONTEXT_MENU = QEvent.Type.ContextMenu
_SHOW = QEvent.Type.Show


class Lockdown(QObject):
    """Swallows every context-menu event and closes any file/colour/font dialog the
    moment it is shown. `blocked` counts what it stopped (for tests and the log)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.blocked = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        kind = event.type()
        if kind == _CONTEXT_MENU:
            self.blocked += 1
            return True
        if kind == _SHOW and isinstance(watched, _BLOCKED_DIALOGS):
            self.blocked += 1
            watched.reject()
            return True
        return False


def install_lockdown(app: QApplication) -> Lockdown:
    """Install the filter on `app` (once; later calls return the same one)."""
    existing = app.findChild(Lockdown)
    if isinstance(existing, Lockdown):
        return existing
    lockdown = Lockdown(app)
    app.installEventFilter(lockdown)
    return lockdown
