"""A button whose text wraps to its width (list entries: a title and a line of what
it is). QPushButton never wraps: a long entry made its screen wider than the panel.

The text is broken into lines at word boundaries (anywhere between CJK characters)
for the width the layout gives, and the button grows as tall as its lines need.
`text()` answers the text as set, without the breaks, so automation and tests read
what the entry says.
"""
from __future__ import annotations

import re

from PySide6.QtCore import QSize
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QPushButton, QSizePolicy, QWidget

# A word with the spaces after it, or one CJK character (Chinese breaks between them).
_TOKEN = re.compile(r"[\u3000-\u9fff\uff00-\uffef]|[^\s\u3000-\u9fff\uff00-\uffef]+\s*|\s+")


def wrap_lines(text: str, metrics: QFontMetrics, width: int) -> list[str]:
    """`text` broken into lines no wider than `width` where a break is possible (a
    single word wider than `width` stays whole)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for token in _TOKEN.findall(paragraph):
            if line and metrics.horizontalAdvance((line + token).rstrip()) > width:
                lines.append(line.rstrip())
                line = token.lstrip()
            else:
                line += token
        lines.append(line.rstrip())
    return lines


class WrapButton(QPushButton):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._floor = 0  # the minimum height asked for (make_button: the touch target)
        policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
        self.setSizePolicy(policy)
        self.setStyleSheet("text-align: left;")

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:
        self._text = text
        self._rewrap()

    def setMinimumHeight(self, height: int) -> None:
        self._floor = height
        QPushButton.setMinimumHeight(self, max(height, super().sizeHint().height()))

    def minimumSizeHint(self) -> QSize:
        # As narrow as the layout likes; as tall as the wrapped lines.
        return QSize(0, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._rewrap()

    def _rewrap(self) -> None:
        metrics = self.fontMetrics()
        shown = QPushButton.text(self)
        # The style's padding and frame: the hint's width beyond the widest line.
        widest = max((metrics.horizontalAdvance(x) for x in shown.split("\n")), default=0)
        chrome = max(0, super().sizeHint().width() - widest)
        room = max(1, self.width() - chrome)
        wrapped = "\n".join(wrap_lines(self._text, metrics, room))
        if wrapped != shown:
            QPushButton.setText(self, wrapped)
            # Explicit minimum: a squeezed layout must not cut the lines off.
            QPushButton.setMinimumHeight(self, max(self._floor, super().sizeHint().height()))
            self.updateGeometry()
