"""Screen of `guide.departure_refund` 离境退税: the guide for foreign visitors,
English first with the Chinese under each paragraph in either session language
(`label.details`, scrollable), and the printable page (`action.print`)."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea

from kiosk.services.departure_refund import DepartureRefundGuide
from kiosk.services.views import ResultView
from ui.flow.base import Said

from .guidance_kit import DetailScreen, GuidanceFlow, cached_text, insert_after, replace_widget

if TYPE_CHECKING:
    from ui.main_window import MainWindow


class RefundGuideScreen(DetailScreen):
    screen_id = "guide.departure_refund"
    flow: GuidanceFlow

    def __init__(self, window: MainWindow, flow: GuidanceFlow) -> None:
        super().__init__(window, flow)
        self.again.hide()  # one page: the top bar's home and back lead away
        self.cached = self.bind(self.text_label("label.cached", role="muted"),
                                lambda: cached_text(self.flow))
        insert_after(self.layout_, self.outcome, self.cached)
        # The page is long: it scrolls, the print button stays in view.
        scroll = QScrollArea()
        scroll.setObjectName("area.details")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        replace_widget(self.layout_, self.details, scroll, stretch=10)
        scroll.setWidget(self.details)
        self.refresh()

    def _service(self) -> DepartureRefundGuide | None:
        service: DepartureRefundGuide | None = self.flow.service
        return service

    def title_text(self) -> Said:
        return "Departure Tax Refund  离境退税"

    def view(self) -> ResultView | None:
        service = self._service()
        guide = None if service is None else service.guide
        if service is None or guide is None:
            return None
        return ResultView(f"{guide.title_en}\n{guide.title_zh}", "neutral", (),
                          (service.page_text(),))

    def print_text(self) -> Said:
        return "Print this page  打印本页"

    def print_job(self) -> Callable[[], object] | None:
        service = self._service()
        if service is None or service.guide is None:
            return None
        return service.print_page


FLOW = GuidanceFlow
SCREENS = (RefundGuideScreen,)
