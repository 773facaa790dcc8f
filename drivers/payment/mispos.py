"""The MIS-POS field set (银联商务 "bankall" request/response, services.md §4.1) carried
in the serial ECR frames of frame.py (docs/payment-protocol.md, "Messages").

The bankall strings are fixed width and GBK: a 59-byte request (POS机号, 操作员号,
交易类型, 金额 in fen, 原交易日期, 原交易参考号, 原凭证号 and a three-digit request
nonce the terminal echoes) and a 148-byte response (返回码 ... LRC). Over the serial line
each rides in an envelope that adds what a DLL call gets for free: a message number
(retransmissions and stale replies are recognised by it), the envelope kind (request,
reply, progress, "no such transaction", "busy") and, as an extension after the fixed
fields, the kiosk's own reference (商户订单号) that every transaction is stored and
queried under. Trailing bytes after a known record are ignored, as the bankall demo
strings carry 14 extension bytes (TS1).

Qt-free; pure functions and frozen dataclasses: the driver and the simulator share them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

# 交易类型 (transaction type) codes. 00-06 are bankall's; 07 and 08 are this ECR
# variant's (a query by the kiosk's reference and a readiness probe), documented in
# docs/payment-protocol.md.
SALE, VOID, REFUND, BALANCE, REPRINT, SIGN_IN, SETTLEMENT = "00", "01", "02", "03", "04", "05", "06"
QUERY, STATUS = "07", "08"
TXN_TYPES = frozenset({SALE, VOID, REFUND, BALANCE, REPRINT, SIGN_IN, SETTLEMENT, QUERY, STATUS})
#: Only money-moving requests are deduplicated by the terminal; the rest are answered fresh.
DEDUPLICATED_TYPES = frozenset({SALE, VOID})

# Envelope kinds.
REQUEST, REPLY, PROGRESS, NOT_FOUND, BUSY = "Q", "R", "P", "N", "B"
KINDS = frozenset({REQUEST, REPLY, PROGRESS, NOT_FOUND, BUSY})

#: Status replies (交易类型 08) answer 返回码 "00" ready, or this one: the terminal has
#: not signed in to the acquirer today (a sale would be refused the same way).
NOT_SIGNED_IN = "Z1"

REQUEST_LAYOUT: tuple[tuple[str, int], ...] = (
    ("pos_id", 8), ("operator", 8), ("txn_type", 2), ("amount", 12), ("orig_date", 8),
    ("orig_rrn", 12), ("orig_trace", 6), ("nonce", 3),
)
RESPONSE_LAYOUT: tuple[tuple[str, int], ...] = (
    ("rc", 2), ("bank", 4), ("card", 20), ("trace", 6), ("amount", 12), ("message", 40),
    ("merchant_id", 15), ("terminal_id", 8), ("batch", 6), ("date", 4), ("time", 6),
    ("rrn", 12), ("auth", 6), ("settle_date", 4), ("nonce", 3),
)
REQUEST_SIZE = sum(n for _, n in REQUEST_LAYOUT)  # 59
RESPONSE_SIZE = sum(n for _, n in RESPONSE_LAYOUT)  # 148
REFERENCE_SIZE = 32  # the extension: 商户订单号, the kiosk's reference
MSGNO_SIZE = 6
MAX_AMOUNT_FEN = 10**12 - 1  # 12 digits
PROGRESS_TEXT_MAX = 60  # bytes of GBK

_REFERENCE = re.compile(r"^[0-9A-Za-z_-]{1,32}$")
_CODE = re.compile(r"^[0-9A-Z]{2}$")
_ID = re.compile(r"^[0-9A-Za-z]{0,8}$")
_CARD = re.compile(r"^[0-9*]{0,19}$")


class ProtocolError(ValueError):
    """Bytes or fields that do not fit the protocol (a frame with a good LRC, bad content)."""


# -- amounts ---------------------------------------------------------------------------


def yuan_to_fen(amount: Decimal | str | int) -> int:
    """Yuan (a Decimal or its text) to fen; ValueError for more than 2 decimals, a
    negative amount or something that is not a number (services.md TS2)."""
    if isinstance(amount, bool) or isinstance(amount, float):
        raise ValueError("amount must be a Decimal, text or int, not a float")
    try:
        value = Decimal(str(amount).strip())
    except InvalidOperation:
        raise ValueError(f"{str(amount)[:20]!r} is not an amount") from None
    if not value.is_finite() or value < 0:
        raise ValueError("amount must be a finite, non-negative number")
    fen = value * 100
    if fen != fen.to_integral_value():
        raise ValueError("amount must have at most 2 decimals")
    return int(fen)


def amount_field(fen: int) -> str:
    """金额: fen, 12 digits, zero-padded, no point (12.28 yuan -> '000000001228')."""
    if isinstance(fen, bool) or not isinstance(fen, int) or not 0 <= fen <= MAX_AMOUNT_FEN:
        raise ValueError(f"amount must be 0..{MAX_AMOUNT_FEN} fen")
    return f"{fen:012d}"


def yuan_field(amount: Decimal | str | int) -> str:
    """The 金额 field for an amount in yuan (TS2: 12.28 -> '000000001228')."""
    return amount_field(yuan_to_fen(amount))


# -- fixed-width helpers ---------------------------------------------------------------


def _ascii(value: str, width: int, name: str) -> bytes:
    data = value.encode("ascii")
    if len(data) > width:
        raise ValueError(f"{name} is longer than {width} characters")
    return data.ljust(width, b" ")


def gbk_fixed(text: str, width: int) -> bytes:
    """`text` in GBK, cut at a character boundary to `width` bytes, space-padded.
    Characters GBK cannot encode become '?'."""
    out = b""
    for ch in text:
        piece = ch.encode("gbk", errors="replace")
        if len(out) + len(piece) > width:
            break
        out += piece
    return out.ljust(width, b" ")


def _split(data: bytes, layout: tuple[tuple[str, int], ...]) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    pos = 0
    for name, width in layout:
        out[name] = data[pos:pos + width]
        pos += width
    return out


def _text(raw: bytes, name: str) -> str:
    try:
        return raw.decode("ascii").strip()
    except UnicodeDecodeError:
        raise ProtocolError(f"{name} is not ASCII") from None


def _digits(raw: bytes, name: str, *, blank_ok: bool = True) -> str:
    text = _text(raw, name)
    if text == "" and blank_ok:
        return ""
    if not (text.isdigit() and len(text) == len(raw)):
        raise ProtocolError(f"bad {name}")
    return text


# -- the request -----------------------------------------------------------------------


@dataclass(frozen=True)
class PosRequest:
    """One bankall request plus the ECR extension (the kiosk's reference).

    For a sale the reference is the new transaction's; for a void it is the void's own
    (the sale is named by `orig_trace`); for a query it is the reference looked up."""

    txn_type: str
    amount_fen: int = 0
    reference: str = ""
    pos_id: str = ""
    operator: str = ""
    orig_date: str = ""  # YYYYMMDD, refunds only
    orig_rrn: str = ""  # 原交易参考号, refunds only
    orig_trace: str = ""  # 原凭证号, voids
    nonce: str = "000"

    def encode(self) -> bytes:
        if self.txn_type not in TXN_TYPES:
            raise ValueError(f"unknown transaction type {self.txn_type!r}")
        if not _ID.match(self.pos_id) or not _ID.match(self.operator):
            raise ValueError("POS number and operator are up to 8 letters or digits")
        if self.reference and not _REFERENCE.match(self.reference):
            raise ValueError("reference must be 1-32 characters of A-Z a-z 0-9 _ -")
        if self.orig_trace and not (len(self.orig_trace) == 6 and self.orig_trace.isdigit()):
            raise ValueError("trace number must be 6 digits")
        if self.orig_date and not (len(self.orig_date) == 8 and self.orig_date.isdigit()):
            raise ValueError("original date must be YYYYMMDD")
        if not (len(self.nonce) == 3 and self.nonce.isdigit()):
            raise ValueError("nonce must be 3 digits")
        return b"".join((
            _ascii(self.pos_id, 8, "POS number"), _ascii(self.operator, 8, "operator"),
            self.txn_type.encode("ascii"), amount_field(self.amount_fen).encode("ascii"),
            _ascii(self.orig_date, 8, "original date"), _ascii(self.orig_rrn, 12, "original RRN"),
            _ascii(self.orig_trace, 6, "original trace"), self.nonce.encode("ascii"),
            _ascii(self.reference, REFERENCE_SIZE, "reference"),
        ))


def parse_request(data: bytes) -> PosRequest:
    """The terminal's side: a request body (59 bytes + the 32-byte reference)."""
    if len(data) != REQUEST_SIZE + REFERENCE_SIZE:
        raise ProtocolError(f"request of {len(data)} bytes, expected "
                            f"{REQUEST_SIZE + REFERENCE_SIZE}")
    f = _split(data, REQUEST_LAYOUT + (("reference", REFERENCE_SIZE),))
    txn_type = _text(f["txn_type"], "transaction type")
    if txn_type not in TXN_TYPES:
        raise ProtocolError(f"unknown transaction type {txn_type[:2]!r}")
    amount = _digits(f["amount"], "amount", blank_ok=False)
    reference = _text(f["reference"], "reference")
    if reference and not _REFERENCE.match(reference):
        raise ProtocolError("bad reference")
    return PosRequest(
        txn_type=txn_type, amount_fen=int(amount), reference=reference,
        pos_id=_text(f["pos_id"], "POS number"), operator=_text(f["operator"], "operator"),
        orig_date=_digits(f["orig_date"], "original date"), orig_rrn=_text(f["orig_rrn"], "RRN"),
        orig_trace=_digits(f["orig_trace"], "original trace"),
        nonce=_digits(f["nonce"], "nonce", blank_ok=False),
    )


# -- the response ----------------------------------------------------------------------


@dataclass(frozen=True)
class PosResponse:
    """The 148-byte bankall response. `card` is masked (first 6 + last 4) by the
    terminal; `message` is the terminal's Chinese text (错误说明)."""

    rc: str
    bank: str = ""
    card: str = ""
    trace: str = ""
    amount_fen: int = 0
    message: str = ""
    merchant_id: str = ""
    terminal_id: str = ""
    batch: str = ""
    date: str = ""  # MMDD
    time: str = ""  # hhmmss
    rrn: str = ""  # 参考号
    auth: str = ""
    settle_date: str = ""  # MMDD
    nonce: str = "000"

    def encode(self) -> bytes:
        if not _CODE.match(self.rc):
            raise ValueError("response code must be 2 of 0-9 A-Z")
        if not _CARD.match(self.card):
            raise ValueError("card field must be digits and '*' only")
        data = b"".join((
            self.rc.encode("ascii"), _ascii(self.bank, 4, "bank"), _ascii(self.card, 20, "card"),
            _ascii(self.trace, 6, "trace"), amount_field(self.amount_fen).encode("ascii"),
            gbk_fixed(self.message, 40), _ascii(self.merchant_id, 15, "merchant"),
            _ascii(self.terminal_id, 8, "terminal"), _ascii(self.batch, 6, "batch"),
            _ascii(self.date, 4, "date"), _ascii(self.time, 6, "time"),
            _ascii(self.rrn, 12, "RRN"), _ascii(self.auth, 6, "auth"),
            _ascii(self.settle_date, 4, "settle date"), _ascii(self.nonce, 3, "nonce"),
        ))
        assert len(data) == RESPONSE_SIZE
        return data


def parse_response(data: bytes) -> PosResponse:
    """Parse a bankall response (GBK, services.md TS1); bytes after the 148 are ignored.
    ProtocolError when a field does not fit."""
    if len(data) < RESPONSE_SIZE:
        raise ProtocolError(f"response of {len(data)} bytes, expected at least {RESPONSE_SIZE}")
    f = _split(data[:RESPONSE_SIZE], RESPONSE_LAYOUT)
    rc = _text(f["rc"], "response code")
    if not _CODE.match(rc):
        raise ProtocolError("bad response code")
    card = _text(f["card"], "card")
    if not _CARD.match(card):
        raise ProtocolError("bad card field")
    try:
        message = f["message"].decode("gbk").strip()
    except UnicodeDecodeError:
        raise ProtocolError("message is not GBK") from None
    return PosResponse(
        rc=rc, bank=_text(f["bank"], "bank"), card=card, trace=_digits(f["trace"], "trace"),
        amount_fen=int(_digits(f["amount"], "amount", blank_ok=False)), message=message,
        merchant_id=_text(f["merchant_id"], "merchant"),
        terminal_id=_text(f["terminal_id"], "terminal"), batch=_digits(f["batch"], "batch"),
        date=_digits(f["date"], "date"), time=_digits(f["time"], "time"),
        rrn=_text(f["rrn"], "RRN"), auth=_text(f["auth"], "auth"),
        settle_date=_digits(f["settle_date"], "settle date"),
        nonce=_digits(f["nonce"], "nonce", blank_ok=False),
    )


# -- the envelope in a frame's payload -------------------------------------------------


@dataclass(frozen=True)
class Envelope:
    """One frame payload: message number, kind, then the kind's body.

    - REQUEST: PosRequest (59 + 32 bytes)
    - REPLY: answered 交易类型 (2) + PosResponse (148) + the record's own 交易类型 (2) +
      its reference (32): for a query the found transaction, otherwise the request's
    - NOT_FOUND / BUSY: answered 交易类型 (2): the query found nothing / the terminal
      is inside a transaction
    - PROGRESS: answered 交易类型 (2) + stage (4) + GBK text (<= 60 bytes)
    """

    msgno: str
    kind: str
    txn_type: str
    request: PosRequest | None = None
    response: PosResponse | None = None
    record_type: str = ""
    reference: str = ""
    stage: str = ""
    text: str = ""
    extra: bytes = field(default=b"", compare=False)

    def encode(self) -> bytes:
        head = self.msgno.encode("ascii") + self.kind.encode("ascii")
        if self.kind == REQUEST:
            assert self.request is not None
            return head + self.request.encode()
        body = self.txn_type.encode("ascii")
        if self.kind == REPLY:
            assert self.response is not None
            return (head + body + self.response.encode() + self.record_type.encode("ascii")
                    + _ascii(self.reference, REFERENCE_SIZE, "reference"))
        if self.kind == PROGRESS:
            return (head + body + _ascii(self.stage, 4, "stage")
                    + gbk_fixed(self.text, PROGRESS_TEXT_MAX).rstrip(b" "))
        return head + body


def decode_envelope(payload: bytes) -> Envelope:
    """Split a frame payload into an Envelope; ProtocolError when it is not one."""
    if len(payload) < MSGNO_SIZE + 1:
        raise ProtocolError("payload too short for a message number")
    msgno = payload[:MSGNO_SIZE].decode("ascii", "replace")
    if not msgno.isdigit():
        raise ProtocolError("bad message number")
    kind = chr(payload[MSGNO_SIZE])
    body = payload[MSGNO_SIZE + 1:]
    if kind == REQUEST:
        request = parse_request(body)
        return Envelope(msgno, kind, request.txn_type, request=request)
    if kind not in KINDS:
        raise ProtocolError(f"unknown message kind {kind!r}")
    txn_type = body[:2].decode("ascii", "replace")
    if txn_type not in TXN_TYPES:
        raise ProtocolError(f"unknown transaction type {txn_type!r}")
    rest = body[2:]
    if kind == REPLY:
        if len(rest) < RESPONSE_SIZE + 2 + REFERENCE_SIZE:
            raise ProtocolError("reply too short")
        response = parse_response(rest[:RESPONSE_SIZE])
        record_type = _text(rest[RESPONSE_SIZE:RESPONSE_SIZE + 2], "record type")
        if record_type not in TXN_TYPES:
            raise ProtocolError("bad record type")
        reference = _text(rest[RESPONSE_SIZE + 2:RESPONSE_SIZE + 2 + REFERENCE_SIZE], "reference")
        if reference and not _REFERENCE.match(reference):
            raise ProtocolError("bad reference")
        return Envelope(msgno, kind, txn_type, response=response, record_type=record_type,
                        reference=reference, extra=rest[RESPONSE_SIZE + 2 + REFERENCE_SIZE:])
    if kind == PROGRESS:
        stage = _text(rest[:4], "stage")
        try:
            text = rest[4:4 + PROGRESS_TEXT_MAX].decode("gbk").strip()
        except UnicodeDecodeError:
            raise ProtocolError("progress text is not GBK") from None
        return Envelope(msgno, kind, txn_type, stage=stage, text=text)
    if rest:
        raise ProtocolError("unexpected bytes after the transaction type")
    return Envelope(msgno, kind, txn_type)


def format_msgno(n: int) -> str:
    """Message numbers run 000001..999999 and wrap to 000001."""
    return f"{(n - 1) % 999999 + 1:06d}"


# -- transaction records (what the terminal stores, what a reply carries) --------------


@dataclass(frozen=True)
class TransactionRecord:
    """One transaction as the terminal stores it and a reply (or query) reports it.
    `kind` is its 交易类型 (SALE, VOID, ...); `card` is masked."""

    kind: str
    response_code: str
    message: str
    trace_no: str
    reference: str
    amount_fen: int
    card: str
    at: datetime
    rrn: str = ""
    auth_code: str = ""
    batch_no: str = ""
    terminal_id: str = ""
    merchant_id: str = ""
    issuer: str = ""
    settle_date: str = ""


def record_reply(msgno: str, answered: str, rec: TransactionRecord, nonce: str) -> Envelope:
    """The REPLY envelope carrying `rec` in answer to a request of type `answered`."""
    response = PosResponse(
        rc=rec.response_code, bank=rec.issuer, card=rec.card, trace=rec.trace_no,
        amount_fen=rec.amount_fen, message=rec.message, merchant_id=rec.merchant_id,
        terminal_id=rec.terminal_id, batch=rec.batch_no, date=rec.at.strftime("%m%d"),
        time=rec.at.strftime("%H%M%S"), rrn=rec.rrn, auth=rec.auth_code,
        settle_date=rec.settle_date, nonce=nonce)
    return Envelope(msgno, REPLY, answered, response=response, record_type=rec.kind,
                    reference=rec.reference)


def terminal_time(mmdd: str, hhmmss: str, now: datetime) -> datetime:
    """The terminal's MMDD + hhmmss as a datetime: this year, or last year when that
    would lie more than a day ahead of `now` (a reply read just after New Year)."""
    if not (len(mmdd) == 4 and len(hhmmss) == 6):
        return now.replace(microsecond=0)
    try:
        at = datetime(now.year, int(mmdd[:2]), int(mmdd[2:]), int(hhmmss[:2]),
                      int(hhmmss[2:4]), int(hhmmss[4:]))
    except ValueError:
        raise ProtocolError("bad terminal date or time") from None
    if (at - now).days >= 1:
        at = at.replace(year=now.year - 1)
    return at


def record_of(env: Envelope, now: datetime) -> TransactionRecord:
    """The TransactionRecord a REPLY envelope carries."""
    if env.kind != REPLY or env.response is None:
        raise ProtocolError("not a transaction reply")
    r = env.response
    return TransactionRecord(
        kind=env.record_type, response_code=r.rc, message=r.message, trace_no=r.trace,
        reference=env.reference, amount_fen=r.amount_fen, card=r.card,
        at=terminal_time(r.date, r.time, now), rrn=r.rrn, auth_code=r.auth,
        batch_no=r.batch, terminal_id=r.terminal_id, merchant_id=r.merchant_id,
        issuer=r.bank, settle_date=r.settle_date)


def check_reference(reference: str) -> str:
    if not isinstance(reference, str) or not _REFERENCE.match(reference):
        raise ValueError("reference must be 1-32 characters of A-Z a-z 0-9 _ -")
    return reference


def check_amount(amount_fen: int) -> int:
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        raise ValueError("amount must be an integer number of fen")
    if not 1 <= amount_fen <= MAX_AMOUNT_FEN:
        raise ValueError(f"amount must be 1..{MAX_AMOUNT_FEN} fen")
    return amount_fen


def check_trace(trace: str) -> str:
    if not isinstance(trace, str) or not (len(trace) == 6 and trace.isdigit()):
        raise ValueError("trace number must be 6 digits")
    return trace
