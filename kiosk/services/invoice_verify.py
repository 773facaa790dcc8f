"""Use case `invoice.verify`: check an invoice with the central service, or queue the
request while offline and hand the taxpayer a slip whose QR shows the result later.

Offline policy: queue. Success ("your request is queued") is reported only after the
outbox commit has returned.
"""
from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from offline_queue.crypto import KioskKeys
from offline_queue.outbox import Outbox, OutboxError

from .. import log
from ..central_client import CentralClient, CentralRejected, CentralUnavailable
from ..config import LimitsConfig
from ..connectivity import Connectivity
from ..domain import (
    VerificationQuery,
    VerificationResult,
    parse_invoice_qr,
    query_from_qr,
)
from .catalogue import Policy
from .context import run_inline
from .exposure import check_room
from .slips import (
    RESULT_SLIP_PREFIX,
    SLIP_REFERENCE_PREFIX,
    SlipPrinter,
    parse_result_qr,
    parse_slip_reference,
)
from .verify_outcomes import (
    Queued,
    ResultNotKept,
    Scan,
    ScannedInvoice,
    ScannedReference,
    ScannedResultSlip,
    StillPending,
    UnknownReference,
    Verified,
    VerifyRejected,
)

if TYPE_CHECKING:
    from .context import ServiceContext

_log = log.get("session")
SERVICE_ID = "invoice.verify"
RECORD_KIND = "invoice.verify"


class InvoiceVerifyService:
    service_id = SERVICE_ID
    offline_policy = Policy.QUEUE

    def __init__(self, *, central: CentralClient, keys: KioskKeys, outbox: Outbox,
                 connectivity: Connectivity, slips: SlipPrinter,
                 on_queued: Callable[[], None] | None = None,
                 limits: LimitsConfig | None = None,
                 as_enrolled: Callable[[Callable[[], VerificationResult]],
                                       VerificationResult] | None = None,
                 run_io: Callable[[Callable[[], Any]], Future[Any]] = run_inline) -> None:
        """`keys` sign the online request; `as_enrolled` wraps the online call
        (KioskCore._as_enrolled: enrol on a 403 where that is allowed); `run_io` takes
        the short outbox writes the screen must not wait for (the core's I/O worker;
        inline when the service is built by hand)."""
        self._run_io = run_io
        self._central = central
        self._keys = keys
        self._as_enrolled = as_enrolled or (lambda call: call())
        self._limits = limits
        self._outbox = outbox
        self._connectivity = connectivity
        self._slips = slips
        self._on_queued = on_queued

    @staticmethod
    def classify_scan(text: str) -> Scan:
        """Invoice QR or slip reference; InvoiceQrError for anything else."""
        stripped = text.strip() if isinstance(text, str) else text
        if isinstance(stripped, str) and stripped.upper().startswith(SLIP_REFERENCE_PREFIX):
            return ScannedReference(parse_slip_reference(stripped))
        if isinstance(stripped, str) and stripped.upper().startswith(RESULT_SLIP_PREFIX):
            return ScannedResultSlip(parse_result_qr(stripped))
        qr = parse_invoice_qr(text)
        return ScannedInvoice(qr, query_from_qr(qr))

    def verify(self, query: VerificationQuery, lang: str) -> Verified | Queued:
        """Blocking: call from a worker thread."""
        if self._connectivity.should_try():
            try:
                result = self._as_enrolled(lambda: self._central.verify(self._keys, query))
            except CentralRejected as exc:
                if exc.status != 403:
                    raise VerifyRejected(exc.reason) from exc
                # Not enrolled or not approved (yet): the taxpayer gets a slip, and the
                # signed record is verified once the kiosk may sync.
                _log.warning("online verification refused (%s): queued", exc.reason)
            except CentralUnavailable:
                self._connectivity.mark_down()
            else:
                self._connectivity.mark_ok()
                return Verified(query, result)
        return self._queue(query, lang)

    def _queue(self, query: VerificationQuery, lang: str) -> Queued:
        # Beyond an offline exposure limit this service is online-only: raises
        # QueueLimitExceeded (code queue.limit) and records nothing.
        if self._limits is not None:
            check_room(self._outbox, self._limits)
        # confirm_later: until the screen has shown the confirmation, a restart lists it.
        record = self._outbox.enqueue(RECORD_KIND, query.to_json(), confirm_later=True)
        _log.info("verification queued as seq %s", record.seq)
        if self._on_queued is not None:
            self._on_queued()
        return Queued(query, record.uuid, record.seq)

    def print_queued_slip(self, outcome: Queued, lang: str) -> None:
        """The slip with the reference QR; the screen shows the reference meanwhile.
        Raises PrintFailed; the request stays queued either way."""
        self._slips.print_queued(outcome.query, outcome.reference, lang)

    def confirm_shown(self, outcome: Queued) -> Future[None]:
        """The taxpayer has seen the queued confirmation on screen. Returns at once:
        the outbox write (an fsync) runs on the core's I/O worker, never on the GUI
        thread; a failure is logged there (the record stays listed as unconfirmed)."""
        reference = outcome.reference

        def write() -> None:
            try:
                self._outbox.mark_confirmed(reference)
            except OutboxError as exc:
                _log.warning("queued confirmation shown, but not recorded: %s", exc)
                raise

        return self._run_io(write)

    def lookup(self, reference: str
               ) -> Verified | StillPending | UnknownReference | ResultNotKept:
        """Result of a queued verification: from the local queue, else the central service.
        A local result is about to be shown: its retention period starts now."""
        record = self._outbox.get(reference)
        query = None
        if record is not None and record.payload is not None:
            query = VerificationQuery.from_json(record.payload)
            if record.result:
                try:
                    self._outbox.mark_result_shown(reference)
                except OutboxError as exc:  # showing it matters more than the date
                    _log.warning("result shown, but not recorded as shown: %s", exc)
                return Verified(query, VerificationResult.from_json(record.result), reference)
        if self._connectivity.should_try():
            try:
                remote = self._central.verification(reference)
            except CentralUnavailable:
                self._connectivity.mark_down()
            except CentralRejected:
                pass
            else:
                self._connectivity.mark_ok()
                if remote and query is not None:
                    return Verified(query, VerificationResult.from_json(remote), reference)
                if remote and "query" in remote:
                    return Verified(VerificationQuery.from_json(remote["query"]),
                                    VerificationResult.from_json(remote), reference)
        if record is None:
            return UnknownReference(reference)
        if record.result_purged:
            return ResultNotKept(reference)
        return StillPending(reference, query)

    def print_result(self, outcome: Verified, lang: str) -> None:
        # A result that came back through the queue carries its short reference on paper.
        self._slips.print_result(outcome.query, outcome.result, lang,
                                 reference=outcome.reference)


def build(ctx: ServiceContext) -> InvoiceVerifyService:
    """The catalogue's factory for `invoice.verify`."""
    return InvoiceVerifyService(
        central=ctx.central, keys=ctx.keys, outbox=ctx.outbox,
        connectivity=ctx.connectivity, slips=ctx.slips, on_queued=ctx.on_queued,
        limits=ctx.limits, as_enrolled=ctx.as_enrolled, run_io=ctx.run_io)
