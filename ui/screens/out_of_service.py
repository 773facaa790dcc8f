"""Out of service (issue #14 §2): the full-screen notice and the staff screen that sets it.

`OutOfServiceNotice` covers the whole window while the terminal is out of service and
no staff member is using it: the reason and the nearest alternative ("请到 3 号窗口"),
always in both languages at once (a taxpayer who cannot read one must not have to find
a language switch). It takes every touch, and a taxpayer session that starts anyway
(a scan) is ended at once. The core keeps syncing and sending heartbeats underneath, so
the central service's fleet side can also bring the terminal back.

`OutOfServiceStaffScreen` (maintenance mode, role action `out_of_service`) picks a
reason and an alternative from fixed bilingual texts (no typing at a terminal in two
languages) and puts the terminal out of service or back; each change is audited.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from kiosk import log
from kiosk.out_of_service import Notice
from kiosk.staff.errors import StaffAuthError
from ui import icons
from ui.theme import Space, current_theme
from ui.units import current_units
from ui.widgets.adaptive import OrientationBox, panel_orientation
from ui.widgets.buttons import make_button

from .base import Screen

if TYPE_CHECKING:
    from kiosk.app import KioskCore
    from ui.main_window import MainWindow

_log = log.get("session")
SCREEN_ID = "out_of_service"
TITLE_ZH, TITLE_EN = "暂停服务", "Out of service"
REASON_HEADING = "原因 / Reason"
APOLOGY = "给您带来不便，敬请谅解。We apologise for the inconvenience."
# The band's icon and the callout's: landmarks seen from a few steps away.
BAND_ICON_MM, CALLOUT_ICON_MM = 20.0, 26.0

#: What staff can choose from (id, zh, en): the terminal shows both languages.
REASONS: tuple[tuple[str, str, str], ...] = (
    ("maintenance", "终端维护中", "This terminal is under maintenance"),
    ("device", "设备故障", "A device of this terminal is out of order"),
    ("paper", "打印纸已用完", "This terminal is out of paper"),
    ("network", "网络故障", "This terminal has lost its connection"),
)
ALTERNATIVES: tuple[tuple[str, str, str], ...] = (
    ("counter", "请到人工窗口办理", "Please go to a staffed counter"),
    ("other_terminal", "请使用大厅内其他自助终端", "Please use another self-service terminal in this hall"),
    ("staff", "如需帮助，请咨询导税人员", "Please ask a member of staff for help"),
)


def alternatives(nearest_counter: str) -> tuple[tuple[str, str, str], ...]:
    """The alternatives staff choose from: the hall's nearest counter first when the
    config names one (`[ui] nearest_counter`), it is the most useful direction."""
    if not nearest_counter:
        return ALTERNATIVES
    return (("nearest_counter", f"请到 {nearest_counter} 号窗口",
             f"Please go to counter {nearest_counter}"), *ALTERNATIVES)


class OutOfServiceNotice(QWidget):
    """The full-screen notice (objectName `overlay.out_of_service`): the header band's
    blue with the title and its icon, the reason, and the alternative large in a blue
    callout (where to go is what a taxpayer must take away from a glance). Reason and
    callout stand side by side on a landscape panel, stacked on a portrait one."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("overlay.out_of_service")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.window_ = window
        u = current_units()
        self.labels: dict[str, QLabel] = {}
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)

        # The band: the product header's colours, so the notice reads as the terminal's own.
        band = QFrame()
        band.setObjectName("band.out_of_service")
        band.setProperty("role", "header")
        band_box = QHBoxLayout(band)
        band_box.setContentsMargins(u.px(Space.XL), u.px(Space.L), u.px(Space.XL), u.px(Space.L))
        band_box.setSpacing(u.px(Space.L))
        self.band_icon = QLabel()
        self.band_icon.setObjectName("icon.out_of_service")
        band_box.addWidget(self.band_icon, 0, Qt.AlignmentFlag.AlignVCenter)
        titles = QVBoxLayout()
        titles.setSpacing(u.px(Space.XS))
        titles.addWidget(self._label("title_zh", textsize="display"))
        titles.addWidget(self._label("title_en", role="header-title"))
        band_box.addLayout(titles, 1)
        root.addWidget(band)

        body = QVBoxLayout()
        body.setContentsMargins(u.px(Space.XL), u.px(Space.XL), u.px(Space.XL), u.px(Space.XL))
        body.setSpacing(u.px(Space.XL))
        body.addStretch(1)
        self.content = OrientationBox()
        self.content.setSpacing(u.px(Space.XL))
        reason = QVBoxLayout()
        reason.setSpacing(u.px(Space.S))
        reason.addStretch(1)
        for name, role in (("reason_heading", "subtitle"), ("reason_zh", "title"),
                           ("reason_en", "subtitle")):
            label = self._label(name, role=role)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            reason.addWidget(label)
        reason.addStretch(1)
        self.content.addLayout(reason, 1)

        self.callout = QFrame()
        self.callout.setObjectName("callout.out_of_service.alternative")
        self.callout.setProperty("role", "callout")
        pad = u.px(Space.L)
        callout_box = QVBoxLayout(self.callout)
        callout_box.setContentsMargins(pad, pad, pad, pad)
        callout_box.setSpacing(u.px(Space.M))
        self.callout_icon = QLabel()
        self.callout_icon.setObjectName("icon.out_of_service.alternative")
        self.callout_icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        callout_box.addWidget(self.callout_icon)
        for name, size in (("alternative_zh", "display"), ("alternative_en", "title")):
            label = self._label(name, textsize=size)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            callout_box.addWidget(label)
        self.content.addWidget(self.callout, 1)
        body.addLayout(self.content)
        body.addStretch(1)
        apology = self._label("apology", role="subtitle")
        apology.setAlignment(Qt.AlignmentFlag.AlignCenter)
        body.addWidget(apology)
        root.addLayout(body, 1)

        # Always both languages at once: fixed texts, not translated.
        for name, text in (("title_zh", TITLE_ZH), ("title_en", TITLE_EN),
                           ("reason_heading", REASON_HEADING), ("apology", APOLOGY)):
            self.labels[name].setText(text)
        self._paint_icons()
        self.notice: Notice | None = None
        window.installEventFilter(self)
        self.hide()

    def _label(self, name: str, *, role: str | None = None,
               textsize: str | None = None) -> QLabel:
        label = QLabel()
        label.setObjectName(f"label.out_of_service.{name}")
        if role is not None:
            label.setProperty("role", role)
        if textsize is not None:
            label.setProperty("textsize", textsize)
        label.setWordWrap(True)
        self.labels[name] = label
        return label

    def _paint_icons(self) -> None:
        theme = current_theme()
        self.band_icon.setPixmap(icons.pixmap("out-of-service", theme.units.px(BAND_ICON_MM),
                                              theme.palette.on_header))
        self.callout_icon.setPixmap(icons.pixmap("counter", theme.units.px(CALLOUT_ICON_MM),
                                                 theme.palette.on_primary))

    def _fit(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
            self.content.set_orientation(panel_orientation(parent))

    def show_notice(self, notice: Notice) -> None:
        self.notice = notice
        for name in ("reason_zh", "reason_en", "alternative_zh", "alternative_en"):
            self.labels[name].setText(getattr(notice, name))
        self.setAccessibleName(f"{TITLE_ZH} {TITLE_EN}: {notice.reason_zh} "
                               f"{notice.alternative_zh}")
        self._paint_icons()  # the theme may have changed while it was hidden
        self._fit()
        self.show()
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self._fit()
        return False

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt naming)
        if event.type() in (QEvent.Type.ApplicationPaletteChange,
                            QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self._paint_icons()  # high contrast on or off
        super().changeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt naming)
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(current_theme().palette.background))
        painter.end()
        super().paintEvent(event)

    def mousePressEvent(self, event: object) -> None:  # noqa: N802 - every touch stops here
        return None


