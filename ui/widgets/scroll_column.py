"""A column that scrolls up and down, never sideways: for content that may be taller
than the panel leaves it (a form with many fields, a result's long detail rows, in
simple mode's larger text), so the screen's minimum height no longer grows the window.

A plain QScrollArea gets this wrong both ways: its minimum width is a scroll bar's, so
a narrow layout squeezes the content and clips it on the right; and it does not tell
its layout when the content's size changes (a language switch, larger text). Here the
minimum width is the content's (plus the scroll bar), the minimum height a small floor
(`min_height`, or the content's when shorter), and a content relayout updates both.
`ensure_visible(widget)` brings a focused field into view.

`plain_area` and `entry_area` are the plain kind, for what should take just the room
its layout gives it (a list of entries, a page preview).
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtWidgets import QFrame, QLayout, QScrollArea, QVBoxLayout, QWidget

from ui.units import Units, current_units


class ScrollColumn(QScrollArea):
    """Vertical scrolling around `layout` (or a widget given later with setWidget)."""

    def __init__(self, name: str, *, layout: QLayout | None = None, min_height: int = 0,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.min_height = max(0, min_height)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        if layout is not None:
            holder = QWidget()
            holder.setObjectName(f"{name}.content")
            holder.setLayout(layout)
            self.setWidget(holder)

    def setWidget(self, widget: QWidget) -> None:  # noqa: N802 (Qt API)
        super().setWidget(widget)
        # The area sees its content's relayouts (fonts, texts) through this filter.
        widget.installEventFilter(self)
        self.updateGeometry()

    def _content_min(self) -> QSize:
        inner = self.widget()
        if inner is None:
            return QSize(0, 0)
        return inner.minimumSizeHint().expandedTo(inner.minimumSize())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        content = self._content_min()
        frame = 2 * self.frameWidth()
        bar = self.verticalScrollBar().sizeHint().width()
        height = min(self.min_height, content.height()) if self.min_height else 0
        return QSize(content.width() + frame + bar, height + frame)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        inner = self.widget()
        hint = inner.sizeHint() if inner is not None else QSize(0, 0)
        content = self._content_min().expandedTo(hint)
        frame = 2 * self.frameWidth()
        return QSize(content.width() + frame + self.verticalScrollBar().sizeHint().width(),
                     content.height() + frame)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if obj is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
        return super().eventFilter(obj, event)

    def ensure_visible(self, widget: QWidget) -> None:
        """Scroll so `widget` (inside the column) shows, with a little room around."""
        inner = self.widget()
        if inner is not None and inner.isAncestorOf(widget):
            margin = max(0, widget.height() // 2)
            self.ensureWidgetVisible(widget, 0, margin)


# What of a scrolling text stays in view at least: a few lines of body text.
TEXT_MIN_MM = 30.0


def scrolling(widget: QWidget, name: str, *, units: Units | None = None,
              min_mm: float = TEXT_MIN_MM) -> ScrollColumn:
    """`widget` (detail rows, a long text) alone in a ScrollColumn named `name`, at
    its top; add the column with a stretch so it takes the room there is."""
    column = QVBoxLayout()
    column.setContentsMargins(0, 0, 0, 0)
    column.addWidget(widget)
    column.addStretch(1)
    u = units or current_units()
    return ScrollColumn(name, layout=column, min_height=u.px(min_mm))


def plain_area(name: str, widget: QWidget) -> QScrollArea:
    """`widget` in a frameless QScrollArea named `name` that scrolls up and down only
    and, unlike ScrollColumn, asks for no more than a scroll bar's width: it takes
    the room its layout gives it (its content wraps or scales to fit)."""
    area = QScrollArea()
    area.setObjectName(name)
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return area


def entry_area(name: str, *, spacing: int | None = None) -> tuple[QScrollArea, QVBoxLayout]:
    """A plain_area for a column of list entries, and the column: entries go in above
    its closing stretch (`insertWidget(index, ...)`), so a short list sits at the top."""
    holder = QWidget()
    box = QVBoxLayout(holder)
    box.setContentsMargins(0, 0, 0, 0)
    if spacing is not None:
        box.setSpacing(spacing)
    box.addStretch(1)
    return plain_area(name, holder), box
