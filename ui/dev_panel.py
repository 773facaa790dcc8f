"""Developer panel for `kiosk run --simulate`: drive the simulated devices and network.

A separate small window (never shown on a real terminal): scan any demo invoice, scan
the last printed slip, tap the demo staff card (maintenance mode), pull the network
cable, and switch each simulated device's faults (paper out, cover open, jam, unplug, mute, garbage, slow replies, ...).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.simulation.demo import DEMO_STAFF_CARD_UID, demo_qr_texts

if TYPE_CHECKING:
    from kiosk.simulation import SimulatedHall


class DeveloperPanel(QWidget):
    def __init__(self, hall: SimulatedHall, parent: QWidget | None = None) -> None:
        super().__init__(None)
        self.setObjectName("panel.developer")
        self.setWindowTitle("Simulated hall")
        self.hall = hall
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Scan a demo invoice:"))
        for label, qr in demo_qr_texts():
            button = QPushButton(label)
            button.setToolTip(qr)
            button.clicked.connect(lambda _=False, q=qr: hall.scan(q))
            layout.addWidget(button)
        rescan = QPushButton("Scan the last printed slip")
        rescan.clicked.connect(self._scan_printed)
        layout.addWidget(rescan)
        garbage = QPushButton("Scan garbage")
        garbage.clicked.connect(lambda: hall.scan("https://example.invalid/lottery?x=1"))
        layout.addWidget(garbage)
        if hall.id_card is not None:  # the identity gate: the sample (demo) ID card
            place = QPushButton("Place the demo ID card")
            place.setObjectName("dev.id_card")
            place.setToolTip("A fresh placement: a card already there is lifted first")
            place.clicked.connect(lambda: hall.place_id_card())
            take = QPushButton("Take the ID card away")
            take.setObjectName("dev.id_card_remove")
            take.clicked.connect(hall.take_id_card)
            layout.addWidget(place)
            layout.addWidget(take)
        if hall.staff_card is not None:  # maintenance mode: the demo staff card
            staff = QPushButton("Tap staff card")
            staff.setObjectName("dev.staff_card")
            staff.setToolTip("The demo staff card (PIN in kiosk.simulation.demo)")
            staff.clicked.connect(lambda: hall.staff_card.tap(DEMO_STAFF_CARD_UID))
            layout.addWidget(staff)
        network = QCheckBox("Network online")
        network.setChecked(True)
        network.toggled.connect(lambda on: hall.network.set_online(on) if hall.network else None)
        layout.addWidget(network)
        self.fault_boxes: dict[tuple[str, str], QCheckBox] = {}
        for device in hall.devices():
            layout.addWidget(self._fault_group(device))
        layout.addStretch(1)
        if parent is not None:
            parent.destroyed.connect(self.close)

    def _fault_group(self, device: str) -> QGroupBox:
        """One check box per fault switch of `device`, two columns."""
        title = {"id_card_reader": "ID card reader"}.get(device, device.replace("_", " ").capitalize())
        group = QGroupBox(f"{title} faults")
        group.setObjectName(f"faults.{device}")
        grid = QGridLayout(group)
        for i, fault in enumerate(self.hall.faults(device)):
            box = QCheckBox(fault.replace("_", " "))
            box.setObjectName(f"fault.{device}.{fault}")
            box.setChecked(fault in self.hall.active_faults(device))
            box.toggled.connect(lambda on, d=device, f=fault: self.hall.set_fault(d, f, on))
            grid.addWidget(box, i // 2, i % 2)
            self.fault_boxes[(device, fault)] = box
        return group

    def _scan_printed(self) -> None:
        qr = self.hall.printer.last_qr()
        if qr:
            self.hall.scan(qr)
