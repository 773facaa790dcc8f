"""The simulator's ESC/POS decoder: known sequences decode, random bytes never hurt it."""
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.simulators.escpos_decoder import EscPosDecoder

ESC, GS, FS = b"\x1b", b"\x1d", b"\x1c"


def qr_store(data: bytes) -> bytes:
    body = b"1P0" + data
    return GS + b"(k" + bytes((len(body) % 256, len(body) // 256)) + body


QR_PRINT = GS + b"(k\x03\x001Q0"


def test_text_styles_chinese_qr_cut():
    dec = EscPosDecoder()
    data = (ESC + b"@" + ESC + b"a\x01" + ESC + b"E\x01" + b"Hello\n" + ESC + b"E\x00"
            + FS + b"&" + "你好，税务".encode("gb18030") + FS + b"." + b" ok\n"
            + GS + b"!\x11" + b"BIG\n" + GS + b"!\x00"
            + qr_store(b"https://example.invalid/q?x=1") + QR_PRINT
            + ESC + b"d\x06" + GS + b"V\x00")
    assert dec.feed(data) == []
    (doc,) = dec.documents
    assert doc.lines == ["Hello", "你好，税务 ok", "BIG"]
    assert doc.qr_codes == ["https://example.invalid/q?x=1"]
    assert doc.cut


def test_byte_by_byte_equals_whole():
    data = (b"line one\n" + FS + b"&" + "发票".encode("gb18030") + FS + b".\n"
            + qr_store(b"QR") + QR_PRINT + GS + b"V\x41\x03")
    a, b = EscPosDecoder(), EscPosDecoder()
    a.feed(data)
    for i in range(len(data)):
        b.feed(data[i:i + 1])
    assert a.documents == b.documents
    assert b.documents[0].lines == ["line one", "发票"]


def test_status_requests_are_returned_in_order():
    dec = EscPosDecoder()
    assert dec.feed(b"\x10\x04\x01abc\x10\x04") == [1]
    assert dec.feed(b"\x04\x10\x04\x02") == [4, 2]


def test_raster_image_and_barcode():
    dec = EscPosDecoder()
    width_bytes, height = 2, 3
    bitmap = bytes([0xFF, 0x00, 0x00, 0xFF, 0xAA, 0x55])
    data = (GS + b"v0\x00" + bytes((width_bytes, 0, height, 0)) + bitmap
            + GS + b"kI\x07{BAB-12" + GS + b"V\x00")
    dec.feed(data)
    doc = dec.documents[0]
    (img,) = doc.images
    assert img.size == (16, 3)
    assert img.getpixel((0, 0)) == 0 and img.getpixel((8, 0)) == 255  # 1 bits are black
    assert doc.barcodes == ["AB-12"]


def test_unknown_bytes_are_skipped():
    dec = EscPosDecoder()
    dec.feed(ESC + b"\xee" + GS + b"\xee" + FS + b"\xee" + b"\x07\x08text\n")
    assert dec.current.lines == ["text"]
    assert dec.unknown_commands == 3


def test_huge_declared_length_is_skipped_not_buffered():
    dec = EscPosDecoder()
    dec.feed(GS + b"v0\x00\xff\xff\xff\xff" + b"\x00" * 1000)
    assert len(dec._buf) == 0
    assert dec._skip > 0


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.binary(max_size=300), max_size=8))
def test_random_bytes_never_raise_or_hang(chunks):
    dec = EscPosDecoder()
    t0 = time.monotonic()
    for chunk in chunks:
        requests = dec.feed(chunk)
        assert all(isinstance(n, int) for n in requests)
    dec.flush()
    _ = dec.all_documents
    assert time.monotonic() - t0 < 2


# Commands with tricky lengths, mixed with random bytes: exercises the length logic.
_PIECES = st.sampled_from([
    ESC + b"@", ESC + b"*\x21\x02\x00", ESC + b"D\x01\x02", GS + b"(k", GS + b"(L\x05\x00",
    GS + b"v0", GS + b"k\x02", GS + b"kI", FS + b"&", FS + b".", b"\x10\x04", b"\x10\x14\x08",
    GS + b"8L", FS + b"q\x01", ESC + b"&\x03\x20\x21", b"\n", GS + b"V", "税".encode("gb18030"),
])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.binary(max_size=12)), max_size=40), st.integers(1, 17))
def test_command_soup_in_any_chunking(pieces, chunk):
    data = b"".join(pieces)
    dec = EscPosDecoder()
    for i in range(0, len(data), chunk):
        dec.feed(data[i:i + chunk])
    dec.flush()
