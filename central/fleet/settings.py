"""What the fleet page and its alerts are configured with (`kiosk central --fleet-*`,
docs/configuration.md)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit


@dataclass(frozen=True)
class FleetSettings:
    #: The terminals' `[sync] heartbeat_interval_s` (the kiosk's default is 60 s).
    heartbeat_interval_s: float = 60.0
    #: A terminal is "silent" after this many intervals without a heartbeat.
    silent_intervals: int = 3
    #: The terminals' `[limits] max_oldest_age_h`: a queue whose oldest pending record
    #: is older raises an alert (the kiosk's default is 72 h).
    queue_age_limit_h: float = 72.0
    #: A device reported in error (or offline) this long raises an alert.
    device_error_s: float = 600.0
    #: Alerts are POSTed as JSON here (None: listed on the page only).
    webhook_url: str | None = None
    #: How often the monitor looks for new alerts (only runs with a webhook).
    check_interval_s: float = 15.0
    #: A sign-in lasts this long (the cookie's Max-Age and the session's expiry).
    session_ttl_s: float = 8 * 3600.0
    #: The page refreshes itself this often.
    refresh_s: int = 15
    #: Heartbeat history kept for the charts.
    history_keep_h: float = 48.0

    def __post_init__(self) -> None:
        if self.heartbeat_interval_s <= 0 or self.silent_intervals < 1:
            raise ValueError("heartbeat interval must be > 0 and silent intervals >= 1")
        if self.queue_age_limit_h <= 0 or self.device_error_s < 0:
            raise ValueError("queue age limit must be > 0 and device error time >= 0")
        if self.check_interval_s <= 0 or self.session_ttl_s <= 0 or self.refresh_s < 1:
            raise ValueError("check interval, session lifetime and refresh must be > 0")
        if self.webhook_url is not None:
            check_webhook_url(self.webhook_url)

    @property
    def silent_after_s(self) -> float:
        return self.heartbeat_interval_s * self.silent_intervals

    @property
    def history_keep(self) -> timedelta:
        return timedelta(hours=self.history_keep_h)


def check_webhook_url(url: str) -> str:
    """ValueError unless `url` is an absolute http(s) URL with a host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("the fleet webhook must be an http:// or https:// URL with a host")
    return url
