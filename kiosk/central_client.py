"""HTTP client for the central tax service, with failover between configured URLs.

Errors are split by what the caller should do: `CentralUnavailable` (network down,
timeout, 5xx: queue and retry later) and `CentralRejected` (4xx: the request itself is
wrong; retrying will not help).
"""
from __future__ import annotations

import re
import socket
import ssl
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from offline_queue.crypto import (
    KioskKeys,
    b64d,
    b64e,
    content_digest,
    decrypt_for_kiosk,
    encrypt_for_kiosk,
    seal_call,
)
from offline_queue.wire import (
    EnrolRequest,
    Heartbeat,
    KioskVerifyRequest,
    PinCheckRequest,
    PinVerdict,
    ReferencePage,
    SealedAnswer,
    SealedCall,
    StaffRequest,
    StaffSnapshot,
    SyncAck,
    SyncBatch,
    pin_request_label,
    pin_verdict_label,
)

from . import log
from .domain import VerificationQuery, VerificationResult

_log = log.get("central")


class CentralError(Exception):
    pass


class CentralUnavailable(CentralError):
    """No configured central endpoint answered (network down, timeout, 5xx)."""


class CentralRejected(CentralError):
    """The central service refused the request (4xx) with a reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"{status}: {reason}")
        self.status = status
        self.reason = reason


def tls_context(ca_file: Path | str | None = None, cert_file: Path | str | None = None,
                key_file: Path | str | None = None) -> ssl.SSLContext:
    """Client TLS: trust `ca_file` (default: the system's CAs) and present the kiosk's
    certificate for mutual TLS when given. Unreadable files raise ssl.SSLError/OSError
    at start-up, not at the first request."""
    context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    if cert_file is not None:
        context.load_cert_chain(str(cert_file), str(key_file) if key_file else None)
    return context


class CentralClient:
    def __init__(self, urls: tuple[str, ...], kiosk_id: str, timeout_s: float = 3.0,
                 verify_tls: bool | str | ssl.SSLContext = True,
                 cert: tuple[str, str] | None = None) -> None:
        if cert is not None:  # httpx deprecates cert=: load it into a context instead
            verify_tls = tls_context(verify_tls if isinstance(verify_tls, str) else None,
                                     *cert)
        elif isinstance(verify_tls, str):
            verify_tls = tls_context(verify_tls)
        if not urls:
            raise ValueError("at least one central URL is needed")
        self.urls = list(urls)
        self.kiosk_id = kiosk_id
        self._preferred = 0
        self._lock = threading.Lock()
        # TCP_NODELAY, as urllib3 sets it: httpx writes a POST's headers and body in two
        # sends, and Nagle's algorithm would hold the body for the central's delayed
        # ACK (~40 ms on Linux) on every sealed call.
        transport = httpx.HTTPTransport(verify=verify_tls, socket_options=[
            (socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
        self._http = httpx.Client(timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 2.0)),
                                  transport=transport)

    def close(self) -> None:
        self._http.close()

    @property
    def current_url(self) -> str:
        """The endpoint tried first: the last one that answered (failover is sticky)."""
        with self._lock:
            return self.urls[self._preferred]

    def _request(self, method: str, path: str, json: Any = None,
                 read_timeout_s: float | None = None) -> httpx.Response:
        """Try the last good endpoint first, then the others; 4xx is final.
        `read_timeout_s`: wait that long for the answer (a long-poll), not the
        client's usual timeout."""
        with self._lock:
            start = self._preferred
        last_error = "no endpoint"
        for i in range(len(self.urls)):
            idx = (start + i) % len(self.urls)
            url = self.urls[idx] + path
            try:
                if read_timeout_s is None:
                    response = self._http.request(method, url, json=json)
                else:
                    timeout = self._http.timeout
                    response = self._http.request(method, url, json=json,
                                                  timeout=httpx.Timeout(
                                                      read_timeout_s,
                                                      connect=timeout.connect))
            except httpx.HTTPError as exc:
                last_error = f"{type(exc).__name__} from {self.urls[idx]}"
                continue
            if response.status_code >= 500:
                last_error = f"HTTP {response.status_code} from {self.urls[idx]}"
                continue
            with self._lock:
                self._preferred = idx
            if response.status_code >= 400 and response.status_code != 404:
                raise CentralRejected(response.status_code, _reason(response))
            return response
        _log.info("central unreachable: %s", last_error)
        raise CentralUnavailable(last_error)

    def health(self) -> bool:
        try:
            return self._request("GET", "/v1/health").status_code == 200
        except CentralError:
            return False

    def verify(self, keys: KioskKeys, query: VerificationQuery) -> VerificationResult:
        """Verify online with a request signed by the kiosk's key (counted toward the
        invoice's 5 checks a day; the public endpoint answers strangers coarsely)."""
        # The query's fields are payloads.InvoiceQueryFields, the request's base.
        request = KioskVerifyRequest(kiosk_id=self.kiosk_id,
                                     sent_at=datetime.now(UTC).isoformat(),
                                     **query.to_fields().model_dump())
        response = self._post_signed(keys, "verify", request)
        try:
            return VerificationResult.from_json(response.json())
        except ValueError as exc:
            raise CentralUnavailable(f"unreadable answer: {exc}") from exc

    def verification(self, uuid: str) -> dict[str, Any] | None:
        """The central service's result for a queued verification, or None if unknown:
        what the kiosk shows (outcome, mismatched field, amounts, seller), no more."""
        response = self._request("GET", f"/v1/verifications/{uuid}")
        if response.status_code == 404:
            return None
        data = response.json()
        return data.get("result") if isinstance(data, dict) else None

    def certificate_status(self, number: str) -> dict[str, Any] | None:
        """The issuer's register on a certificate (public `GET /v1/certificates/
        {number}`): `{status: "valid" | "revoked", summary, revoked_on?}`, or None
        when the register has no such certificate."""
        from urllib.parse import quote

        response = self._request("GET", f"/v1/certificates/{quote(number, safe='')}")
        if response.status_code == 404:
            return None
        data = response.json()
        return data if isinstance(data, dict) else None

    def certificate_by_code(self, code: str) -> dict[str, Any] | None:
        """The certificate with this 验证码 (public `POST /v1/certificates/check-code`):
        like `certificate_status`; None when no certificate has it."""
        response = self._request("POST", "/v1/certificates/check-code", json={"code": code})
        if response.status_code == 404:
            return None
        data = response.json()
        return data if isinstance(data, dict) else None

    def enroll(self, keys: KioskKeys, token: str | None = None,
               hall_id: str | None = None) -> dict[str, Any]:
        """Register the public key, data key and hall; CentralRejected (403 wrong token,
        409 enrolled with other keys) carries the central's reason. Without a token,
        on a central that has one, the answer says `approved: false`: an operator
        approves the kiosk (naming the answer's `key_fingerprint`)."""
        request = EnrolRequest(kiosk_id=self.kiosk_id, public_key=b64e(keys.public_key),
                               data_key=b64e(keys.data_key), token=token, hall_id=hall_id)
        response = self._request("POST", "/v1/kiosks/enroll",
                                 json=request.model_dump(exclude_none=True))
        if response.status_code == 404:
            raise CentralUnavailable("enrolment endpoint missing")
        data = response.json()
        return data if isinstance(data, dict) else {}

    def heartbeat(self, keys: KioskKeys, report: dict[str, Any]) -> dict[str, Any]:
        """Send a signed heartbeat (`report`: the Heartbeat fields but kiosk_id and
        signature); returns the answer (`out_of_service`: the fleet side's notice)."""
        response = self._post_signed(keys, "heartbeat",
                                     Heartbeat(kiosk_id=self.kiosk_id, **report))
        try:
            data = response.json()
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def _post_signed(self, keys: KioskKeys, endpoint: str,
                     request: Heartbeat | StaffRequest | PinCheckRequest
                     | KioskVerifyRequest) -> httpx.Response:
        """POST `request` to /v1/kiosks/{id}/{endpoint}, signed with the kiosk's key
        (over the content digest of every field but the signature)."""
        body = request.model_dump(mode="json")
        body["signature"] = b64e(keys.sign(content_digest(body)))
        response = self._request("POST", f"/v1/kiosks/{self.kiosk_id}/{endpoint}", json=body)
        if response.status_code == 404:
            raise CentralUnavailable(f"{endpoint} endpoint missing")
        return response

    def staff_accounts(self, keys: KioskKeys) -> dict[str, dict[str, Any]]:
        """Every current staff account (card key -> body), asked with a signed request
        and answered encrypted under this kiosk's data key. An answer that does not
        decrypt or parse raises CentralUnavailable."""
        sent_at = datetime.now(UTC).isoformat()
        response = self._post_signed(keys, "staff",
                                     StaffRequest(kiosk_id=self.kiosk_id, sent_at=sent_at))
        try:
            sealed = SealedAnswer.model_validate(response.json())
            plain = decrypt_for_kiosk(keys.data_key, b64d(sealed.nonce),
                                      b64d(sealed.ciphertext), self.kiosk_id, sent_at)
            snapshot = StaffSnapshot.model_validate(plain)
        except ValueError as exc:  # JSON, pydantic, base64, RecordIntegrityError
            raise CentralUnavailable(f"unreadable staff accounts answer: "
                                     f"{type(exc).__name__}: {str(exc)[:200]}") from exc
        if snapshot.sent_at != sent_at:  # bound as associated data too: belt and braces
            raise CentralUnavailable("staff accounts answer is for another request")
        return {item.key: item.body for item in snapshot.accounts}

    def check_pin(self, keys: KioskKeys, card: str, pin: str) -> PinVerdict:
        """The central service's verdict on a staff PIN for the card with key `card`
        (it counts wrong PINs per card across every kiosk). The PIN travels sealed
        under this kiosk's data key and the verdict comes back sealed, both bound to
        the card and this request. CentralUnavailable: no verdict (unreachable, 5xx,
        an answer that does not open); CentralRejected: the request was refused
        (e.g. not approved, the kiosk's clock far off)."""
        sent_at = datetime.now(UTC).isoformat()
        nonce, sealed_pin = encrypt_for_kiosk(keys.data_key, {"pin": pin}, self.kiosk_id,
                                              pin_request_label(card, sent_at))
        request = PinCheckRequest(kiosk_id=self.kiosk_id, sent_at=sent_at, card=card,
                                  nonce=b64e(nonce), ciphertext=b64e(sealed_pin))
        response = self._post_signed(keys, "staff/pin", request)
        try:
            sealed = SealedAnswer.model_validate(response.json())
            plain = decrypt_for_kiosk(keys.data_key, b64d(sealed.nonce),
                                      b64d(sealed.ciphertext), self.kiosk_id,
                                      pin_verdict_label(card, sent_at))
            verdict = PinVerdict.model_validate(plain)
        except ValueError as exc:  # JSON, pydantic, base64, RecordIntegrityError
            raise CentralUnavailable(f"unreadable PIN check answer: "
                                     f"{type(exc).__name__}") from exc
        if verdict.card != card or verdict.sent_at != sent_at:  # bound as AD as well
            raise CentralUnavailable("PIN check answer is for another request")
        return verdict

    def sealed_call(self, keys: KioskKeys, purpose: str, path: str,
                    payload: dict[str, Any]) -> dict[str, Any]:
        """A call that carries personal data (taxpayer identity, look-ups,
        certificates): `payload` sealed under this kiosk's data key for `purpose` (the
        route's name, e.g. "identity.id_card") and signed (`wire.SealedCall`), POSTed
        to `/v1/kiosks/{kiosk_id}/{path}` (`path` like "identity/id-card"); returns the
        central's answer object, which comes back sealed to this kiosk and this call.

        CentralRejected(status, reason) for a 4xx: `reason` is the central's detail,
        which for what the kiosk shows in words starts with a machine code
        ("taxpayer.unknown: ...", "session.expired: ..."). CentralUnavailable when no
        answer came, the route is missing, or the answer does not open."""
        sent_at = datetime.now(UTC).isoformat()
        nonce, ciphertext = seal_call(keys.data_key, payload, purpose, self.kiosk_id,
                                      sent_at)
        request = SealedCall(kiosk_id=self.kiosk_id, sent_at=sent_at, nonce=b64e(nonce),
                             ciphertext=b64e(ciphertext))
        body = request.model_dump(mode="json")
        body["signature"] = b64e(keys.sign(content_digest(body)))
        prefix = f"/v1/kiosks/{self.kiosk_id}/"
        url_path = path if path.startswith(prefix) else prefix + path.lstrip("/")
        # A long-poll ("wait_s") is answered up to wait_s later than usual.
        wait_s = payload.get("wait_s")
        longer = (float(wait_s) + (self._http.timeout.read or 3.0)
                  if isinstance(wait_s, (int, float)) and not isinstance(wait_s, bool)
                  and 0 < wait_s <= 60 else None)
        response = self._request("POST", url_path, json=body, read_timeout_s=longer)
        if response.status_code == 404:
            reason = _reason(response)
            if _CODED.match(reason):  # e.g. "taxpayer.unknown: ...": a real answer
                raise CentralRejected(404, reason)
            raise CentralUnavailable(f"{purpose} endpoint missing")
        try:
            sealed = SealedAnswer.model_validate(response.json())
            return decrypt_for_kiosk(keys.data_key, b64d(sealed.nonce),
                                     b64d(sealed.ciphertext), self.kiosk_id, sent_at)
        except ValueError as exc:  # JSON, pydantic, base64, RecordIntegrityError
            raise CentralUnavailable(f"unreadable {purpose} answer: "
                                     f"{type(exc).__name__}") from exc

    def ticket(self, number: str) -> dict[str, Any] | None:
        """A 12366 callback ticket by its 工单号 (`GET /v1/tickets/{number}`, public and
        rate-limited): `{number, status, topic, window, asked_on, replies}`, or None
        when the central service knows no such ticket (yet). CentralRejected for a
        malformed or ambiguous number (409) or too many look-ups (429)."""
        response = self._request("GET", f"/v1/tickets/{quote(number, safe='')}")
        if response.status_code == 404:
            if _CODED.match(_reason(response)):  # "ticket.unknown: ...": a real answer
                return None
            raise CentralUnavailable("tickets endpoint missing")
        data = response.json()
        if not isinstance(data, dict):
            raise CentralUnavailable("unreadable ticket answer")
        return data

    def reference(self, cursor: int) -> ReferencePage:
        """One page of reference-data changes after `cursor`."""
        response = self._request("GET", f"/v1/reference?cursor={int(cursor)}")
        if response.status_code == 404:
            raise CentralUnavailable("reference endpoint missing")
        try:
            return ReferencePage.model_validate(response.json())
        except ValueError as exc:
            raise CentralUnavailable(f"unreadable reference page: {exc}") from exc

    def post_batch(self, batch: SyncBatch) -> SyncAck:
        response = self._request("POST", "/v1/sync/batch",
                                 json=batch.model_dump(mode="json"))
        if response.status_code == 404:
            raise CentralUnavailable("sync endpoint missing")
        return SyncAck.model_validate(response.json())


#: A reason that starts with a machine code the kiosk maps to words ("login.locked: ...").
_CODED = re.compile(r"^[a-z_]+\.[a-z_]+: ")


def _reason(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except ValueError:
        return response.text[:200]
    return str(detail)[:300]
