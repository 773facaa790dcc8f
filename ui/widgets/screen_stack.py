"""The main window's stack of screens, measured by the screen on show only.

Qt's QStackedLayout takes the largest size hint and the largest height-for-width of
*all* its pages. Showing a screen invalidates the window's layout, so every screen
switch measured each screen of the session again, word-wrapped labels shaped anew:
~1.7 ms of the GUI thread per switch with the 13 screens of invoice verification
(gui_max_stall_ms, #9 §5). The window's size never follows its screens (it is the
panel's, or full screen), and each screen lays itself out in the room the stack gets,
so the stack answers for the page on show alone and has no height-for-width.
"""
from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QStackedWidget


class ScreenStack(QStackedWidget):
    def hasHeightForWidth(self) -> bool:
        return False

    def sizeHint(self) -> QSize:
        page = self.currentWidget()
        return page.sizeHint() if page is not None else QSize(0, 0)

    def minimumSizeHint(self) -> QSize:
        page = self.currentWidget()
        return page.minimumSizeHint() if page is not None else QSize(0, 0)
