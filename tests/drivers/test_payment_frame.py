"""Payment terminal ECR framing: LRC and BCD vectors and a fuzzed parser (the MIS-POS
messages it carries: test_payment_mispos.py)."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.payment.base import mask_pan
from drivers.payment.frame import (
    ACK,
    NAK,
    STX,
    Ack,
    BadFrame,
    Frame,
    FrameParser,
    Nak,
    bcd_length,
    encode_frame,
    lrc,
    parse_bcd_length,
)

# -- vectors ---------------------------------------------------------------------------


def test_lrc_vectors():
    assert lrc(b"") == 0
    assert lrc(b"\x01\x02\x03") == 0x00
    assert lrc(b"\x00\x01\x41\x03") == 0x43
    assert lrc(b"\xff\x0f") == 0xF0


def test_bcd_length_vectors():
    assert bcd_length(0) == b"\x00\x00"
    assert bcd_length(12) == b"\x00\x12"
    assert bcd_length(1234) == b"\x12\x34"
    assert bcd_length(9999) == b"\x99\x99"
    assert parse_bcd_length(0x12, 0x34) == 1234
    assert parse_bcd_length(0x1A, 0x00) is None
    assert parse_bcd_length(0x00, 0xF0) is None
    with pytest.raises(ValueError):
        bcd_length(10000)


def test_frame_vector():
    # payload "T<FS>000001": status request number 1
    frame = encode_frame(b"T\x1c000001")
    body = b"\x00\x08T\x1c000001\x03"
    assert frame == b"\x02" + body + bytes([lrc(body)])
    assert frame.hex() == "020008541c30303030303103" + f"{lrc(body):02x}"
    assert FrameParser().feed(frame) == [Frame(b"T\x1c000001")]


def test_gbk_payload_is_allowed_control_bytes_never_are():
    text = "000001R交易成功".encode("gbk")
    assert FrameParser().feed(encode_frame(text)) == [Frame(text)]
    with pytest.raises(ValueError):
        encode_frame(b"A\xffB")  # 0xFF is no GBK byte


def test_encode_refuses_control_bytes_and_oversize():
    with pytest.raises(ValueError):
        encode_frame(b"A\x02B")
    with pytest.raises(ValueError):
        encode_frame(b"A" * 1025)


def test_bad_lrc_is_reported_for_a_nak_and_ack_nak_are_events():
    frame = bytearray(encode_frame(b"Q\x1c000007"))
    frame[-1] ^= 0xFF
    events = FrameParser().feed(bytes([ACK]) + bytes(frame) + bytes([NAK]))
    assert events[0] == Ack()
    assert isinstance(events[1], BadFrame)
    assert events[-1] == Nak()


def test_false_start_before_a_real_frame():
    real = encode_frame(b"T\x1c000001")
    # STX with a non-BCD length, STX with a plausible length cut short by the real STX
    stream = b"\x02\xaa" + b"\x02\x00\x30ab" + real
    assert FrameParser().feed(stream) == [Frame(b"T\x1c000001")]


def test_stalled_candidate_is_flushed():
    parser = FrameParser()
    real = encode_frame(b"T\x1c000001")
    assert parser.feed(b"\x02\x00\x50abc") == []  # waits for 80 payload bytes
    assert parser.pending
    assert parser.flush_partial() == []
    assert parser.feed(real) == [Frame(b"T\x1c000001")]


def test_mask_pan():
    assert mask_pan("6228480402561234") == "622848******1234"
    assert mask_pan("6228480402564890018") == "622848*********0018"
    assert mask_pan("622848******1234") == "622848******1234"
    assert mask_pan("12ab") == "****"
    assert mask_pan("") == ""


# -- fuzzing ---------------------------------------------------------------------------

payloads = st.binary(max_size=60).map(
    lambda b: bytes(0x20 + (x % 0x5F) if x % 7 else 0x1C for x in b))
noise_without_stx = st.binary(max_size=200).map(lambda b: bytes(x for x in b if x != STX))


def _chunks(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    out, last = [], 0
    for p in points:
        out.append(data[last:p])
        last = p
    out.append(data[last:])
    return out


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000), st.lists(st.integers(min_value=0), max_size=20))
def test_arbitrary_bytes_never_raise_and_chunking_does_not_matter(data, cuts):
    whole = FrameParser()
    expected = whole.feed(data)
    split = FrameParser()
    got = []
    for chunk in _chunks(data, cuts):
        got += split.feed(chunk)
    assert got == expected
    assert all(isinstance(e, (Frame, BadFrame, Ack, Nak)) for e in got)
    assert split.pending <= 3 + 1024 + 2
    while split.pending:  # flushing always terminates
        split.flush_partial()


@settings(max_examples=300, deadline=None)
@given(noise_without_stx, payloads, st.lists(st.integers(min_value=0), max_size=10))
def test_a_frame_after_noise_is_found(noise, payload, cuts):
    parser = FrameParser()
    events = []
    for chunk in _chunks(noise + encode_frame(payload), cuts):
        events += parser.feed(chunk)
    frames = [e for e in events if isinstance(e, Frame)]
    assert frames == [Frame(payload)]
    assert parser.pending == 0


@settings(max_examples=200, deadline=None)
@given(payloads, st.integers(min_value=1), st.integers(min_value=0, max_value=7))
def test_a_corrupted_frame_is_never_accepted(payload, position, bit):
    frame = bytearray(encode_frame(payload))
    index = 1 + position % (len(frame) - 1)  # any byte after STX
    frame[index] ^= 1 << bit
    events = FrameParser().feed(bytes(frame))
    assert Frame(payload) not in events
    # the next good frame still gets through (after the corrupted one is flushed out)
    parser = FrameParser()
    parser.feed(bytes(frame))
    while parser.pending:
        parser.flush_partial()
    assert parser.feed(encode_frame(b"T\x1c000001")) == [Frame(b"T\x1c000001")]
