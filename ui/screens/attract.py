"""Attract screen: shown between sessions; any touch starts a session."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QHBoxLayout

from ui.widgets.buttons import make_button

from .base import Screen


NOTICE_MS = 6000


class AttractScreen(Screen):
    screen_id = "attract"
    idle_enabled = False
    # A scan a service takes (an invoice QR: verification) starts a session and that
    # service straight away (MainWindow.deliver_scan routes it through the core).
    accepts_scans = True

    def __init__(self, window) -> None:  # type: ignore[no-untyped-def]
        super().__init__(window)
        self.title = self.title_label("label.title")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.subtitle = self.text_label("label.subtitle")
        self.subtitle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # A short note when a card that is not a staff card is tapped (maintenance mode).
        self.staff_notice = self.text_label("label.staff_notice", role="warning")
        self.staff_notice.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.staff_notice.hide()
        self._notice_timer = QTimer(self)
        self._notice_timer.setSingleShot(True)
        self._notice_timer.setInterval(NOTICE_MS)
        self._notice_timer.timeout.connect(self.staff_notice.hide)
        self.start = make_button("", "action.start", role="primary")
        self.start.clicked.connect(window.start_session)
        langs = QHBoxLayout()
        self.zh = make_button("中文", "action.language.zh", role="secondary")
        self.en = make_button("English", "action.language.en", role="secondary")
        self.zh.clicked.connect(lambda: window.start_session("zh"))
        self.en.clicked.connect(lambda: window.start_session("en"))
        langs.addWidget(self.zh)
        langs.addWidget(self.en)
        self.layout_.addStretch(2)
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.subtitle)
        self.layout_.addStretch(3)
        self.layout_.addWidget(self.staff_notice)
        self.layout_.addWidget(self.start)
        self.layout_.addLayout(langs)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Self-service tax terminal"))
        self.subtitle.setText(self.tr("Verify invoices and more. Touch the screen to start."))
        self.start.setText(self.tr("Touch to start"))
        self.start.setAccessibleName(self.tr("Start"))
        self.zh.setAccessibleName("中文")
        self.en.setAccessibleName("English")

    def show_staff_notice(self, text: Callable[[], str]) -> None:
        """Shown for a few seconds; the card opened nothing."""
        self.staff_notice.setText(text())
        self.staff_notice.show()
        self._notice_timer.start()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self.window_.start_session()
