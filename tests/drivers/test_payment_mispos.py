"""The MIS-POS field set (services.md §4.1) and its ECR envelope: the TS1 response
parse, the TS2 amount encoding, the TS3 frame length, and round trips of every
message kind the driver and the simulator exchange."""
from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.payment.frame import Frame, FrameParser, bcd_length, encode_frame, lrc
from drivers.payment.mispos import (
    BUSY,
    NOT_FOUND,
    PROGRESS,
    QUERY,
    REQUEST,
    REQUEST_SIZE,
    RESPONSE_SIZE,
    SALE,
    VOID,
    Envelope,
    PosRequest,
    ProtocolError,
    TransactionRecord,
    amount_field,
    decode_envelope,
    parse_request,
    parse_response,
    record_of,
    record_reply,
    terminal_time,
    yuan_field,
    yuan_to_fen,
)

# -- TS1 -------------------------------------------------------------------------------

TS1 = ("000308621483******9012    000003000000000001交易成功" + " " * 32
       + "898500080620629000000040000030422173915173915040319      042200000000000000000")


def test_ts1_response_parse():
    data = TS1.encode("gbk")
    assert len(data) == 162  # 148 + 14 extension bytes
    r = parse_response(data)
    assert (r.rc, r.bank, r.card, r.trace, r.amount_fen, r.message) == (
        "00", "0308", "621483******9012", "000003", 1, "交易成功")
    assert (r.merchant_id, r.terminal_id, r.batch, r.date, r.time) == (
        "898500080620629", "00000004", "000003", "0422", "173915")
    assert (r.rrn, r.auth, r.settle_date, r.nonce) == ("173915040319", "", "0422", "000")


def test_ts1_round_trip_and_layout_sizes():
    assert (REQUEST_SIZE, RESPONSE_SIZE) == (59, 148)
    r = parse_response(TS1.encode("gbk"))
    assert r.encode() == TS1.encode("gbk")[:148]


@pytest.mark.parametrize("mutate, why", [
    (lambda b: b[:147], "short"),
    (lambda b: b"0x" + b[2:], "response code"),
    (lambda b: b[:6] + b"62148X" + b[12:], "card"),
    (lambda b: b[:26] + b"00A003" + b[32:], "trace"),
    (lambda b: b[:32] + b"00000000000X" + b[44:], "amount"),
    (lambda b: b[:44] + b"\xff\xfe" + b[46:], "message"),
])
def test_bad_responses_are_refused(mutate, why):
    with pytest.raises(ProtocolError):
        parse_response(mutate(TS1.encode("gbk")))


# -- TS2 -------------------------------------------------------------------------------


@pytest.mark.parametrize("yuan, field", [
    ("12.28", "000000001228"), ("0.01", "000000000001"), (Decimal("100"), "000000010000"),
    ("12.3", "000000001230"), ("0", "000000000000"),
])
def test_ts2_amount_field(yuan, field):
    assert yuan_field(yuan) == field


@pytest.mark.parametrize("bad", ["12.345", "-1", "abc", "NaN", "Infinity", 1.5])
def test_ts2_amount_with_more_than_two_decimals_is_refused(bad):
    with pytest.raises(ValueError):
        yuan_to_fen(bad)


def test_amount_field_bounds():
    assert amount_field(999_999_999_999) == "999999999999"
    for bad in (-1, 10**12, True):
        with pytest.raises(ValueError):
            amount_field(bad)


# -- TS3 -------------------------------------------------------------------------------


def test_ts3_frame_length_is_bcd_payload_plus_five():
    # The logged 银捷 frame: LEN 02 62 (BCD 262) and 267 bytes in all. A synthetic
    # payload of the same length gives the same header and size.
    payload = b"X" * 262
    frame = encode_frame(payload)
    assert frame[1:3] == bytes((0x02, 0x62)) == bcd_length(262)
    assert len(frame) == 267
    # The LRC rule (XOR of LEN..ETX) on synthetic frames only (the logged one was edited).
    assert frame[-1] == lrc(frame[1:-1])
    assert frame[-2] == 0x03


