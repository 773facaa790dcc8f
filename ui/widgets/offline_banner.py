"""The offline banner: whether the central service is reachable, how many transactions
wait in the outbox, and since when (architecture.md, "Offline policy").

Hidden when online with nothing pending; "uploading" (calm colours) when online with
a backlog; "offline" (banner colours) otherwise. Offline, a second sentence warns when
the exposure limits are nearly reached or reached. The wording avoids plurals so English
needs no translator ("waiting to upload: 3").
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Literal

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QWidget

from kiosk.hall_time import to_hall
from ui.i18n import fill
from ui.theme import align_center, set_style_property
from ui.units import Size, Units, current_units

BannerState = Literal["hidden", "offline", "uploading"]
# The offline exposure (kiosk.services.exposure): "warning" at 80 % of a [limits]
# measure, "exceeded" at the limit, where queueing services stop taking requests.
LimitLevel = Literal["ok", "warning", "exceeded"]


class OfflineBanner(QFrame):
    """objectName `banner.offline`; its text label is `banner.offline.text`."""

    def __init__(self, parent: QWidget | None = None, *, units: Units | None = None,
                 now: Callable[[], datetime] = datetime.now) -> None:
        super().__init__(parent)
        self.setObjectName("banner.offline")
        self.setProperty("role", "banner")
        self.setProperty("state", "offline")
        u = units or current_units()
        self._now = now
        self._online = True
        self._pending = 0
        self._since: datetime | None = None
        self._limit: LimitLevel = "ok"

        self._label = QLabel(self)
        self._label.setObjectName("banner.offline.text")
        self._label.setWordWrap(True)
        align_center(self._label)
        layout = QHBoxLayout(self)
        pad = u.px(Size.GAP)
        layout.setContentsMargins(pad * 2, pad, pad * 2, pad)
        layout.addWidget(self._label)
        # A strip across the top: as tall as its text, never stretched by the layout.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._render()

    @property
    def state(self) -> BannerState:
        if self._online:
            return "uploading" if self._pending > 0 else "hidden"
        return "offline"

    def text(self) -> str:
        return self._label.text()

    @property
    def limit(self) -> LimitLevel:
        return self._limit

    def set_state(self, online: bool, pending: int, since: datetime | None,
                  limit: LimitLevel = "ok") -> None:
        """`since`: when the central service became unreachable (None if unknown);
        `limit`: the offline exposure level (shown only while offline)."""
        if pending < 0:
            raise ValueError("pending cannot be negative")
        if limit not in ("ok", "warning", "exceeded"):
            raise ValueError(f"unknown limit level {limit!r}")
        self._online, self._pending, self._since = online, pending, since
        self._limit = limit
        self._render()

    def _since_text(self) -> str | None:
        if self._since is None:
            return None
        since, now = to_hall(self._since), to_hall(self._now())
        # An outage that began on another day shows the date too.
        return since.strftime("%H:%M" if since.date() == now.date() else "%Y-%m-%d %H:%M")

    def _render(self) -> None:
        translate = QCoreApplication.translate
        state = self.state
        since = self._since_text()
        n = self._pending
        if state == "hidden":
            text = ""
        elif state == "uploading":
            text = fill(translate("OfflineBanner",
                                  "Network is back. Uploading saved transactions: %1"), n)
        elif n > 0 and since:
            text = fill(translate("OfflineBanner",
                                  "Offline since %1. Transactions waiting to upload: %2"),
                        since, n)
        elif n > 0:
            text = fill(translate("OfflineBanner",
                                  "Offline. Transactions waiting to upload: %1"), n)
        elif since:
            text = fill(translate("OfflineBanner",
                                  "Offline since %1. Some services are unavailable."), since)
        else:
            text = translate("OfflineBanner", "Offline. Some services are unavailable.")
        if state == "offline" and self._limit == "exceeded":
            text += "\n" + translate(
                "OfflineBanner",
                "The offline limit is reached: no more requests can be saved until the "
                "network is back.")
        elif state == "offline" and self._limit == "warning":
            text += "\n" + translate(
                "OfflineBanner",
                "The offline limit is nearly reached: soon no more requests can be saved.")
        self._label.setText(text)
        self.setAccessibleName(text)
        if state != "hidden":
            set_style_property(self, "state", state)
        self.setVisible(state != "hidden")

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.LanguageChange:
            self._render()
        super().changeEvent(event)
