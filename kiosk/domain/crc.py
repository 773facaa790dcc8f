"""CRC-16/UMTS as printed in the last field of invoice QR codes (domain.md §1)."""
from __future__ import annotations


def _table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x8005) if crc & 0x8000 else (crc << 1)
        table.append(crc & 0xFFFF)
    return table


_TABLE = _table()


def crc16_umts(data: bytes) -> int:
    """CRC-16/UMTS: poly 0x8005, init 0, no reflection, xorout 0 (check 0xFEE8)."""
    crc = 0
    for byte in data:
        crc = ((crc << 8) & 0xFFFF) ^ _TABLE[((crc >> 8) ^ byte) & 0xFF]
    return crc
