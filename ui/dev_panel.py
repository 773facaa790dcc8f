"""Developer panel for `kiosk run --simulate`: drive the simulated devices and network.

A separate small window (never shown on a real terminal): scan any demo invoice, scan
the last printed slip, pull the network cable, run the printer out of paper.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QCheckBox, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.simulation.demo import demo_qr_texts

if TYPE_CHECKING:
    from kiosk.simulation import SimulatedHall


class DeveloperPanel(QWidget):
    def __init__(self, hall: "SimulatedHall", parent: QWidget | None = None) -> None:
        super().__init__(None)
        self.setObjectName("panel.developer")
        self.setWindowTitle("Simulated hall")
        self.hall = hall
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Scan a demo invoice:"))
        for label, qr in demo_qr_texts():
            button = QPushButton(label)
            button.setToolTip(qr)
            button.clicked.connect(lambda _=False, q=qr: hall.scanner.scan(q))
            layout.addWidget(button)
        rescan = QPushButton("Scan the last printed slip")
        rescan.clicked.connect(self._scan_printed)
        layout.addWidget(rescan)
        garbage = QPushButton("Scan garbage")
        garbage.clicked.connect(lambda: hall.scanner.scan("https://example.invalid/lottery?x=1"))
        layout.addWidget(garbage)
        network = QCheckBox("Network online")
        network.setChecked(True)
        network.toggled.connect(lambda on: hall.network and hall.network.set_online(on))
        layout.addWidget(network)
        paper = QCheckBox("Printer paper empty")
        paper.toggled.connect(lambda on: setattr(hall.printer, "paper", "empty" if on else "ok"))
        layout.addWidget(paper)
        layout.addStretch(1)
        if parent is not None:
            parent.destroyed.connect(self.close)

    def _scan_printed(self) -> None:
        qr = self.hall.printer.last_qr()
        if qr:
            self.hall.scanner.scan(qr)