class OutOfServiceController(QObject):
    """Shows the notice whenever the terminal is out of service and no staff member is
    at it; the core's listener is called on any thread, hence the queued signal."""

    changed = Signal(object)  # Notice | None

    def __init__(self, window: MainWindow, core: KioskCore) -> None:
        super().__init__(window)
        self.window_ = window
        self.core = core
        self.notice = OutOfServiceNotice(window)
        self.changed.connect(self._apply, Qt.ConnectionType.QueuedConnection)
        core.out_of_service.listeners.append(self.changed.emit)
        window.screen_changed.connect(lambda _id: self._apply(core.out_of_service.current))
        window.session_started.connect(self._session_started)
        self._apply(core.out_of_service.current)

    def _staff_present(self) -> bool:
        staff = self.window_.staff
        return staff is not None and staff.active

    def _apply(self, notice: Notice | None) -> None:
        show = notice is not None and not self._staff_present() \
            and self.window_.current_screen().screen_id == "attract"
        if show and notice is not None:
            self.notice.show_notice(notice)
        else:
            self.notice.hide()
        # A taxpayer session under way finishes first; the notice shows at its end.

    def _session_started(self) -> None:
        if self.core.out_of_service.current is not None and not self._staff_present():
            _log.info("session refused: the terminal is out of service")
            QTimer.singleShot(0, lambda: self.window_.end_session("out_of_service"))