# -- requests and the envelope ---------------------------------------------------------


def test_sale_request_vector():
    request = PosRequest(SALE, amount_fen=1228, reference="ORD1-1", pos_id="K0001",
                         operator="01", nonce="517")
    data = request.encode()
    assert data[:59] == (b"K0001   " b"01      " b"00" b"000000001228" + b" " * 8 + b" " * 12
                         + b" " * 6 + b"517")
    assert data[59:] == b"ORD1-1".ljust(32)
    assert parse_request(data) == request
    env = Envelope("000042", REQUEST, SALE, request=request)
    assert env.encode() == b"000042Q" + data
    assert decode_envelope(env.encode()) == env


def test_void_request_names_the_original_trace():
    request = PosRequest(VOID, amount_fen=1228, reference="ORD1-V1", orig_trace="000003",
                         nonce="100")
    assert parse_request(request.encode()).orig_trace == "000003"


@pytest.mark.parametrize("fields", [
    {"txn_type": "99"}, {"txn_type": SALE, "pos_id": "TOO-LONG-ID"},
    {"txn_type": SALE, "reference": "has space"}, {"txn_type": VOID, "orig_trace": "12"},
    {"txn_type": SALE, "nonce": "1"}, {"txn_type": SALE, "amount_fen": -1},
])
def test_bad_requests_are_refused(fields):
    with pytest.raises(ValueError):
        PosRequest(**fields).encode()


def test_replies_round_trip_with_gbk_text():
    at = datetime(2025, 4, 22, 17, 39, 15)
    rec = TransactionRecord(SALE, "00", "交易成功", "000003", "ORD1-1", 1228,
                            "621483******9012", at, rrn="173915040319", auth_code="123456",
                            batch_no="000003", terminal_id="00000004",
                            merchant_id="898500080620629", issuer="0308", settle_date="0422")
    env = record_reply("000042", QUERY, rec, "517")
    back = decode_envelope(env.encode())
    assert back.kind == "R" and back.txn_type == QUERY and back.response.nonce == "517"
    assert record_of(back, datetime(2025, 4, 23)) == rec
    # the 148-byte response sits right after the header and the answered type
    assert parse_response(env.encode()[9:]) == env.response
    for kind in (NOT_FOUND, BUSY):
        assert decode_envelope(Envelope("000043", kind, QUERY).encode()).kind == kind
    progress = Envelope("000044", PROGRESS, SALE, stage="PIN", text="请输入密码")
    got = decode_envelope(progress.encode())
    assert (got.stage, got.text) == ("PIN", "请输入密码")


def test_terminal_time_just_after_new_year():
    assert terminal_time("1231", "235959", datetime(2026, 1, 1, 0, 0, 5)) == \
        datetime(2025, 12, 31, 23, 59, 59)
    assert terminal_time("0422", "173915", datetime(2025, 4, 22, 17, 40)) == \
        datetime(2025, 4, 22, 17, 39, 15)
    with pytest.raises(ProtocolError):
        terminal_time("1340", "000000", datetime(2025, 1, 1))


@pytest.mark.parametrize("payload", [
    b"", b"00001", b"abcdefQ", b"000001X00", b"000001R99", b"000001N00extra",
    b"000001R00" + b"0" * 10, b"000001Q" + b"x" * 91,
])
def test_bad_envelopes_are_refused(payload):
    with pytest.raises(ProtocolError):
        decode_envelope(payload)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_decoding_arbitrary_payloads_never_raises_anything_else(data):
    try:
        decode_envelope(data)
    except ProtocolError:
        pass


def test_a_reply_travels_through_a_frame():
    rec = TransactionRecord(SALE, "51", "可用余额不足", "000009", "R-9", 990,
                            "622202*********0059", datetime(2025, 5, 1, 9, 30))
    payload = record_reply("000003", SALE, rec, "333").encode()
    (frame,) = FrameParser().feed(encode_frame(payload))
    assert isinstance(frame, Frame)
    assert record_of(decode_envelope(frame.payload), datetime(2025, 5, 1, 10)).message == \
        "可用余额不足"
