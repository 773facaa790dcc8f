"""`kiosk devices read-id`: read the resident ID card on a reader, for installers and
hall staff checking a terminal. The `devices` command group belongs to
kiosk/commands/devices.py, which calls `add_read_id()`; this module defines no
`register` so the group is not created twice.

Output is masked unless --unmasked (whoever stands at the terminal may not be the card
holder's friend). Exit codes: 0 read, 2 no card (or card pulled away), 3 the reader
failed, did not answer, or the card is of an unsupported type.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

EXIT_OK, EXIT_NO_CARD, EXIT_READER = 0, 2, 3

LABELS = (  # key, Chinese label as on the card, English
    ("name", "姓名", "Name"),
    ("gender", "性别", "Gender"),
    ("nation", "民族", "Nation"),
    ("birth", "出生", "Birth date"),
    ("address", "住址", "Address"),
    ("id_number", "公民身份号码", "ID number"),
    ("authority", "签发机关", "Issued by"),
    ("valid_from", "有效期自", "Valid from"),
    ("valid_until", "有效期至", "Valid until"),
)


def add_read_id(devices_subparsers: Any) -> argparse.ArgumentParser:
    """Add `read-id` to the `kiosk devices` sub-command group."""
    p = devices_subparsers.add_parser(
        "read-id", help="read the ID card on a second-generation ID card reader",
        description="Read the resident ID card on the reader and print its fields "
                    "(masked unless --unmasked). Exit 2: no card; 3: reader failure.")
    p.add_argument("--port", required=True, metavar="CONN",
                   help="connection string (serial:///dev/ttyUSB0?baudrate=115200) or a "
                        "device path; the speed is probed when missing or wrong")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--unmasked", action="store_true",
                   help="print name, ID number, address and birth date in full")
    p.add_argument("--photo", action="store_true",
                   help="read the photo too (WLT format: its size is reported, never saved)")
    p.add_argument("--timeout", type=float, default=2.0, metavar="S",
                   help="seconds to wait for each reply (default 2)")
    p.set_defaults(func=cmd_read_id)
    return p


def cmd_read_id(args: argparse.Namespace) -> int:
    from drivers.connection import ConnectionStringError
    from drivers.errors import DeviceCondition, DeviceError
    from drivers.id_card.reader import IdCardReader

    port = args.port if "://" in args.port else f"serial://{args.port}"
    try:
        reader = IdCardReader(port, timeout_s=args.timeout)
    except (ConnectionStringError, ValueError) as exc:
        return _fail(args, EXIT_READER, "bad_port", None, str(exc))
    try:
        with reader:
            record = reader.read_card(include_photo=args.photo)
    except DeviceError as exc:
        no_card = exc.condition in (DeviceCondition.NO_CARD, DeviceCondition.CARD_REMOVED)
        advice = _ADVICE.get(exc.condition.value if exc.condition else exc.code.value, "")
        return _fail(args, EXIT_NO_CARD if no_card else EXIT_READER, exc.code.value,
                     exc.condition.value if exc.condition else None,
                     exc.message + (f". {advice}" if advice else ""))
    from ..domain import IdentifierError, validate_resident_id
    from ..domain.masking import mask_id_card

    try:
        validate_resident_id(record.id_number)
    except IdentifierError as exc:  # the reader checks the shape, the kiosk the rules
        return _fail(args, EXIT_READER, "illegal", "card_unreadable",
                     f"unreadable card: the ID number fails its rules ({exc.code}). "
                     + _ADVICE["card_unreadable"])
    fields = record.as_dict() if args.unmasked else mask_id_card(record.as_dict())
    if args.json:
        out: dict[str, Any] = dict(fields)
        out["masked"] = not args.unmasked
        if args.photo:
            out["photo"] = {"format": "wlt", "bytes": len(record.photo)}
        print(json.dumps(out, ensure_ascii=False))
        return EXIT_OK
    for key, zh, en in LABELS:
        value = fields[key]
        if key == "gender":
            value = f"{value} ({record.gender_en})"
        print(f"{zh} / {en}: {value}")
    if args.photo:
        print(f"照片 / Photo: {len(record.photo)} bytes (WLT, not decoded, not saved)")
    if not args.unmasked:
        print("(masked; --unmasked shows the full fields)")
    return EXIT_OK


_ADVICE = {
    "no_card": "Place the ID card flat on the reader and try again",
    "card_removed": "Keep the card on the reader until reading completes, then try again",
    "card_unreadable": "The card could not be read; try again, or use another way to identify",
    "card_unsupported": "Only resident ID cards are supported by this reader command",
    "timeout": "Check the cable, the power and the --port setting",
    "offline": "Check the cable and the --port setting",
}


def _fail(args: argparse.Namespace, code: int, error: str, condition: str | None,
          message: str) -> int:
    if args.json:
        print(json.dumps({"error": error, "condition": condition, "message": message},
                         ensure_ascii=False))
    print(f"kiosk devices read-id: {message}", file=sys.stderr)
    return code
