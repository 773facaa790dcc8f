"""The SAM ID card reader codec: frame vectors, the incremental reader, status codes and
the base info record (domain.md section 6)."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.errors import DeviceCondition, DeviceError, DeviceErrorCode
from drivers.id_card.protocol import (
    BASE_INFO_FRAME_LENGTH,
    EXTRA_NATIONS,
    MAX_LENGTH,
    NATIONS,
    PREAMBLE,
    SW3_STATUS,
    FrameReader,
    IdCardRecord,
    Response,
    build_request,
    build_response,
    check_response,
    checksum,
    encode_text_record,
    parse_base_info,
    parse_frames,
    split_text_record,
    status_error,
    sw3_status,
)

H = bytes.fromhex
FIELDS = {
    "name": "买买提·艾力", "gender": "1", "nation": "01", "birth": "19491231",
    "address": "北京市朝阳区建国路88号", "id_number": "11010519491231002X",
    "authority": "北京市公安局朝阳分局", "valid_from": "20150101", "valid_until": "长期",
}
PHOTO = bytes(range(256)) * 4


def base_info_frame(fields: dict[str, str] | None = None, *, text: bytes | None = None,
                    text_len: int = 256, photo_len: int = 1024, photo: bytes = PHOTO) -> bytes:
    """The 1,295-byte reply to 30 01, assembled by hand (not with build_response)."""
    record = text if text is not None else encode_text_record({**FIELDS, **(fields or {})})
    payload = (b"\x00\x00\x90" + text_len.to_bytes(2, "big") + photo_len.to_bytes(2, "big")
               + record + photo)
    body = (len(payload) + 1).to_bytes(2, "big") + payload
    chk = 0
    for b in body:
        chk ^= b
    return PREAMBLE + body + bytes([chk])


# -- frames -----------------------------------------------------------------------------


@pytest.mark.parametrize("cmd,para,frame", [
    (0x20, 0x01, "AA AA AA 96 69 00 03 20 01 22"),  # find card (domain.md)
    (0x20, 0x02, "AA AA AA 96 69 00 03 20 02 21"),  # select card
    (0x30, 0x01, "AA AA AA 96 69 00 03 30 01 32"),  # read base info
    (0x11, 0xFF, "AA AA AA 96 69 00 03 11 FF ED"),  # status
    (0x10, 0xFF, "AA AA AA 96 69 00 03 10 FF EC"),  # reset
])
def test_request_vectors(cmd: int, para: int, frame: str) -> None:
    assert build_request(cmd, para) == H(frame)


def test_request_with_data_counts_and_checks_it() -> None:
    frame = build_request(0x60, 0x00, b"\x01\x02")
    assert frame[:5] == PREAMBLE
    assert frame[5:7] == b"\x00\x05"  # CMD PARA DATA(2) CHK
    assert frame[-1] == checksum(frame[5:-1]) == 0x00 ^ 0x05 ^ 0x60 ^ 0x00 ^ 0x01 ^ 0x02


def test_request_rejects_non_bytes() -> None:
    with pytest.raises(ValueError):
        build_request(0x100, 0)
    with pytest.raises(ValueError):
        build_request(0x20, -1)
    with pytest.raises(ValueError):
        build_request(0x20, 1, bytes(MAX_LENGTH))


@pytest.mark.parametrize("frame,sw3,data", [
    ("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97", 0x9F, bytes(4)),  # card found
    ("AA AA AA 96 69 00 04 00 00 80 84", 0x80, b""),  # no card
    ("AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C", 0x90, bytes(8)),  # selected
    ("AA AA AA 96 69 00 04 00 00 81 85", 0x81, b""),  # select failed
])
def test_real_reader_replies(frame: str, sw3: int, data: bytes) -> None:
    [reply] = parse_frames(H(frame))
    assert (reply.sw1, reply.sw2, reply.sw3, reply.data) == (0, 0, sw3, data)
    assert build_response(sw3, data) == H(frame)


def test_reader_reassembles_a_reply_fed_byte_by_byte() -> None:
    frame = base_info_frame()
    assert len(frame) == BASE_INFO_FRAME_LENGTH == 1295
    assert frame[:10] == H("AA AA AA 96 69 05 08 00 00 90")
    reader = FrameReader()
    got: list[Response] = []
    for i in range(len(frame)):
        got += reader.feed(frame[i : i + 1])
        if i < len(frame) - 1:
            assert not got and reader.in_frame == (i >= len(PREAMBLE) - 1)
    assert len(got) == 1 and got[0].sw3 == 0x90 and len(got[0].data) == 1284
    assert reader.pending == 0 and not reader.in_frame


def test_noise_partial_preambles_and_two_frames_in_one_read() -> None:
    a, b = build_response(0x9F, bytes(4)), build_response(0x90, bytes(8))
    reader = FrameReader()
    assert reader.feed(b"\x00\xff\xaa\xaa") == []  # noise, then what may start a preamble
    assert reader.pending == 2
    replies = reader.feed(b"\x13" + a + b"\xaa\xaa\xaa\x96" + b"\x55" + b)
    assert [r.sw3 for r in replies] == [0x9F, 0x90]
    assert reader.discarded > 0 and reader.rejected == 0


def test_preamble_overlapping_extra_aa_bytes() -> None:
    assert [r.sw3 for r in parse_frames(b"\xaa\xaa" + build_response(0x80))] == [0x80]


def test_bad_checksum_is_rejected_and_the_next_frame_found() -> None:
    bad = bytearray(build_response(0x90, b"abc"))
    bad[-1] ^= 0xFF
    reader = FrameReader()
    assert reader.feed(bytes(bad)) == []
    assert reader.rejected == 1 and reader.last_rejection == "checksum"
    assert [r.sw3 for r in reader.feed(build_response(0x9F))] == [0x9F]


def test_impossible_lengths_are_rejected_without_waiting() -> None:
    reader = FrameReader()
    too_long = PREAMBLE + (MAX_LENGTH + 1).to_bytes(2, "big")
    too_short = PREAMBLE + b"\x00\x02"
    assert reader.feed(too_long + too_short + build_response(0x90)) != []
    assert reader.rejected == 2 and reader.last_rejection == "length"


def test_a_frame_hidden_inside_a_corrupt_one_is_found() -> None:
    # A bogus header claims 20 bytes; the real reply sits inside them.
    real = build_response(0x90, b"\x01\x02")
    junk = PREAMBLE + b"\x00\x14" + b"\x00" + real + bytes(20)
    assert [r.data for r in parse_frames(junk)] == [b"\x01\x02"]


def test_buffer_stays_bounded_under_endless_noise() -> None:
    reader = FrameReader()
    for _ in range(200):
        reader.feed(bytes(range(256)) * 4)
    assert reader.pending <= len(PREAMBLE) + 2 + MAX_LENGTH


def test_response_repr_hides_data() -> None:
    text = repr(Response(0, 0, 0x90, "11010519491231002X".encode()))
    assert "1101" not in text and "18 bytes" in text


# -- status codes -----------------------------------------------------------------------

EXPECTED_STATUS = {
    0x90: (None, None), 0x9F: (None, None),
    0x80: (DeviceErrorCode.FAILURE, DeviceCondition.NO_CARD),
    0x81: (DeviceErrorCode.FAILURE, DeviceCondition.CARD_REMOVED),
    0x41: (DeviceErrorCode.FAILURE, DeviceCondition.CARD_REMOVED),
    0x10: (DeviceErrorCode.FAILURE, DeviceCondition.BAD_REPLY),
    0x11: (DeviceErrorCode.FAILURE, DeviceCondition.BAD_REPLY),
    0x21: (DeviceErrorCode.ILLEGAL, None),
    0x23: (DeviceErrorCode.ILLEGAL, None),
    0x24: (DeviceErrorCode.FAILURE, None),
    0x31: (DeviceErrorCode.FAILURE, DeviceCondition.CARD_UNREADABLE),
    0x32: (DeviceErrorCode.FAILURE, DeviceCondition.CARD_UNREADABLE),
    0x33: (DeviceErrorCode.FAILURE, DeviceCondition.CARD_UNREADABLE),
    0x40: (DeviceErrorCode.ILLEGAL, DeviceCondition.CARD_UNSUPPORTED),
    0x47: (DeviceErrorCode.FAILURE, None),
    0x60: (DeviceErrorCode.FAILURE, None),
    0x66: (DeviceErrorCode.FAILURE, None),
    0x91: (DeviceErrorCode.FAILURE, DeviceCondition.CARD_UNREADABLE),
}


def test_every_known_status_code_is_mapped() -> None:
    assert set(SW3_STATUS) == set(EXPECTED_STATUS)
    for sw3, (code, condition) in EXPECTED_STATUS.items():
        error = status_error(Response(0, 0, sw3), "find card")
        if code is None:
            assert error is None and check_response(Response(0, 0, sw3)).sw3 == sw3
            continue
        assert isinstance(error, DeviceError)
        assert (error.code, error.condition) == (code, condition), hex(sw3)
        assert f"0x{sw3:02X}" in error.message and error.message.startswith("find card: ")
        assert sw3_status(sw3).message in error.message
        with pytest.raises(DeviceError):
            check_response(Response(0, 0, sw3))


def test_unknown_status_is_a_failure_never_success() -> None:
    for sw3 in set(range(256)) - set(SW3_STATUS):
        error = status_error(Response(0, 0, sw3))
        assert error is not None and error.code is DeviceErrorCode.FAILURE
        assert error.condition is DeviceCondition.BAD_REPLY


# -- base info --------------------------------------------------------------------------


def test_full_base_info_reply_parses() -> None:
    record = parse_base_info(base_info_frame())
    assert record.name == "买买提·艾力"
    assert (record.gender, record.gender_code, record.gender_en) == ("男", "1", "male")
    assert (record.nation_code, record.nation) == ("01", "汉")
    assert record.birth == date(1949, 12, 31)
    assert record.address == "北京市朝阳区建国路88号"
    assert record.id_number == "11010519491231002X"
    assert record.authority == "北京市公安局朝阳分局"
    assert record.valid_from == date(2015, 1, 1)
    assert record.valid_until is None and not record.expired()
    assert record.photo == PHOTO


def test_parse_accepts_the_response_or_its_data_and_can_drop_the_photo() -> None:
    [reply] = parse_frames(base_info_frame())
    a = parse_base_info(reply)
    b = parse_base_info(reply.data, include_photo=False)
    assert a == b and a.photo == PHOTO and b.photo == b""  # the photo is not compared


def test_only_trailing_spaces_are_stripped() -> None:
    record = parse_base_info(base_info_frame({"name": "阿依 古丽·买", "address": " 新疆 喀什 "}))
    assert record.name == "阿依 古丽·买"
    assert record.address == " 新疆 喀什"
    fields = split_text_record(encode_text_record({**FIELDS, "name": "A B"}).decode("utf-16-le"))
    assert fields["name"] == "A B" and fields["reserved"] == ""


def test_a_dated_expiry_and_a_female_holder() -> None:
    record = parse_base_info(base_info_frame({"gender": "2", "valid_until": "20350101",
                                              "nation": "56"}))
    assert record.gender == "女" and record.nation == "基诺"
    assert record.valid_until == date(2035, 1, 1)
    assert record.expired(date(2035, 1, 2)) and not record.expired(date(2035, 1, 1))


def test_nation_table_has_all_56_nations() -> None:
    assert list(NATIONS) == [f"{i:02d}" for i in range(1, 57)]
    assert len(set(NATIONS.values())) == 56
    assert (NATIONS["01"], NATIONS["02"], NATIONS["05"], NATIONS["29"], NATIONS["43"]) == (
        "汉", "蒙古", "维吾尔", "柯尔克孜", "乌孜别克")
    assert all(not name.endswith("族") for name in NATIONS.values())
    for code in ("97", "98"):  # other GB 3304 codes still read
        assert parse_base_info(base_info_frame({"nation": code})).nation == EXTRA_NATIONS[code]
    odd = parse_base_info(base_info_frame({"nation": "77"}))
    assert odd.nation == "" and odd.as_dict()["nation"] == "77"


def _unreadable(**fields: str) -> DeviceError:
    with pytest.raises(DeviceError) as info:
        parse_base_info(base_info_frame(fields))
    assert info.value.code is DeviceErrorCode.ILLEGAL
    assert info.value.condition is DeviceCondition.CARD_UNREADABLE
    assert "unreadable card" in info.value.message
    return info.value


def test_fields_that_fail_their_rules_make_the_card_unreadable() -> None:
    assert "ID number" in _unreadable(id_number="11010119900307447").message  # 17 chars
    _unreadable(id_number="11010119900307447Y")
    _unreadable(id_number="")
    _unreadable(birth="19490231")
    _unreadable(birth="1949123")
    _unreadable(valid_from="20150230")
    _unreadable(valid_until="永久")
    _unreadable(gender="3")
    _unreadable(nation="汉族")
    _unreadable(name="")
    _unreadable(name="张\x07三")


def test_error_messages_hold_no_personal_data() -> None:
    error = _unreadable(id_number="11010119900307447Y")
    assert "11010119900307447" not in str(error) and "买买提" not in str(error)


@pytest.mark.parametrize("letter,words", [
    ("I", "permanent residence"), ("Y", "2023"), ("J", "Hong Kong"),
])
def test_foreigner_and_permit_layouts_fail_clearly(letter: str, words: str) -> None:
    chars = ("MUSTERMANN ERIKA".ljust(60) + "2" + "USA120078000001" + "USA").ljust(124)
    text = (chars + letter + "   ").encode("utf-16-le")
    with pytest.raises(DeviceError) as info:
        parse_base_info(base_info_frame(text=text))
    assert info.value.code is DeviceErrorCode.ILLEGAL
    assert info.value.condition is DeviceCondition.CARD_UNSUPPORTED
    assert "unsupported card type" in info.value.message and words in info.value.message


def test_other_text_and_photo_lengths_are_another_card_type() -> None:
    with pytest.raises(DeviceError) as info:
        parse_base_info(base_info_frame(text=bytes(512), text_len=512))
    assert info.value.condition is DeviceCondition.CARD_UNSUPPORTED
    assert "other card type" in info.value.message
    with pytest.raises(DeviceError) as info:
        parse_base_info(base_info_frame(photo_len=2048))
    assert info.value.condition is DeviceCondition.CARD_UNSUPPORTED


def test_short_replies_and_failed_status_are_typed_errors() -> None:
    frame = base_info_frame()
    with pytest.raises(DeviceError) as info:
        parse_base_info(frame[:700])  # half a frame: no valid frame at all
    assert info.value.condition is DeviceCondition.BAD_REPLY
    [reply] = parse_frames(frame)
    with pytest.raises(DeviceError) as info:
        parse_base_info(reply.data[:-1])
    assert info.value.condition is DeviceCondition.BAD_REPLY
    with pytest.raises(DeviceError) as info:
        parse_base_info(Response(0, 0, 0x41))
    assert info.value.condition is DeviceCondition.CARD_REMOVED


def test_masked_view_and_repr() -> None:
    from kiosk.domain.masking import mask_id_card

    record = parse_base_info(base_info_frame())
    masked = mask_id_card(record.as_dict())
    assert masked["id_number"] == "110***********002X"  # domain.md §9, screen
    assert masked["name"] == record.name[0] + "*" * (len(record.name) - 2) + record.name[-1]
    assert masked["address"] == "北京市朝阳区***"
    assert masked["birth"] == "****-**-**"  # with it the masked number would be rebuilt
    assert set(masked) == set(record.as_dict()) == {
        "name", "gender", "nation", "birth", "address", "id_number", "authority",
        "valid_from", "valid_until"}
    text = repr(record) + str(record)
    assert "11010519491231002X" not in text and record.name not in text
    assert "建国路" not in text and "110***" not in text  # nothing personal at all
    assert "1024 bytes" in text


def test_record_is_frozen() -> None:
    record = parse_base_info(base_info_frame())
    with pytest.raises(AttributeError):
        record.name = "x"  # type: ignore[misc]
    assert isinstance(record, IdCardRecord)


# -- fuzzing ----------------------------------------------------------------------------

FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.lists(st.binary(max_size=300), max_size=20))
def test_frame_reader_survives_any_bytes(chunks: list[bytes]) -> None:
    reader = FrameReader()
    for chunk in chunks:
        for reply in reader.feed(chunk):
            assert isinstance(reply, Response) and 0 <= reply.sw3 <= 255
        assert reader.pending <= 7 + MAX_LENGTH


@FUZZ
@given(st.binary(max_size=200), st.binary(max_size=200), st.integers(0, 255),
       st.binary(max_size=64), st.integers(1, 50))
def test_a_frame_in_noise_is_found_however_it_is_cut(
        before: bytes, after: bytes, sw3: int, data: bytes, step: int) -> None:
    before = before.replace(b"\xaa", b"")  # noise that cannot start a frame
    stream = before + build_response(sw3, data) + after.replace(b"\xaa", b"")
    reader = FrameReader()
    got: list[Response] = []
    for i in range(0, len(stream), step):
        got += reader.feed(stream[i : i + step])
    assert [(r.sw3, r.data) for r in got] == [(sw3, data)]


@FUZZ
@given(st.binary(max_size=1400))
def test_parse_base_info_raises_only_device_errors(data: bytes) -> None:
    try:
        parse_base_info(data)
    except DeviceError:
        pass


@FUZZ
@given(st.binary(min_size=256, max_size=256), st.binary(min_size=1024, max_size=1024))
def test_random_text_records_raise_only_device_errors(text: bytes, photo: bytes) -> None:
    try:
        record = parse_base_info(base_info_frame(text=text, photo=photo))
    except DeviceError as exc:
        assert exc.code in (DeviceErrorCode.ILLEGAL, DeviceErrorCode.FAILURE)
    else:
        assert isinstance(record, IdCardRecord)


@FUZZ
@given(st.integers(0, BASE_INFO_FRAME_LENGTH - 1), st.integers(1, 255))
def test_any_flipped_byte_is_caught(index: int, flip: int) -> None:
    frame = bytearray(base_info_frame())
    frame[index] ^= flip
    try:
        parse_base_info(bytes(frame))
    except DeviceError:
        return
    raise AssertionError("a corrupted frame was accepted")
