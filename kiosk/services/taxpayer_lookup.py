"""What the look-up services of issue #10 §3 share (Qt-free): one sealed call with the
identified taxpayer's central session, and how amounts, periods and the taxpayer
himself are written on screen and on paper.

Each look-up (`taxpayer.info`, `credit.rating`, `arrears.query`, `progress.query`,
`notices`) is a `TaxpayerLookup` subclass: `call(purpose, path)` sends `{session, ...}`
sealed to the central service (`CentralClient.sealed_call`) and returns its answer,
or raises `LookupFailed` with a message code (ui/messages.py):

- `lookup.identify` when nobody with a central session is identified (the gate
  normally prevents this: look-ups are online-only);
- `session.expired` when the central service no longer knows the session (15 minutes
  without use, or ended elsewhere): the session's identity is cleared here, so the
  next tap on a service opens the identity gate again;
- `taxpayer.unknown` when the taxpayer left the registry; `service.network` when the
  central service cannot be reached (the link is marked down); `central.rejected`
  for any other refusal.

Answers carry personal data unmasked; views built here mask it for their surface
(kiosk/domain/masking.py) and nothing is written to disk or to the log.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from .. import hall_time, log
from ..central_client import CentralRejected, CentralUnavailable
from ..domain.errors import DomainError
from ..domain.masking import Surface, mask
from .views import Row, pick

if TYPE_CHECKING:
    from offline_queue.crypto import KioskKeys

    from ..central_client import CentralClient
    from ..connectivity import Connectivity
    from .context import ServiceContext
    from .identity import Identified, SessionIdentity
    from .slips import SlipPrinter

_log = log.get("session")

#: The central's refusal codes the look-up screens have words for.
CENTRAL_CODES = frozenset({"session.expired", "taxpayer.unknown"})


class LookupFailed(DomainError):
    """A look-up that gave no answer; `code` is a ui/messages.py code."""

    code = "lookup.failed"


class TaxpayerLookup:
    """Base of the look-up services: the sealed call and the session's identity."""

    service_id = ""

    def __init__(self, *, central: CentralClient, keys: KioskKeys,
                 connectivity: Connectivity, identity: SessionIdentity | None,
                 slips: SlipPrinter, now: Callable[[], datetime],
                 as_enrolled: Callable[[Callable[[], Any]], Any] | None = None) -> None:
        self._central = central
        self._keys = keys
        self._connectivity = connectivity
        self._identity = identity
        self._slips = slips
        self._now = now
        self._as_enrolled = as_enrolled or (lambda call: call())

    @classmethod
    def from_context(cls, ctx: ServiceContext) -> Any:
        return cls(central=ctx.central, keys=ctx.keys, connectivity=ctx.connectivity,
                   identity=ctx.identity, slips=ctx.slips, now=ctx.clock.now,
                   as_enrolled=ctx.as_enrolled)

    # -- who ---------------------------------------------------------------------------
    def who(self) -> Identified:
        """Whom the look-ups concern; LookupFailed `lookup.identify` without a central
        session."""
        who = self._identity.current if self._identity is not None else None
        if who is None or who.session is None:
            raise LookupFailed("no taxpayer with a central session", "lookup.identify")
        return who

    def today(self) -> date:
        """Today in China (late fees, "new" notices)."""
        return hall_time.to_hall(self._now()).date()

    # -- the call ----------------------------------------------------------------------
    def call(self, purpose: str, path: str, extra: dict[str, Any] | None = None,
             *, who: Identified | None = None) -> dict[str, Any]:
        """Blocking: the central's answer to `{session, **extra}` sealed for `purpose`;
        the session of `who` when given (a call bound to the taxpayer it is about),
        else of whoever is identified now."""
        who = who if who is not None else self.who()
        payload: dict[str, Any] = {"session": who.session, **(extra or {})}
        try:
            answer = self._as_enrolled(
                lambda: self._central.sealed_call(self._keys, purpose, path, payload))
        except CentralUnavailable:
            self._connectivity.mark_down()
            raise LookupFailed("the tax service cannot be reached",
                               "service.network") from None
        except CentralRejected as exc:
            self._connectivity.mark_ok()
            code = exc.reason.split(":", 1)[0].strip()
            if code == "session.expired":
                self._session_gone(who)
            if code in CENTRAL_CODES:
                raise LookupFailed(exc.reason, code) from None
            raise LookupFailed(f"refused ({exc.status})", "central.rejected") from None
        self._connectivity.mark_ok()
        if not isinstance(answer, dict):
            raise LookupFailed("unreadable answer", "service.network")
        return answer

    def _session_gone(self, who: Identified) -> None:
        """The central ended the session: forget who was identified (only if it is
        still the same login), so the gate asks again."""
        identity = self._identity
        if identity is not None and identity.current is who:
            _log.info("central session expired: identity cleared")
            identity.clear()

    @staticmethod
    def listed(answer: dict[str, Any]) -> list[dict[str, Any]]:
        """The answer's `items` that are objects (anything else is left out)."""
        raw = answer.get("items")
        return [i for i in raw if isinstance(i, dict)] if isinstance(raw, list) else []


# -- how things are written -------------------------------------------------------------

def money(amount: Decimal) -> str:
    """`¥ 1,234.56`: the currency sign apart, thousands separated, two decimals."""
    return f"¥ {amount:,.2f}"


def decimal(value: Any) -> Decimal:
    """A decimal amount from the central's string; LookupFailed when it is none."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise LookupFailed("unreadable amount in the answer", "service.network") from None
    if not amount.is_finite():
        raise LookupFailed("unreadable amount in the answer", "service.network")
    return amount


def day(value: Any) -> date | None:
    """A YYYY-MM-DD date from the answer, or None."""
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def period_text(period: str, lang: str) -> str:
    """A tax period YYYYMM as people read it: 2026年02月 / 2026-02."""
    if len(period) == 6 and period.isdigit():
        return f"{period[:4]}年{period[4:]}月" if lang == "zh" else f"{period[:4]}-{period[4:]}"
    return period


LABELS: dict[str, tuple[str, str]] = {
    "name": ("纳税人名称", "Taxpayer"),
    "tin": ("纳税人识别号", "Taxpayer ID"),
}


def taxpayer_name(name: str, kind: str, surface: Surface) -> str:
    """A person's name masked (张*丰); an enterprise's name in full."""
    field = "enterprise_name" if kind == "enterprise" else "name"
    return mask(field, name, surface) or ""


def taxpayer_tin(tin: str, kind: str, surface: Surface) -> str:
    """A USCC in full (public register data); a person's TIN, their ID number, masked."""
    field = "uscc" if kind == "enterprise" else "id_number"
    return mask(field, tin, surface) or ""


def subject_rows(who: Identified, lang: str, surface: Surface) -> list[Row]:
    """Whom a slip or a screen concerns: name and TIN, masked for `surface`."""
    subject = who.subject
    return [Row("name", pick(LABELS["name"], lang),
                taxpayer_name(subject.name, subject.kind, surface)),
            Row("tin", pick(LABELS["tin"], lang),
                taxpayer_tin(subject.tin, subject.kind, surface))]
