"""The simulated hall's A4 printer: the real driver (drivers.a4_printer) writing into a
directory (`file:///…/a4/`), and this capture reading back what came out, as a person
holding the paper would: the text a PDF reader extracts and the QR codes on the
rendered page (printing.pdf_read). PDFs are listed in print order (the driver writes
each atomically: a temporary name, then a rename)."""
from __future__ import annotations

import threading
from pathlib import Path


class A4Capture:
    """What the simulated A4 printer printed; thread-safe, reads each PDF once."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._lock = threading.Lock()
        self._text: dict[Path, str] = {}
        self._qr: dict[Path, list[str]] = {}

    @property
    def connection(self) -> str:
        return self.directory.resolve().as_uri() + "/"

    def start(self) -> A4Capture:
        self.directory.mkdir(parents=True, exist_ok=True)
        return self

    def documents(self) -> list[Path]:
        """The printed PDFs, oldest first (never a file still being written)."""
        if not self.directory.is_dir():
            return []
        files = [p for p in self.directory.glob("*.pdf") if p.is_file()]
        return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))

    def text(self, path: Path) -> str:
        from printing.pdf_read import pdf_text

        with self._lock:
            if path not in self._text:
                try:
                    self._text[path] = pdf_text(path)
                except ValueError:
                    self._text[path] = ""
            return self._text[path]

    def qr_codes(self, path: Path) -> list[str]:
        from printing.pdf_read import pdf_qr_codes

        with self._lock:
            if path not in self._qr:
                try:
                    self._qr[path] = pdf_qr_codes(path)
                except ValueError:
                    self._qr[path] = []
            return self._qr[path]

    def all_text(self) -> str:
        """The text of every printed PDF, in print order."""
        return "\n".join(self.text(p) for p in self.documents())

    def last_qr(self) -> str | None:
        for path in reversed(self.documents()):
            codes = self.qr_codes(path)
            if codes:
                return codes[-1]
        return None
