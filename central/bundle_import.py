"""Import of a hand-carried kiosk bundle (`kiosk central --import-bundle FILE`).

The bundle is checked as a whole first (shape, then the signature by the key the kiosk
enrolled with): a truncated or edited file stores nothing. Its records then go through
the same ingest as a network batch, in seq order and in batches, so importing twice,
or importing and then syncing normally, answers "duplicate" instead of storing again.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.db import Kiosk
from central.ingest import BatchError, ingest_batch
from offline_queue.bundle import BundleError, read_bundle, verify_bundle
from offline_queue.wire import MAX_BATCH, SyncBatch


@dataclass
class ImportReport:
    kiosk_id: str
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    acked_through: int = 0
    reasons: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"kiosk {self.kiosk_id}: accepted {self.accepted}, duplicate "
                f"{self.duplicate}, rejected {self.rejected}, acked through seq "
                f"{self.acked_through}")


def import_bundle(session: Session, path: Path, now: datetime | None = None) -> ImportReport:
    """Verify and ingest a bundle file; raises BundleError before storing anything
    if the file is not a valid bundle of an enrolled kiosk."""
    bundle, content = read_bundle(Path(path))
    kiosk = session.execute(select(Kiosk).where(Kiosk.kiosk_id == bundle.kiosk_id)
                            ).scalar_one_or_none()
    if kiosk is None:
        raise BundleError(f"kiosk {bundle.kiosk_id!r} is not enrolled here")
    verify_bundle(content, kiosk.public_key)
    session.rollback()  # end the read transaction before ingest takes the write lock
    now = now or datetime.now(UTC)
    report = ImportReport(bundle.kiosk_id)
    for start in range(0, len(bundle.records), MAX_BATCH):
        batch = SyncBatch(kiosk_id=bundle.kiosk_id,
                          records=bundle.records[start:start + MAX_BATCH])
        try:
            ack = ingest_batch(session, batch, now)
        except BatchError as exc:
            raise BundleError(f"bundle batch from seq {batch.records[0].seq} refused: "
                              f"{exc}") from None
        for result in ack.results:
            if result.status == "accepted":
                report.accepted += 1
            elif result.status == "duplicate":
                report.duplicate += 1
            else:
                report.rejected += 1
                report.reasons.append(f"seq {result.seq}: {result.reason}")
        report.acked_through = ack.acked_through
        if len(ack.results) < len(batch.records):
            # Records after one that failed its signature are left unstored; the next
            # part would only be a gap. Syncing (or a fresh export) sends them again.
            report.reasons.append(f"records after seq {ack.results[-1].seq} not stored: "
                                  f"a record before them failed its signature")
            break
    return report
