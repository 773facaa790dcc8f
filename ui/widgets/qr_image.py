"""A QR code on screen: the tax app's sign-in code, a payment QR, an issued invoice's
code. Drawn black on white with the standard quiet zone, in whole pixels per module so
a phone camera reads it at any panel size.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QLabel


class QrImage(QLabel):
    """A QR code `size_px` wide (object name `image.qr` unless the screen renames it);
    `show_text(None)` leaves the place empty."""

    def __init__(self, size_px: int) -> None:
        super().__init__()
        self.setObjectName("image.qr")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.size_px = size_px
        self.setMinimumSize(size_px, size_px)
        self.text_shown: str | None = None

    def show_text(self, text: str | None) -> None:
        if text == self.text_shown:
            return  # a refresh redraws nothing: encoding is the costly part
        self.text_shown = text
        self.setPixmap(qr_pixmap(text, self.size_px) if text else QPixmap())


def qr_pixmap(text: str, size_px: int) -> QPixmap:
    """`text` as a QR code (error correction M, 4-module quiet zone) at most
    `size_px` wide."""
    import qrcode  # only screens that show a code pay for the import

    code = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    n = len(matrix)
    module = max(1, size_px // n)
    image = QImage(n * module, n * module, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                painter.fillRect(x * module, y * module, module, module, QColor("black"))
    painter.end()
    return QPixmap.fromImage(image)


__all__ = ["QrImage", "qr_pixmap"]
