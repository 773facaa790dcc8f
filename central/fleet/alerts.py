"""Alert occurrences and the webhook.

An occurrence starts when an alert of central.fleet.status first holds for a terminal
(silent for 3 heartbeat intervals, queue older than the exposure limit, a device in
error for 10 minutes) and ends when it no longer does; the next time it holds is a new
occurrence. Each is stored once (the table's unique constraint decides between worker
processes that notice it together) and POSTed to the configured webhook once: a
sender claims it by setting `notified_at` in one UPDATE, and gives the claim back if
the POST fails, to be tried again later (waits doubling up to MAX_BACKOFF_S, at most
MAX_ATTEMPTS tries).

The webhook body (JSON, no personal data):
  {"event": "fleet.alert", "occurrence": 12, "kiosk_id": "K-0101-01", "hall": "hall-0101",
   "kind": "silent", "subject": "", "detail": "no heartbeat for 3 min",
   "since": "...", "raised_at": "...", "cleared_at": null, "page": "/fleet/kiosks/K-0101-01"}
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from central.db import Kiosk
from central.fleet.models import FleetAlert
from central.fleet.settings import FleetSettings
from central.fleet.status import Alert, fleet_view

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
#: Waits between tries of one occurrence double from the check interval up to this.
MAX_BACKOFF_S = 300.0
WEBHOOK_TIMEOUT_S = 5.0
#: An occurrence that ended before the webhook took it is still sent within this time.
LATE_SEND = timedelta(hours=1)


def _key(kiosk_id: str, kind: str, subject: str) -> tuple[str, str, str]:
    return kiosk_id, kind, subject


def sync_occurrences(sessions: sessionmaker[Session], settings: FleetSettings,
                     now: datetime) -> list[Alert]:
    """Open an occurrence for each alert that holds now and has none open, close the
    open ones that no longer hold; returns the alerts that hold."""
    with sessions() as session:
        current = fleet_view(session, settings, now, charts=False).alerts
        open_rows = session.execute(select(FleetAlert).where(
            FleetAlert.open_slot == "")).scalars().all()
        holding = {_key(a.kiosk_id, a.kind, a.subject): a for a in current}
        changed = False
        for row in open_rows:
            alert = holding.pop(_key(row.kiosk_id, row.kind, row.subject), None)
            if alert is None:
                row.cleared_at = now
                row.open_slot = str(row.id)
                changed = True
            elif alert.detail != row.detail:
                row.detail = alert.detail  # "silent for 4 min" -> "... 5 min"
                changed = True
        if changed:
            session.commit()
        else:
            session.rollback()
    for alert in holding.values():  # new occurrences, each in its own transaction
        with sessions() as session:
            session.add(FleetAlert(kiosk_id=alert.kiosk_id, kind=alert.kind,
                                   subject=alert.subject, open_slot="", detail=alert.detail,
                                   since=alert.since, raised_at=now, attempts=0))
            try:
                session.commit()
            except IntegrityError:  # another worker opened it first
                session.rollback()
    return current


def webhook_body(row: FleetAlert, hall: str) -> dict[str, Any]:
    return {"event": "fleet.alert", "occurrence": row.id, "kiosk_id": row.kiosk_id,
            "hall": hall, "kind": row.kind, "subject": row.subject, "detail": row.detail,
            "since": row.since.isoformat(), "raised_at": row.raised_at.isoformat(),
            "cleared_at": row.cleared_at.isoformat() if row.cleared_at else None,
            "page": f"/fleet/kiosks/{row.kiosk_id}"}


def send_pending(sessions: sessionmaker[Session], url: str, now: datetime,
                 post: Callable[[str, dict[str, Any]], None],
                 first_wait_s: float = 15.0) -> int:
    """POST every occurrence the webhook has not taken yet; returns how many went."""
    with sessions() as session:
        rows = session.execute(select(FleetAlert.id).where(
            FleetAlert.notified_at.is_(None), FleetAlert.attempts < MAX_ATTEMPTS,
            or_(FleetAlert.retry_at.is_(None), FleetAlert.retry_at <= now),
            or_(FleetAlert.cleared_at.is_(None), FleetAlert.raised_at >= now - LATE_SEND))
            .order_by(FleetAlert.id)).scalars().all()
    sent = 0
    for alert_id in rows:
        with sessions() as session:
            claimed = session.execute(
                update(FleetAlert).where(FleetAlert.id == alert_id,
                                         FleetAlert.notified_at.is_(None))
                .values(notified_at=now, attempts=FleetAlert.attempts + 1)).rowcount  # type: ignore[attr-defined]
            session.commit()
            if claimed != 1:
                continue  # another worker took it
            row = session.get(FleetAlert, alert_id)
            assert row is not None
            kiosk = session.get(Kiosk, row.kiosk_id)
            body = webhook_body(row, (kiosk.hall_id or "") if kiosk else "")
            attempts = row.attempts
        try:
            post(url, body)
            sent += 1
        except Exception as exc:  # noqa: BLE001 - any failure: give the claim back
            log.warning("fleet webhook: occurrence %s not delivered (%s)", alert_id,
                        type(exc).__name__)
            with sessions() as session:
                wait = min(MAX_BACKOFF_S, first_wait_s * 2 ** (attempts - 1))
                session.execute(update(FleetAlert).where(FleetAlert.id == alert_id)
                                .values(notified_at=None,
                                        retry_at=now + timedelta(seconds=wait)))
                session.commit()
    return sent


def http_post(url: str, body: dict[str, Any]) -> None:
    """POST `body` as JSON; any answer but 2xx is a failure (tried again later)."""
    response = httpx.post(url, json=body, timeout=WEBHOOK_TIMEOUT_S, follow_redirects=False)
    response.raise_for_status()


class FleetMonitor:
    """Looks for alert occurrences every `check_interval_s` and sends them to the
    webhook, on a daemon thread (one per worker process; the database keeps them from
    being sent twice). Started by create_app when a webhook is configured."""

    def __init__(self, sessions: sessionmaker[Session], settings: FleetSettings,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC),
                 post: Callable[[str, dict[str, Any]], None] = http_post) -> None:
        if settings.webhook_url is None:
            raise ValueError("FleetMonitor needs a webhook URL")
        self._sessions = sessions
        self._settings = settings
        self._now = now
        self._post = post
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def check(self) -> int:
        """One pass: occurrences brought up to date and sent; returns how many went."""
        now = self._now()
        sync_occurrences(self._sessions, self._settings, now)
        assert self._settings.webhook_url is not None
        return send_pending(self._sessions, self._settings.webhook_url, now, self._post,
                            self._settings.check_interval_s)

    def _run(self) -> None:
        while not self._stop.wait(self._settings.check_interval_s):
            try:
                self.check()
            except Exception as exc:  # noqa: BLE001 - a busy database: next pass
                log.warning("fleet monitor pass failed: %s", type(exc).__name__)

    def start(self) -> FleetMonitor:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="fleet-monitor",
                                            daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
