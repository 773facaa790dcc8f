"""Terminals put out of service from the fleet side (issue #14 §2), on the one
`central.db.Base` (migration 0012).

One row per terminal that is out of service: the reason and the nearest alternative
("请到 3 号窗口"), in Chinese and English, shown full screen by the kiosk. The kiosk
learns it from the answer to its next signed heartbeat (`HeartbeatAck.out_of_service`);
clearing deletes the row. The texts are public notices: no personal data.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, ForeignKey, Row, String, bindparam, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from central.db import Base, UtcDateTime

MAX_TEXT = 200


class KioskOutOfService(Base):
    __tablename__ = "kiosk_out_of_service"

    kiosk_id: Mapped[str] = mapped_column(String(64), ForeignKey("kiosks.kiosk_id"),
                                          primary_key=True)
    reason_zh: Mapped[str] = mapped_column(String(MAX_TEXT))
    reason_en: Mapped[str] = mapped_column(String(MAX_TEXT))
    alternative_zh: Mapped[str] = mapped_column(String(MAX_TEXT))
    alternative_en: Mapped[str] = mapped_column(String(MAX_TEXT))
    since: Mapped[datetime] = mapped_column(UtcDateTime)


def notice_of(row: KioskOutOfService | Row[Any] | None) -> dict[str, Any] | None:
    """The notice as the kiosk and the fleet page get it, or None (in service)."""
    if row is None:
        return None
    return {"reason_zh": row.reason_zh, "reason_en": row.reason_en,
            "alternative_zh": row.alternative_zh, "alternative_en": row.alternative_en,
            "since": row.since}


def out_of_service(session: Session, kiosk_id: str) -> dict[str, Any] | None:
    """The terminal's out-of-service notice, or None (for the heartbeat and fleet page)."""
    return notice_of(session.get(KioskOutOfService, kiosk_id))


_NOTICE = (select(KioskOutOfService.__table__)
           .where(KioskOutOfService.__table__.c.kiosk_id == bindparam("k_kiosk")))


def notice_on(conn: Connection, kiosk_id: str) -> dict[str, Any] | None:
    """`out_of_service` as one Core statement on the caller's connection (the heartbeat
    reads it inside its own transaction, before the commit)."""
    row = conn.execute(_NOTICE, {"k_kiosk": kiosk_id}).one_or_none()
    return None if row is None else notice_of(row)


def all_out_of_service(session: Session) -> dict[str, dict[str, Any]]:
    """kiosk_id -> notice for every terminal out of service (the fleet page's column)."""
    rows = session.query(KioskOutOfService).all()
    return {row.kiosk_id: notice_of(row) or {} for row in rows}


def set_out_of_service(session: Session, kiosk_id: str, texts: dict[str, str]) -> KioskOutOfService:
    """Put the terminal out of service (or change its notice); the caller commits."""
    row = session.get(KioskOutOfService, kiosk_id)
    if row is None:
        row = KioskOutOfService(kiosk_id=kiosk_id, since=datetime.now(UTC), **texts)
        session.add(row)
    else:
        for name, value in texts.items():
            setattr(row, name, value)
    return row


def clear_out_of_service(session: Session, kiosk_id: str) -> bool:
    """Back in service; False if it was not out of service. The caller commits."""
    row = session.get(KioskOutOfService, kiosk_id)
    if row is None:
        return False
    session.delete(row)
    return True