def mount_out_of_service(window: MainWindow, core: KioskCore) -> OutOfServiceController:
    return OutOfServiceController(window, core)


class OutOfServiceStaffScreen(Screen):
    """Maintenance mode: take the terminal out of service, or bring it back."""

    screen_id = SCREEN_ID
    staff_screen = True
    idle_kind = "reading"

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        u = window.units
        self.layout_.setSpacing(u.px(3))
        self.title = self.title_label("label.title")
        self.state = self.text_label("label.out_of_service.state", role="subtitle")
        self.reason_heading = self.text_label("label.heading.reason", role="subtitle")
        self.alternative_heading = self.text_label("label.heading.alternative",
                                                   role="subtitle")
        self.error = self.text_label("label.error", role="muted")
        self.error.hide()
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.state)
        self.reasons = QButtonGroup(self)
        self.alternatives = QButtonGroup(self)
        self.alternative_choices = alternatives(window.config.ui.nearest_counter)
        for heading, group, choices, prefix in (
                (self.reason_heading, self.reasons, REASONS, "reason"),
                (self.alternative_heading, self.alternatives, self.alternative_choices,
                 "alternative")):
            self.layout_.addWidget(heading)
            grid = QGridLayout()
            grid.setSpacing(u.px(2))
            for i, (choice_id, zh, en) in enumerate(choices):
                button = make_button(f"{zh}\n{en}", f"choice.{prefix}.{choice_id}",
                                     role="secondary")
                button.setCheckable(True)
                button.setChecked(i == 0)
                group.addButton(button, i)
                grid.addWidget(button, i // 2, i % 2)
            self.layout_.addLayout(grid)
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.error)
        self.apply_button = make_button("", "action.out_of_service", role="danger")
        self.apply_button.clicked.connect(self.take_out_of_service)
        self.clear_button = make_button("", "action.back_in_service", role="primary")
        self.clear_button.clicked.connect(self.back_in_service)
        self.back = make_button("", "action.maintenance", role="secondary")
        self.back.clicked.connect(lambda: window.show_screen("maintenance"))
        for button in (self.apply_button, self.clear_button, self.back):
            self.layout_.addWidget(button)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Out of service"))
        self.reason_heading.setText(self.tr("Reason"))
        self.alternative_heading.setText(self.tr("Where taxpayers can go instead"))
        self.apply_button.setText(self.tr("Take this terminal out of service"))
        self.clear_button.setText(self.tr("Back in service"))
        self.back.setText(self.tr("Back to maintenance"))
        self._render_state()

    def on_enter(self) -> None:
        self.error.hide()
        self._render_state()

    def _render_state(self) -> None:
        core = self.window_.core
        current = core.out_of_service.current if core is not None else None
        english = self.window_.language == "en"
        reason = "" if current is None else current.reason_en if english else current.reason_zh
        if current is None:
            self.state.setText(self.tr("This terminal is in service."))
        elif current.source == "central":
            self.state.setText(self.tr("Out of service, set by the central service: %1")
                               .replace("%1", reason))
        else:
            self.state.setText(self.tr("Out of service, set in this hall: %1")
                               .replace("%1", reason))
        local = core.out_of_service.local if core is not None else None
        self.clear_button.setEnabled(local is not None)

    def _act(self, action: str, detail: dict[str, str]) -> bool:
        staff = self.window_.staff
        core = self.window_.core
        if staff is None or core is None or staff.session is None or core.staff is None:
            return False
        try:
            core.staff.record(staff.session, "out_of_service", {**detail, "change": action})
        except StaffAuthError:
            self.error.setText(self.tr("Not for your role"))
            self.error.show()
            return False
        return True

    def take_out_of_service(self) -> None:
        reason = REASONS[max(0, self.reasons.checkedId())]
        alternative = self.alternative_choices[max(0, self.alternatives.checkedId())]
        if not self._act("out", {"reason": reason[0], "alternative": alternative[0]}):
            return
        core = self.window_.core
        assert core is not None
        core.out_of_service.set_local({"reason_zh": reason[1], "reason_en": reason[2],
                                       "alternative_zh": alternative[1],
                                       "alternative_en": alternative[2]})
        self._render_state()

    def back_in_service(self) -> None:
        if not self._act("in", {}):
            return
        core = self.window_.core
        assert core is not None
        core.out_of_service.clear_local()
        self._render_state()
