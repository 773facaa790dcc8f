"""Second-generation ID card reader frames and records (the SAM serial protocol).

Pure functions, no I/O, so the codec can be tested and fuzzed on its own:

    request : AA AA AA 96 69 | LEN (2 B, big-endian) | CMD PARA | DATA | CHK
    response: AA AA AA 96 69 | LEN | SW1 SW2 SW3 | DATA | CHK

LEN counts the bytes after the length field, CHK included; CHK is the XOR of every
byte after the 5-byte preamble, CHK excluded. The frames are the same over serial,
USB bulk and TCP.

A resident ID card's base info (command 30 01) is a 256-byte UTF-16LE text record and
a 1,024-byte photo in the proprietary WLT format. Foreigner permanent residence cards
and Hong Kong / Macau / Taiwan residence permits answer with the same sizes but another
layout, marked by a card-type letter at character 124 of the text record ('I', 'Y',
'J'); they are refused clearly instead of being misread as garbage.

Personal data never goes into an error message, a log line or a default repr.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from ..errors import DeviceCondition, DeviceError, DeviceErrorCode

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
HEADER_SIZE = len(PREAMBLE) + 2  # preamble + LEN
MAX_LENGTH = 4096  # no reply of this protocol is longer; a bigger LEN is noise
MIN_RESPONSE_LENGTH = 4  # SW1 SW2 SW3 CHK

# Commands as (CMD, PARA).
CMD_RESET = (0x10, 0xFF)
CMD_STATUS = (0x11, 0xFF)
CMD_FIND_CARD = (0x20, 0x01)
CMD_SELECT_CARD = (0x20, 0x02)
CMD_READ_BASE_INFO = (0x30, 0x01)

SW3_SUCCESS = 0x90
SW3_CARD_FOUND = 0x9F
SW3_NO_CARD = 0x80
SUCCESS_CODES = frozenset({SW3_SUCCESS, SW3_CARD_FOUND})

TEXT_LENGTH = 256
PHOTO_LENGTH = 1024
BASE_INFO_DATA_LENGTH = 4 + TEXT_LENGTH + PHOTO_LENGTH  # 1,284 bytes after SW1-SW3
BASE_INFO_FRAME_LENGTH = HEADER_SIZE + 3 + BASE_INFO_DATA_LENGTH + 1  # 1,295 bytes
LONG_TERM = "长期"

# (field, characters) of the resident ID card's text record; 128 characters in all.
TEXT_LAYOUT: tuple[tuple[str, int], ...] = (
    ("name", 15), ("gender", 1), ("nation", 2), ("birth", 8), ("address", 35),
    ("id_number", 18), ("authority", 15), ("valid_from", 8), ("valid_until", 8),
    ("reserved", 18),
)
CARD_TYPE_INDEX = 124  # the card-type letter of the other layouts (blank on ID cards)
OTHER_CARD_TYPES = {
    "I": "foreigner's permanent residence ID card (外国人永久居留身份证)",
    "Y": "foreigner's permanent residence ID card, 2023 edition (外国人永久居留身份证)",
    "J": "Hong Kong / Macau / Taiwan residence permit (港澳台居民居住证)",
}
GENDERS = {"1": "男", "2": "女"}

# GB 3304-91 nation codes as printed on the card (the card shows the name without 族).
NATIONS: dict[str, str] = {
    "01": "汉", "02": "蒙古", "03": "回", "04": "藏", "05": "维吾尔", "06": "苗",
    "07": "彝", "08": "壮", "09": "布依", "10": "朝鲜", "11": "满", "12": "侗",
    "13": "瑶", "14": "白", "15": "土家", "16": "哈尼", "17": "哈萨克", "18": "傣",
    "19": "黎", "20": "傈僳", "21": "佤", "22": "畲", "23": "高山", "24": "拉祜",
    "25": "水", "26": "东乡", "27": "纳西", "28": "景颇", "29": "柯尔克孜", "30": "土",
    "31": "达斡尔", "32": "仫佬", "33": "羌", "34": "布朗", "35": "撒拉", "36": "毛南",
    "37": "仡佬", "38": "锡伯", "39": "阿昌", "40": "普米", "41": "塔吉克", "42": "怒",
    "43": "乌孜别克", "44": "俄罗斯", "45": "鄂温克", "46": "德昂", "47": "保安",
    "48": "裕固", "49": "京", "50": "塔塔尔", "51": "独龙", "52": "鄂伦春", "53": "赫哲",
    "54": "门巴", "55": "珞巴", "56": "基诺",
}
# Also in GB 3304 and in vendor SDK tables; accepted so such a card still reads.
EXTRA_NATIONS = {"97": "其他", "98": "外国血统中国籍人士"}


# -- frames -----------------------------------------------------------------------------


def checksum(body: bytes | bytearray | memoryview) -> int:
    """XOR of the bytes between the preamble and CHK (LEN included)."""
    value = 0
    for b in bytes(body):
        value ^= b
    return value


def build_request(cmd: int, para: int, data: bytes = b"") -> bytes:
    """One request frame; find card (0x20, 0x01) is AA AA AA 96 69 00 03 20 01 22."""
    for name, value in (("cmd", cmd), ("para", para)):
        if not isinstance(value, int) or not 0 <= value <= 0xFF:
            raise ValueError(f"{name} must be a byte, not {value!r}")
    data = bytes(data)
    length = 2 + len(data) + 1
    if length > MAX_LENGTH:
        raise ValueError(f"request data of {len(data)} bytes is longer than the protocol allows")
    body = length.to_bytes(2, "big") + bytes((cmd, para)) + data
    return PREAMBLE + body + bytes((checksum(body),))


def build_response(sw3: int, data: bytes = b"", *, sw1: int = 0, sw2: int = 0) -> bytes:
    """One response frame as a reader sends it (used by tests; the simulator has its own)."""
    for name, value in (("sw1", sw1), ("sw2", sw2), ("sw3", sw3)):
        if not isinstance(value, int) or not 0 <= value <= 0xFF:
            raise ValueError(f"{name} must be a byte, not {value!r}")
    data = bytes(data)
    length = 3 + len(data) + 1
    if length > MAX_LENGTH:
        raise ValueError(f"response data of {len(data)} bytes is longer than the protocol allows")
    body = length.to_bytes(2, "big") + bytes((sw1, sw2, sw3)) + data
    return PREAMBLE + body + bytes((checksum(body),))


@dataclass(frozen=True)
class Response:
    """One reply: the three status bytes and the data between them and CHK."""

    sw1: int
    sw2: int
    sw3: int
    data: bytes = field(default=b"", repr=False)  # may hold personal data

    @property
    def ok(self) -> bool:
        return self.sw3 in SUCCESS_CODES

    def __repr__(self) -> str:
        return (f"Response(sw1=0x{self.sw1:02X}, sw2=0x{self.sw2:02X}, sw3=0x{self.sw3:02X}, "
                f"data=<{len(self.data)} bytes>)")


class FrameReader:
    """Incremental response parser: feed it bytes as they arrive, get whole replies.

    Noise before a preamble is dropped. A frame with an impossible LEN or a wrong CHK
    is rejected by dropping its first byte and searching again, so a real frame that
    follows (or hides inside) a corrupt one is still found. The buffer never holds more
    than one maximal frame, whatever is fed in.
    """

    def __init__(self, *, max_length: int = MAX_LENGTH,
                 min_length: int = MIN_RESPONSE_LENGTH) -> None:
        self.max_length = max_length
        self.min_length = min_length
        self._buf = bytearray()
        self.rejected = 0  # frames dropped for a bad LEN or CHK
        self.discarded = 0  # noise bytes dropped outside frames
        self.last_rejection = ""  # "length" or "checksum"

    @property
    def pending(self) -> int:
        """Bytes held back: a partial preamble or an incomplete frame."""
        return len(self._buf)

    @property
    def in_frame(self) -> bool:
        """A preamble has arrived and its frame is not complete yet."""
        return self._buf.startswith(PREAMBLE)

    @property
    def expected_size(self) -> int | None:
        """The size of the frame being received, once its LEN has arrived."""
        if len(self._buf) < HEADER_SIZE or not self.in_frame:
            return None
        return HEADER_SIZE + int.from_bytes(self._buf[5:7], "big")

    def reset(self) -> None:
        self._buf.clear()

    def feed(self, data: bytes | bytearray) -> list[Response]:
        """Add bytes; return the complete, valid replies found (possibly none)."""
        self._buf += data
        out: list[Response] = []
        buf = self._buf
        while True:
            start = buf.find(PREAMBLE)
            if start < 0:
                keep = _partial_preamble(buf)
                self.discarded += len(buf) - keep
                del buf[: len(buf) - keep]
                return out
            if start:
                self.discarded += start
                del buf[:start]
            if len(buf) < HEADER_SIZE:
                return out
            length = int.from_bytes(buf[5:7], "big")
            if not self.min_length <= length <= self.max_length:
                self._reject("length")
                continue
            total = HEADER_SIZE + length
            if len(buf) < total:
                return out
            if checksum(buf[5 : total - 1]) != buf[total - 1]:
                self._reject("checksum")
                continue
            payload = bytes(buf[HEADER_SIZE : total - 1])
            del buf[:total]
            out.append(Response(payload[0], payload[1], payload[2], payload[3:]))

    def _reject(self, why: str) -> None:
        self.rejected += 1
        self.last_rejection = why
        self.discarded += 1
        del self._buf[:1]


def _partial_preamble(buf: bytearray) -> int:
    """How many bytes at the end of `buf` could be the start of a preamble."""
    for n in range(min(len(PREAMBLE) - 1, len(buf)), 0, -1):
        if buf.endswith(PREAMBLE[:n]):
            return n
    return 0


def parse_frames(data: bytes) -> list[Response]:
    """All valid replies in a complete byte string."""
    return FrameReader().feed(data)


# -- status codes -----------------------------------------------------------------------


@dataclass(frozen=True)
class Sw3Status:
    """What one SW3 value means and which DeviceError it becomes (None: success)."""

    sw3: int
    name: str
    message: str
    error: DeviceErrorCode | None = None
    condition: DeviceCondition | None = None


_F, _I = DeviceErrorCode.FAILURE, DeviceErrorCode.ILLEGAL
_C = DeviceCondition
SW3_STATUS: dict[int, Sw3Status] = {s.sw3: s for s in (
    Sw3Status(0x90, "success", "operation succeeded"),
    Sw3Status(0x9F, "card_found", "card found"),
    Sw3Status(0x91, "no_content", "the card holds no such content", _F, _C.CARD_UNREADABLE),
    Sw3Status(0x10, "checksum_error",
              "the reader received a request with a wrong checksum (line noise?)", _F, _C.BAD_REPLY),
    Sw3Status(0x11, "length_error",
              "the reader received a request with a wrong length (line noise?)", _F, _C.BAD_REPLY),
    Sw3Status(0x21, "bad_command", "the reader does not accept this command", _I),
    Sw3Status(0x23, "not_permitted", "the reader refused the operation (越权操作)", _I),
    Sw3Status(0x24, "unrecognised_error", "the reader reports an unrecognised error", _F),
    Sw3Status(0x31, "card_rejected_reader",
              "the card did not authenticate the reader", _F, _C.CARD_UNREADABLE),
    Sw3Status(0x32, "reader_rejected_card",
              "the reader did not authenticate the card (damaged or not genuine?)",
              _F, _C.CARD_UNREADABLE),
    Sw3Status(0x33, "verification_failed",
              "the card's information failed verification", _F, _C.CARD_UNREADABLE),
    Sw3Status(0x40, "unknown_card_type",
              "unsupported card type: not a resident ID card", _I, _C.CARD_UNSUPPORTED),
    Sw3Status(0x41, "read_failed",
              "reading the card failed: card moved or removed during reading",
              _F, _C.CARD_REMOVED),
    Sw3Status(0x47, "sam_failed", "the reader's security module failed (random number)", _F),
    Sw3Status(0x60, "self_test_failed",
              "the reader's security module failed its self-test (hardware fault)", _F),
    Sw3Status(0x66, "not_authorised", "the reader's security module is not authorised", _F),
    Sw3Status(0x80, "no_card", "no card on the reader", _F, _C.NO_CARD),
    Sw3Status(0x81, "select_failed",
              "selecting the card failed: card moved or removed", _F, _C.CARD_REMOVED),
)}


def sw3_status(sw3: int) -> Sw3Status:
    """The meaning of a status byte; an unknown one is a failure, never success."""
    known = SW3_STATUS.get(sw3)
    if known is not None:
        return known
    return Sw3Status(sw3, "unknown", f"the reader answered with unknown status 0x{sw3:02X}",
                     _F, _C.BAD_REPLY)


def status_error(response: Response, what: str = "") -> DeviceError | None:
    """The DeviceError a reply stands for, or None when it reports success."""
    status = sw3_status(response.sw3)
    if status.error is None:
        return None
    prefix = f"{what}: " if what else ""
    return DeviceError(status.error, f"{prefix}{status.message} (SW3 0x{response.sw3:02X})",
                       status.condition)


def check_response(response: Response, what: str = "") -> Response:
    """Return the reply if it reports success, else raise its DeviceError."""
    error = status_error(response, what)
    if error is not None:
        raise error
    return response


# -- the base info record ---------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class IdCardRecord:
    """What a resident ID card says. The photo (WLT) is kept in memory only, never stored.

    `repr()` shows no personal data, so a record in a traceback or a log leaks nothing.
    Masking for a screen or paper is the kiosk's (kiosk.domain.masking.mask_id_card),
    and so are the ID number's GB 11643 rules: the SAM module has already authenticated
    the card, so this layer checks only that the fields have their shape.
    """

    name: str
    gender: str  # 男 or 女, as printed on the card
    nation_code: str  # GB 3304, "01".."56"
    nation: str  # 汉, 蒙古, ... ("" for a code outside the table)
    birth: date
    address: str
    id_number: str
    authority: str
    valid_from: date
    valid_until: date | None  # None: 长期 (no expiry)
    photo: bytes = field(default=b"", compare=False)

    @property
    def gender_code(self) -> str:
        return {v: k for k, v in GENDERS.items()}.get(self.gender, "")

    @property
    def gender_en(self) -> str:
        return {"男": "male", "女": "female"}.get(self.gender, "")

    def expired(self, today: date | None = None) -> bool:
        """True after the last valid day (a 长期 card never expires)."""
        return self.valid_until is not None and (today or date.today()) > self.valid_until

    def as_dict(self) -> dict[str, str]:
        """All fields as text (dates ISO, 长期 for no expiry); the photo is left out."""
        return {
            "name": self.name,
            "gender": self.gender,
            "nation": self.nation or self.nation_code,
            "birth": self.birth.isoformat(),
            "address": self.address,
            "id_number": self.id_number,
            "authority": self.authority,
            "valid_from": self.valid_from.isoformat(),
            "valid_until": self.valid_until.isoformat() if self.valid_until else LONG_TERM,
        }

    def __repr__(self) -> str:
        return f"IdCardRecord(<personal data hidden>, photo=<{len(self.photo)} bytes>)"


def _unreadable(message: str) -> DeviceError:
    return DeviceError(DeviceErrorCode.ILLEGAL, f"unreadable card: {message}",
                       DeviceCondition.CARD_UNREADABLE)


def _unsupported(message: str) -> DeviceError:
    return DeviceError(DeviceErrorCode.ILLEGAL, f"unsupported card type: {message}",
                       DeviceCondition.CARD_UNSUPPORTED)


def _bad_reply(message: str) -> DeviceError:
    return DeviceError(DeviceErrorCode.FAILURE, message, DeviceCondition.BAD_REPLY)


def split_text_record(text: str) -> dict[str, str]:
    """Cut the 128-character record into its fields; only trailing padding is removed
    (spaces, and NULs some readers use), so '·' and inner spaces in names survive."""
    fields: dict[str, str] = {}
    pos = 0
    for name, width in TEXT_LAYOUT:
        fields[name] = text[pos : pos + width].rstrip(" \x00")
        pos += width
    return fields


def _parse_date(text: str, what: str) -> date:
    if len(text) != 8 or not (text.isascii() and text.isdigit()):
        raise _unreadable(f"the {what} is not a YYYYMMDD date")
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise _unreadable(f"the {what} is not a real date") from None


def _plain_text(value: str, what: str, *, required: bool = True) -> str:
    if required and not value.strip():
        raise _unreadable(f"the {what} is empty")
    # Only control characters are refused: rare name characters may be private-use or
    # newer than this Python's Unicode tables.
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise _unreadable(f"the {what} holds characters that cannot be printed")
    return value


_ID_NUMBER_SHAPE = re.compile(r"[0-9]{17}[0-9X]")


def parse_base_info(reply: bytes | bytearray | Response, *,
                    include_photo: bool = True) -> IdCardRecord:
    """Decode the answer to read base info (30 01) into a checked record.

    Accepts the reply's data (after SW1-SW3: text length, photo length, text, photo),
    the `Response`, or the whole 1,295-byte frame. Raises DeviceError only:
    bad_reply for a malformed reply, illegal/card_unsupported for another card type,
    illegal/card_unreadable when a field does not have its shape.
    """
    if isinstance(reply, Response):
        check_response(reply, "read base info")
        data = reply.data
    else:
        data = bytes(reply)
        if data.startswith(PREAMBLE):
            frames = parse_frames(data)
            if len(frames) != 1:
                raise _bad_reply("the base info reply is not one valid frame")
            check_response(frames[0], "read base info")
            data = frames[0].data
    if len(data) < 4:
        raise _bad_reply(f"the base info reply is {len(data)} bytes, too short")
    text_len = int.from_bytes(data[0:2], "big")
    photo_len = int.from_bytes(data[2:4], "big")
    if (text_len, photo_len) != (TEXT_LENGTH, PHOTO_LENGTH):
        raise _unsupported(f"other card type (text {text_len} bytes, photo {photo_len} bytes; "
                           f"a resident ID card has {TEXT_LENGTH} and {PHOTO_LENGTH})")
    if len(data) != BASE_INFO_DATA_LENGTH:
        raise _bad_reply(f"the base info reply holds {len(data)} bytes after the status, "
                         f"expected {BASE_INFO_DATA_LENGTH}")
    raw_text = data[4 : 4 + TEXT_LENGTH]
    try:
        text = raw_text.decode("utf-16-le")
    except UnicodeDecodeError:
        raise _unreadable("the text record is not valid UTF-16") from None
    if len(text) != TEXT_LENGTH // 2:  # cannot happen for 256 valid bytes; be sure
        raise _unreadable("the text record has the wrong size")
    marker = text[CARD_TYPE_INDEX]
    if marker in OTHER_CARD_TYPES:
        raise _unsupported(OTHER_CARD_TYPES[marker])
    f = split_text_record(text)

    name = _plain_text(f["name"], "name")
    gender = GENDERS.get(f["gender"])
    if gender is None:
        raise _unreadable("the gender code is neither 1 nor 2")
    nation_code = f["nation"]
    if len(nation_code) != 2 or not (nation_code.isascii() and nation_code.isdigit()):
        raise _unreadable("the nation code is not two digits")
    nation = NATIONS.get(nation_code) or EXTRA_NATIONS.get(nation_code, "")
    birth = _parse_date(f["birth"], "birth date")
    address = _plain_text(f["address"], "address")
    id_number = f["id_number"].upper()
    if not _ID_NUMBER_SHAPE.fullmatch(id_number):
        raise _unreadable("the ID number is not 17 digits and a digit or X")
    authority = _plain_text(f["authority"], "issuing authority", required=False)
    valid_from = _parse_date(f["valid_from"], "first valid day")
    valid_until = None if f["valid_until"] == LONG_TERM else _parse_date(
        f["valid_until"], "last valid day")
    photo = bytes(data[4 + TEXT_LENGTH :]) if include_photo else b""
    return IdCardRecord(
        name=name, gender=gender, nation_code=nation_code, nation=nation, birth=birth,
        address=address, id_number=id_number, authority=authority, valid_from=valid_from,
        valid_until=valid_until, photo=photo,
    )


def encode_text_record(fields: dict[str, str]) -> bytes:
    """The 256-byte UTF-16LE text record from field texts (tests and the simulator's
    mirror of it); each field is padded with spaces and must fit its width."""
    parts: list[str] = []
    for name, width in TEXT_LAYOUT:
        value = fields.get(name, "")
        if len(value) > width:
            raise ValueError(f"field {name} is longer than {width} characters")
        parts.append(value.ljust(width, " "))
    return "".join(parts).encode("utf-16-le")


def iter_status_codes() -> Iterable[Sw3Status]:
    """Every known SW3 value (the maintenance screen lists them)."""
    return SW3_STATUS.values()
