"""Where the central service may listen, and what it needs there: the one place for
the rules of docs/security.md ("Where the central service may listen").

- On a loopback address (127.0.0.0/8, ::1, a name that resolves only to those) the
  service may run without TLS and without tokens: development, tests, scenarios.
- On any other address (0.0.0.0 and :: included) it needs BOTH the admin and the
  enrolment token, and TLS unless `--insecure-demo` is given; that flag waives TLS
  only, never the tokens.
- `--demo-data` and the demo-only endpoints run only on loopback or with
  `--insecure-demo`; a demo endpoint also needs the admin token when one is set
  (`demo_refusal`).

`kiosk central` (central.cli) and `CentralServer` (central.server) decide with
`Exposure.decide` before they touch the database, refuse with `refusal()`, and leave
the decision on `app.state.exposure` for the demo endpoints.
"""
from __future__ import annotations

import hmac
import ipaddress
import socket
from dataclasses import dataclass
from typing import Any

from offline_queue.secrets import describe_sources

ADMIN_TOKEN_ENV = "KIOSK_CENTRAL_ADMIN_TOKEN"
ENROLMENT_TOKEN_ENV = "KIOSK_CENTRAL_ENROLMENT_TOKEN"
#: systemd credential names (`LoadCredential=admin-token:/etc/kiosk-central/admin-token`).
ADMIN_TOKEN_CREDENTIAL = "admin-token"
ENROLMENT_TOKEN_CREDENTIAL = "enrolment-token"


def is_loopback_address(address: str) -> bool:
    """True for an IP literal in 127.0.0.0/8 or ::1 (also ::ffff:127.x.x.x); False for
    anything else, names included."""
    text = address.strip().removeprefix("[").removesuffix("]").split("%", 1)[0]
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def is_loopback_host(host: str) -> bool:
    """Whether listening on `host` reaches this machine only.

    An IP literal is classified as it is. A name counts as loopback only if every
    address it resolves to is loopback ("localhost" on a sane system); a name that
    does not resolve, or resolves to any other address, counts as public. The empty
    host means every interface.
    """
    if not host.strip():
        return False
    try:
        ipaddress.ip_address(host.strip().removeprefix("[").removesuffix("]")
                             .split("%", 1)[0])
    except ValueError:
        pass
    else:
        return is_loopback_address(host)
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return False
    addresses = {info[4][0] for info in infos}
    return bool(addresses) and all(is_loopback_address(str(a)) for a in addresses)


@dataclass(frozen=True)
class Exposure:
    """What the service was started with, and where: the facts the rules need."""

    host: str
    loopback: bool
    tls: bool
    admin_token: bool
    enrolment_token: bool
    insecure_demo: bool = False
    demo_data: bool = False

    @classmethod
    def decide(cls, host: str, *, tls: bool, admin_token: bool, enrolment_token: bool,
               insecure_demo: bool = False, demo_data: bool = False) -> Exposure:
        return cls(host=host, loopback=is_loopback_host(host), tls=tls,
                   admin_token=admin_token, enrolment_token=enrolment_token,
                   insecure_demo=insecure_demo, demo_data=demo_data)

    @property
    def demo_allowed(self) -> bool:
        """Demo data and demo-only endpoints: loopback, or an explicit --insecure-demo."""
        return self.loopback or self.insecure_demo

    def missing(self) -> list[str]:
        """What this start lacks, in words for the operator; [] if it may start."""
        if self.loopback:
            return []
        out = []
        if not self.admin_token:
            out.append("the admin token (--admin-token-file, " + describe_sources(
                ADMIN_TOKEN_ENV, ADMIN_TOKEN_CREDENTIAL) + ")")
        if not self.enrolment_token:
            out.append("the enrolment token (--enrolment-token-file, " + describe_sources(
                ENROLMENT_TOKEN_ENV, ENROLMENT_TOKEN_CREDENTIAL) + ")")
        if not self.tls and not self.insecure_demo:
            out.append("TLS (--ssl-certfile and --ssl-keyfile; --insecure-demo waives "
                       "TLS, never the tokens)")
        return out

    def refusal(self) -> str | None:
        """One line saying why the service must not start, or None if it may."""
        missing = self.missing()
        if missing:
            return (f"refusing to listen on {self.host or '(every interface)'}, which is "
                    f"not a loopback address, without {' and '.join(missing)} "
                    f"(docs/security.md)")
        if self.demo_data and not self.demo_allowed:
            return (f"refusing --demo-data on {self.host}, which is not a loopback "
                    f"address: the demo accounts and invoices are public; add "
                    f"--insecure-demo to run a demo there anyway (docs/security.md)")
        return None


def exposure_of(app: Any) -> Exposure | None:
    """The decision the app was started with (None: built without one, e.g. a bare
    create_app in a test; demo endpoints stay closed then)."""
    return getattr(getattr(app, "state", None), "exposure", None)


def demo_refusal(exposure: Exposure | None, admin_token: str | None,
                 authorization: str | None) -> tuple[int, str] | None:
    """Whether a demo-only endpoint may answer: None if so, else (HTTP status, detail).

    Every demo endpoint calls this first (with `exposure_of(request.app)`, the app's
    admin token and the Authorization header): off (404) unless the service runs on
    loopback or with --insecure-demo, and behind the admin token when one is set.
    """
    if exposure is None or not exposure.demo_allowed:
        return 404, "demo endpoints are off on this service"
    if admin_token is None:
        return None
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return 401, "admin token required (Authorization: Bearer ...)"
    if not hmac.compare_digest(token.encode("utf-8", "surrogatepass"),
                               admin_token.encode("utf-8", "surrogatepass")):
        return 403, "wrong admin token"
    return None
