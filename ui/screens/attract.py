"""Attract screen: shown between sessions; any touch starts a session.

A welcome readable from a few steps away: the product's name large, what it offers
(the catalogue's service groups as icons), "touch to start" and, beside it (landscape)
or under it (portrait), where to hold a QR code: a scan here starts a session and
opens its service at once.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtGui import QMouseEvent, QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.services.catalogue import GROUP_TITLES, by_group
from ui import icons
from ui.theme import Space, align_center, current_theme
from ui.widgets.adaptive import OrientationBox, panel_orientation
from ui.widgets.buttons import make_button
from ui.widgets.illustration import Illustration

from .base import Screen

if TYPE_CHECKING:
    from ui.main_window import MainWindow

# The picture of each home-screen group (ui/icons).
GROUP_ICONS: Final[dict[str, str]] = {
    "invoices": "invoice-verify",
    "lookup": "taxpayer-info",
    "certificates": "certificate-print",
    "pay": "pay-tax",
    "guidance": "guide",
}
GROUP_ICON_MM: Final = 18.0

NOTICE_MS = 6000


class AttractScreen(Screen):
    screen_id = "attract"
    idle_enabled = False
    # A scan a service takes (an invoice QR: verification) starts a session and that
    # service straight away (MainWindow.deliver_scan routes it through the core).
    accepts_scans = True

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        u = window.units
        self.title = self.title_label("label.title")
        align_center(self.title)
        self.title.setProperty("textsize", "display")  # not polished yet: no re-polish
        self.subtitle = self.text_label("label.subtitle", role="subtitle")
        align_center(self.subtitle)
        # What the terminal offers: one icon per group that has a service here.
        self.group_row = QHBoxLayout()
        self.group_row.setSpacing(u.px(Space.L))
        self.group_row.addStretch(1)
        self.group_icons: dict[str, QLabel] = {}
        self.group_names: dict[str, QLabel] = {}
        for group, _members in by_group():
            cell = QWidget()
            cell.setObjectName(f"attract.group.{group.value}")
            box = QVBoxLayout(cell)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(u.px(Space.XS))
            picture = QLabel()
            picture.setObjectName(f"icon.group.{group.value}")
            align_center(picture)
            name = self.text_label(f"label.group.{group.value}")
            align_center(name)
            box.addWidget(picture)
            box.addWidget(name)
            self.group_icons[group.value] = picture
            self.group_names[group.value] = name
            self.group_row.addWidget(cell)
        self.group_row.addStretch(1)
        self._paint_icons()
        # Where to hold a QR code; a scan on this screen starts a session too.
        self.scan_panel = QFrame()
        self.scan_panel.setObjectName("panel.scan")
        self.scan_panel.setProperty("role", "card")
        pad = u.px(Space.M)
        scan_box = QVBoxLayout(self.scan_panel)
        scan_box.setContentsMargins(pad, pad, pad, pad)
        self.scan_hint = Illustration("qr-scan", units=u)
        self.scan_hint.caption.setObjectName("label.scan_hint")
        scan_box.addWidget(self.scan_hint)
        # A short note when a card that is not a staff card is tapped (maintenance mode).
        self.staff_notice = self.text_label("label.staff_notice", role="warning")
        align_center(self.staff_notice)
        self.staff_notice.hide()
        self._notice_timer = QTimer(self)
        self._notice_timer.setSingleShot(True)
        self._notice_timer.setInterval(NOTICE_MS)
        self._notice_timer.timeout.connect(self.staff_notice.hide)
        self.start = make_button("", "action.start", role="primary")
        self.start.clicked.connect(window.start_session)
        # Simple mode (长辈模式): a large button beside "touch to start", in both
        # languages at once, like the voice button (ui/elderly.py).
        self.simple = make_button("长辈模式 / Simple mode", "action.start_simple",
                                  role="primary")
        self.simple.clicked.connect(lambda: window.elderly.start_session())
        start_row = QHBoxLayout()
        start_row.setSpacing(u.px(Space.M))
        start_row.addWidget(self.start, 3)
        start_row.addWidget(self.simple, 2)
        langs = QHBoxLayout()
        langs.setSpacing(u.px(Space.M))
        self.zh = make_button("中文", "action.language.zh", role="secondary")
        self.en = make_button("English", "action.language.en", role="secondary")
        self.zh.clicked.connect(lambda: window.start_session("zh"))
        self.en.clicked.connect(lambda: window.start_session("en"))
        langs.addWidget(self.zh)
        langs.addWidget(self.en)
        # For those who cannot read the screen well: the session starts speaking.
        self.voice = make_button("语音 / Voice", "action.start_voice", role="secondary")
        self.voice.clicked.connect(lambda: window.voice.start_session_with_voice())
        langs.addWidget(self.voice)
        welcome = QVBoxLayout()
        welcome.setSpacing(u.px(Space.L))
        welcome.addStretch(2)
        welcome.addWidget(self.title)
        welcome.addWidget(self.subtitle)
        welcome.addSpacing(u.px(Space.L))
        welcome.addLayout(self.group_row)
        welcome.addStretch(2)
        self.body = OrientationBox()
        self.body.setSpacing(u.px(Space.XL))
        self.body.addLayout(welcome, 3)
        self.body.addWidget(self.scan_panel, 2)
        self.layout_.addLayout(self.body, 1)
        self.layout_.addWidget(self.staff_notice)
        self.layout_.addLayout(start_row)
        self.layout_.addLayout(langs)
        self.body.set_orientation(panel_orientation(window))
        self.retranslate()

    def retranslate(self) -> None:
        lang = self.window_.language
        self.title.setText(self.tr("Self-service tax terminal"))
        self.subtitle.setText(self.tr("Verify invoices and more. Touch the screen to start."))
        for group, label in self.group_names.items():
            zh, en = next(v for g, v in GROUP_TITLES.items() if g.value == group)
            label.setText(zh if lang == "zh" else en)
        self.scan_hint.set_caption(self.tr(
            "Have an invoice? Hold its QR code under the scanner below the screen: "
            "verification starts at once."))
        self.start.setText(self.tr("Touch to start"))
        self.start.setAccessibleName(self.tr("Start"))
        self.zh.setAccessibleName("中文")
        self.en.setAccessibleName("English")
        # Both languages at once: whoever taps it may read neither well.
        self.voice.setAccessibleName("语音引导 / Voice guidance")
        self.simple.setAccessibleName("长辈模式：大字、每屏一个操作 / "
                                      "Simple mode: larger text, one action per screen")

    def _paint_icons(self) -> None:
        theme = current_theme()
        size = theme.units.px(GROUP_ICON_MM)
        for group, picture in self.group_icons.items():
            picture.setPixmap(icons.pixmap(GROUP_ICONS.get(group, "info"), size,
                                           theme.palette.primary))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.ApplicationPaletteChange:
            self._paint_icons()  # high contrast on or off
        super().changeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.body.set_orientation(panel_orientation(self.window_))
        super().resizeEvent(event)

    def show_staff_notice(self, text: Callable[[], str]) -> None:
        """Shown for a few seconds; the card opened nothing."""
        self.staff_notice.setText(text())
        self.staff_notice.show()
        self._notice_timer.start()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self.window_.start_session()
