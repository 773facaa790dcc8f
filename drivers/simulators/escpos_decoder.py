"""An incremental ESC/POS decoder: printer bytes -> printed text, QR codes and images.

The simulated receipt printer feeds everything it receives through this decoder, so
tests and the scenario runner can assert what a taxpayer would hold in their hand.
It follows the Epson ESC/POS command reference for the commands python-escpos and our
renderer emit (text, styles, Chinese mode FS & / FS ., QR GS ( k, raster images GS v 0
and GS ( L, barcodes GS k, cuts GS V, real-time status DLE EOT) and knows the length
of many others so it can skip them. Bytes it does not understand are skipped; it never
raises on input and never waits forever inside one `feed()` call (huge declared
lengths are skipped, not buffered).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PIL import Image

try:  # optional: decode QR codes that arrive as raster images
    from pyzbar import pyzbar as _pyzbar
except Exception:  # ImportError, or the zbar shared library is missing
    _pyzbar = None

ESC, GS, FS, DLE = 0x1B, 0x1D, 0x1C, 0x10
LF, CR, HT, FF = 0x0A, 0x0D, 0x09, 0x0C
EOT, ENQ, DC4 = 0x04, 0x05, 0x14

MAX_BUFFERED_COMMAND = 4 * 1024 * 1024  # larger payloads are skipped without buffering
MAX_IMAGE_PIXELS = 4096 * 16384

# ESC/POS code tables (ESC t n) -> Python codecs; the rest print as CP437.
_CODEPAGES = {0: "cp437", 2: "cp850", 3: "cp860", 4: "cp863", 5: "cp865", 16: "cp1252",
              17: "cp866", 18: "cp852", 19: "cp858"}

# Number of parameter bytes after "ESC x" / "GS x" / "FS x" for fixed-length commands.
_ESC_FIXED = {
    ord("@"): 0, ord("2"): 0, ord("<"): 0, ord("i"): 0, ord("m"): 0, ord("L"): 0,
    ord("S"): 0, 0x0C: 0,
    ord("3"): 1, ord("a"): 1, ord("E"): 1, ord("!"): 1, ord("d"): 1, ord("J"): 1,
    ord("t"): 1, ord("M"): 1, ord("-"): 1, ord("G"): 1, ord("V"): 1, ord("{"): 1,
    ord("R"): 1, ord(" "): 1, ord("="): 1, ord("K"): 1, ord("e"): 1, ord("r"): 1,
    ord("U"): 1, ord("u"): 1, ord("T"): 1, ord("%"): 1, ord("?"): 1, ord("+"): 1,
    ord("A"): 1, ord("c"): 2, ord("$"): 2, ord("\\"): 2, ord("f"): 2, ord("p"): 3,
    ord("W"): 8,
}
_GS_FIXED = {
    ord(":"): 0, ord("!"): 1, ord("B"): 1, ord("H"): 1, ord("f"): 1, ord("h"): 1,
    ord("w"): 1, ord("a"): 1, ord("r"): 1, ord("I"): 1, ord("b"): 1, ord("E"): 1,
    ord("/"): 1, ord("T"): 1, ord("L"): 2, ord("W"): 2, ord("$"): 2, ord("\\"): 2,
    ord("P"): 2, ord("^"): 3, ord("g"): 4,
}
_FS_FIXED = {
    ord("&"): 0, ord("."): 0, ord("!"): 1, ord("-"): 1, ord("W"): 1, ord("C"): 1,
    ord("S"): 2, ord("p"): 2, ord("2"): 74,
}

_INVERT = bytes(255 - i for i in range(256))
_NEED_MORE = -1


@dataclass
class PrintedDocument:
    """What came out of the printer between two cuts."""

    lines: list[str] = field(default_factory=list)
    qr_codes: list[str] = field(default_factory=list)
    images: list[Image.Image] = field(default_factory=list)
    barcodes: list[str] = field(default_factory=list)
    cut: bool = False

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def empty(self) -> bool:
        return not (self.lines or self.qr_codes or self.images or self.barcodes)


class EscPosDecoder:
    """Feed printer bytes in any chunking; read `documents` (completed) and `current`.

    `feed()` returns the DLE EOT n status requests found, in order, so the caller (the
    simulated printer) can answer them as a real printer does, immediately.
    """

    def __init__(self, *, decode_qr_images: bool = True) -> None:
        self.decode_qr_images = decode_qr_images and _pyzbar is not None
        self.documents: list[PrintedDocument] = []
        self.current = PrintedDocument()
        self.unknown_commands = 0
        self._buf = bytearray()
        self._skip = 0  # payload bytes of an oversized command still to throw away
        self._reset_modes()
        self._line = ""  # decoded text of the line being assembled
        self._pending = bytearray()  # raw text bytes in the current encoding
        self._qr_store: dict[int, bytes] = {}  # GS ( k symbol data per code type (cn)

    def _reset_modes(self) -> None:
        self.chinese_mode = False
        self.codepage = 0
        self.align = 0
        self.bold = False

    # -- public -----------------------------------------------------------------------

    def feed(self, data: bytes) -> list[int]:
        """Decode `data`; return the n of every DLE EOT n real-time status request."""
        requests: list[int] = []
        if not data:
            return requests
        view = memoryview(bytes(data))
        if self._skip:
            n = min(self._skip, len(view))
            self._skip -= n
            view = view[n:]
        self._buf += view
        buf = self._buf
        i = 0
        end = len(buf)
        while i < end:
            if self._skip:
                n = min(self._skip, end - i)
                self._skip -= n
                i += n
                continue
            consumed = self._step(buf, i, end, requests)
            if consumed == _NEED_MORE:
                break
            i += consumed
        del buf[:i]
        return requests

    def flush(self) -> None:
        """End of data: print what is pending (like a printer's buffer at power-off)."""
        self._flush_line(force=False)

    @property
    def all_documents(self) -> list[PrintedDocument]:
        """Completed documents plus the current one if anything is on it."""
        docs = list(self.documents)
        snapshot = self._snapshot_current()
        if not snapshot.empty:
            docs.append(snapshot)
        return docs

    def _snapshot_current(self) -> PrintedDocument:
        doc = self.current
        lines = list(doc.lines)
        pending = self._line + self._decode_pending(peek=True)
        if pending:
            lines.append(pending)
        return PrintedDocument(lines, list(doc.qr_codes), list(doc.images), list(doc.barcodes), doc.cut)

    # -- text -------------------------------------------------------------------------

    def _encoding(self) -> str:
        return "gb18030" if self.chinese_mode else _CODEPAGES.get(self.codepage, "cp437")

    def _decode_pending(self, peek: bool = False) -> str:
        if not self._pending:
            return ""
        text = bytes(self._pending).decode(self._encoding(), errors="replace")
        if not peek:
            self._pending.clear()
        return text

    def _switch_encoding(self) -> None:
        """Called before anything changes the text encoding."""
        self._line += self._decode_pending()

    def _flush_line(self, force: bool) -> None:
        self._line += self._decode_pending()
        if self._line or force:
            self.current.lines.append(self._line)
        self._line = ""

    def _cut(self) -> None:
        self._flush_line(force=False)
        self.current.cut = True
        self.documents.append(self.current)
        self.current = PrintedDocument()

    # -- the parser -------------------------------------------------------------------

    def _step(self, buf: bytearray, i: int, end: int, requests: list[int]) -> int:
        """Consume one command or text run at `i`; return bytes used or _NEED_MORE."""
        b = buf[i]
        if b >= 0x20 and b != 0x7F:
            j = i + 1
            while j < end and buf[j] >= 0x20 and buf[j] != 0x7F:
                j += 1
            self._pending += buf[i:j]
            return j - i
        if b == LF:
            self._flush_line(force=True)
            return 1
        if b == HT:
            self._pending += b" "
            return 1
        if b == FF:
            self._flush_line(force=False)
            return 1
        if b == ESC:
            return self._esc(buf, i, end)
        if b == GS:
            return self._gs(buf, i, end)
        if b == FS:
            return self._fs(buf, i, end)
        if b == DLE:
            return self._dle(buf, i, end, requests)
        return 1  # CR, CAN, NUL and other controls: nothing to print

    def _need(self, i: int, end: int, total: int) -> bool:
        return i + total <= end

    def _skip_or_wait(self, i: int, end: int, header: int, payload: int) -> int:
        """A command of `header` + `payload` bytes we do not keep: skip it incrementally."""
        total = header + payload
        if i + total <= end:
            return total
        if i + header > end:
            return _NEED_MORE
        self._skip = total - (end - i)
        return end - i

    def _esc(self, buf: bytearray, i: int, end: int) -> int:
        if i + 2 > end:
            return _NEED_MORE
        c = buf[i + 1]
        if c in _ESC_FIXED:
            total = 2 + _ESC_FIXED[c]
            if i + total > end:
                return _NEED_MORE
            n = buf[i + 2] if total > 2 else 0
            if c == ord("@"):
                self._switch_encoding()
                self._pending.clear()
                self._line = ""  # ESC @ clears the print buffer
                self._reset_modes()
            elif c in (ord("d"), ord("J")):
                self._flush_line(force=False)
            elif c in (ord("i"), ord("m")):
                self._cut()
            elif c == ord("t"):
                self._switch_encoding()
                self.codepage = n
            elif c == ord("a"):
                self.align = n % 48 if n >= 48 else n
            elif c == ord("E"):
                self.bold = bool(n & 1)
            elif c == ord("!"):
                self.bold = bool(n & 0x08)
            return total
        if c == ord("*"):  # ESC * m nL nH d1..dk: column bit image (not captured)
            if i + 5 > end:
                return _NEED_MORE
            m, k = buf[i + 2], buf[i + 3] + 256 * buf[i + 4]
            self._flush_line(force=False)
            return self._skip_or_wait(i, end, 5, k * (3 if m in (32, 33) else 1))
        if c == ord("D"):  # ESC D n1..nk NUL: tab positions
            limit = min(end, i + 2 + 33)
            j = buf.find(b"\x00", i + 2, limit)
            if j >= 0:
                return j + 1 - i
            return _NEED_MORE if limit == end and end - i < 2 + 33 else 2
        if c == ord("&"):  # ESC & y c1 c2 [x d1..d(y*x)]k: user-defined characters
            return self._esc_user_chars(buf, i, end)
        self.unknown_commands += 1
        return 2

    def _esc_user_chars(self, buf: bytearray, i: int, end: int) -> int:
        if i + 5 > end:
            return _NEED_MORE
        y, c1, c2 = buf[i + 2], buf[i + 3], buf[i + 4]
        if not (1 <= y <= 3 and 32 <= c1 <= c2 <= 126):
            self.unknown_commands += 1
            return 2
        j = i + 5
        for _ in range(c2 - c1 + 1):
            if j >= end:
                return _NEED_MORE
            j += 1 + y * buf[j]
        return _NEED_MORE if j > end else j - i

    def _gs(self, buf: bytearray, i: int, end: int) -> int:
        if i + 2 > end:
            return _NEED_MORE
        c = buf[i + 1]
        if c in _GS_FIXED:
            total = 2 + _GS_FIXED[c]
            return total if i + total <= end else _NEED_MORE
        if c == ord("V"):  # GS V m [n]: cut
            if i + 3 > end:
                return _NEED_MORE
            m = buf[i + 2]
            total = 4 if m in (65, 66, 97, 98, 103, 104) else 3
            if i + total > end:
                return _NEED_MORE
            self._cut()
            return total
        if c == ord("v"):  # GS v 0 m xL xH yL yH d1..dk: raster bit image
            if i + 8 > end:
                return _NEED_MORE
            if buf[i + 2] not in (0x30, 0x00):
                self.unknown_commands += 1
                return 3
            x = buf[i + 4] + 256 * buf[i + 5]
            y = buf[i + 6] + 256 * buf[i + 7]
            size = x * y
            if size > MAX_BUFFERED_COMMAND:
                self._flush_line(force=False)
                return self._skip_or_wait(i, end, 8, size)
            if i + 8 + size > end:
                return _NEED_MORE
            self._flush_line(force=False)
            self._add_raster(bytes(buf[i + 8 : i + 8 + size]), x * 8, y, x)
            return 8 + size
        if c == ord("("):  # GS ( fn pL pH ...: function family
            if i + 5 > end:
                return _NEED_MORE
            fn = buf[i + 2]
            p = buf[i + 3] + 256 * buf[i + 4]
            if p > MAX_BUFFERED_COMMAND or fn not in (ord("k"), ord("L")):
                return self._skip_or_wait(i, end, 5, p)
            if i + 5 + p > end:
                return _NEED_MORE
            body = bytes(buf[i + 5 : i + 5 + p])
            if fn == ord("k"):
                self._gs_2d_code(body)
            else:
                self._gs_graphics(body)
            return 5 + p
        if c == ord("8"):  # GS 8 L p1 p2 p3 p4 ...: large graphics data
            if i + 7 > end:
                return _NEED_MORE
            p = int.from_bytes(bytes(buf[i + 3 : i + 7]), "little")
            if p <= MAX_BUFFERED_COMMAND and buf[i + 2] == ord("L"):
                if i + 7 + p > end:
                    return _NEED_MORE
                self._gs_graphics(bytes(buf[i + 7 : i + 7 + p]))
                return 7 + p
            return self._skip_or_wait(i, end, 7, p)
        if c == ord("*"):  # GS * x y d: define downloaded bit image
            if i + 4 > end:
                return _NEED_MORE
            return self._skip_or_wait(i, end, 4, buf[i + 2] * buf[i + 3] * 8)
        if c == ord("k"):  # GS k m ...: barcode
            return self._gs_barcode(buf, i, end)
        self.unknown_commands += 1
        return 2

    def _gs_barcode(self, buf: bytearray, i: int, end: int) -> int:
        if i + 3 > end:
            return _NEED_MORE
        m = buf[i + 2]
        if m <= 6:  # function A: data up to NUL
            limit = min(end, i + 3 + 256)
            j = buf.find(b"\x00", i + 3, limit)
            if j < 0:
                return _NEED_MORE if limit == end and end - i < 3 + 256 else 3
            data = bytes(buf[i + 3 : j])
            total = j + 1 - i
        else:  # function B: length byte, then data
            if i + 4 > end:
                return _NEED_MORE
            n = buf[i + 3]
            if i + 4 + n > end:
                return _NEED_MORE
            data = bytes(buf[i + 4 : i + 4 + n])
            total = 4 + n
        self._flush_line(force=False)
        text = data.decode("latin-1")
        if m == 73 and len(text) >= 2 and text[0] == "{":  # CODE128 code-set prefix
            text = text[2:].replace("{{", "{")
        self.current.barcodes.append(text)
        return total

    def _gs_2d_code(self, body: bytes) -> None:
        """GS ( k: cn fn [m] data. Store (fn 80) keeps the data, print (fn 81) prints it."""
        if len(body) < 2:
            return
        cn, fn = body[0], body[1]
        if fn == 80 and len(body) >= 3:
            self._qr_store[cn] = body[3:]
        elif fn == 81:
            data = self._qr_store.get(cn)
            if data is not None and cn == 49:  # 49: QR Code
                self._flush_line(force=False)
                self.current.qr_codes.append(data.decode("utf-8", errors="replace"))

    def _gs_graphics(self, body: bytes) -> None:
        """GS ( L / GS 8 L: fn 112 stores a raster graphic; we capture it at store time."""
        if len(body) < 10 or body[1] != 112:
            return
        width = body[6] + 256 * body[7]
        height = body[8] + 256 * body[9]
        width_bytes = (width + 7) // 8
        data = body[10 : 10 + width_bytes * height]
        if len(data) == width_bytes * height and width and height:
            self._flush_line(force=False)
            self._add_raster(data, width, height, width_bytes)

    def _add_raster(self, data: bytes, width: int, height: int, width_bytes: int) -> None:
        if not width or not height or width_bytes * 8 * height > MAX_IMAGE_PIXELS:
            return
        # ESC/POS: a 1 bit is a black dot; PIL mode "1": a 1 bit is white.
        image = Image.frombytes("1", (width_bytes * 8, height), data.translate(_INVERT))
        if width < width_bytes * 8:
            image = image.crop((0, 0, width, height))
        self.current.images.append(image)
        if self.decode_qr_images:
            self.current.qr_codes.extend(decode_qr_image(image))

    def _fs(self, buf: bytearray, i: int, end: int) -> int:
        if i + 2 > end:
            return _NEED_MORE
        c = buf[i + 1]
        if c in _FS_FIXED:
            total = 2 + _FS_FIXED[c]
            if i + total > end:
                return _NEED_MORE
            if c == ord("&"):
                self._switch_encoding()
                self.chinese_mode = True
            elif c == ord("."):
                self._switch_encoding()
                self.chinese_mode = False
            return total
        if c == ord("q"):  # FS q n [xL xH yL yH d...]n: define NV bit images
            if i + 3 > end:
                return _NEED_MORE
            j = i + 3
            for _ in range(buf[i + 2]):
                if j + 4 > end:
                    return _NEED_MORE
                x = buf[j] + 256 * buf[j + 1]
                y = buf[j + 2] + 256 * buf[j + 3]
                j += 4 + x * y * 8
                if j - i > MAX_BUFFERED_COMMAND:
                    return self._skip_or_wait(i, end, 0, j - i)
            return _NEED_MORE if j > end else j - i
        self.unknown_commands += 1
        return 2

    def _dle(self, buf: bytearray, i: int, end: int, requests: list[int]) -> int:
        if i + 2 > end:
            return _NEED_MORE
        c = buf[i + 1]
        if c in (EOT, ENQ):
            if i + 3 > end:
                return _NEED_MORE
            if c == EOT:
                requests.append(buf[i + 2])
            return 3
        if c == DC4:
            if i + 3 > end:
                return _NEED_MORE
            total = 10 if buf[i + 2] == 8 else 5
            return total if i + total <= end else _NEED_MORE
        return 1


def decode_qr_image(image: Image.Image) -> list[str]:
    """Find QR codes in a printed raster image (needs pyzbar and libzbar)."""
    if _pyzbar is None:
        return []
    grey = image.convert("L")
    padded = Image.new("L", (grey.width + 32, grey.height + 32), 255)
    padded.paste(grey, (16, 16))
    found: list[str] = []
    try:
        symbols: list[Any] = _pyzbar.decode(padded, symbols=[_pyzbar.ZBarSymbol.QRCODE])
    except Exception:
        return found
    for symbol in symbols:
        found.append(_zbar_text(symbol.data))
    return found


def _zbar_text(data: bytes) -> str:
    """zbar reads QR bytes as Latin-1 and returns them re-encoded as UTF-8: undo that."""
    text = data.decode("utf-8", errors="replace")
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text
