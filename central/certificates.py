"""Tax certificates issued by the central service: the issuer's signing key, the
register of issued certificates, and the answers of the public checks.

The issuer key (Ed25519) signs each certificate's summary (offline_queue.certificates:
the QR `CERT1:<body>.<signature>`); its public key is reference data of kind
`certificate_key` on the public feed, so every kiosk verifies certificates offline. The
key comes from, in this order: `--certificate-key-file FILE`, `$KIOSK_CENTRAL_CERTIFICATE_KEY`,
`$KIOSK_CENTRAL_CERTIFICATE_KEY_FILE`, the systemd credential `certificate-key` (each:
one line, the base64 of the 32-byte private key); without any, a key generated on the
first start next to the SQLite database (mode 0600; `var/` for other databases), for
demos. A key that replaces another retires it (`valid_until` today): certificates it
signed still verify, it signs nothing new.

The register keeps each certificate's masked summary, its rows and the SHA-256 of its
验证码 (a copied database does not hand out the codes); revoking one makes the
public check and the kiosks' online check say so.
"""
from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from central.db import IssuedCertificate, Payment, ReferenceItem, Taxpayer
from central.identity import TOKEN_PATTERN, coded
from central.rate_limit import TokenBucket
from central.reference import ReferenceInput, upsert_items
from central.registry import payments_for
from offline_queue.certificates import (
    REFERENCE_KIND,
    CertificateSummary,
    check_code_digest,
    format_total,
    key_id,
    masked_taxpayer,
    new_check_code,
    normalise_check_code,
    public_key_bytes,
    reference_body,
    sign_summary,
)
from offline_queue.secrets import SecretError, read_secret, read_secret_file

KEY_ENV = "KIOSK_CENTRAL_CERTIFICATE_KEY"
KEY_CREDENTIAL = "certificate-key"
DEFAULT_KEY_NAME = "certificate-key"
#: The public checks (GET /v1/certificates/{number}, POST /v1/certificates/check-code)
#: per client address: a burst of 10, then 6 a minute, like the public invoice check.
PUBLIC_CHECK_LIMIT: tuple[int, float] = (10, 6.0)
MAX_PERIOD_MONTHS = 36  # a 表格式 or 纳税记录 spans at most three years
_NUMBER_ATTEMPTS = 5
_KIND_DIGIT = {"document": "1", "table": "2", "record": "3"}

# Machine codes of the answers a kiosk shows in words (ui/messages.py maps them).
CERTIFICATE_UNKNOWN = "certificate.unknown"
CERTIFICATE_NO_PAYMENTS = "certificate.no_payments"
CERTIFICATE_PERSON_ONLY = "certificate.person_only"
PERIOD_INVALID = "period.invalid"


class IssuerKeyError(ValueError):
    """The issuer key's source is set but unusable (the message names the source)."""


# --- the issuer key --------------------------------------------------------------------

def write_private_file(path: Path, data: bytes) -> None:
    """Create `path` owner-only (0600) with `data`; FileExistsError if it exists."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)

def default_key_path(db_url: str) -> Path:
    """Where a demo's generated key lives: next to the SQLite file, else var/."""
    try:
        url = make_url(db_url)
    except Exception:  # noqa: BLE001 - a bad URL fails properly at the engine
        url = None
    if url is not None and url.get_backend_name() == "sqlite" and url.database \
            and url.database != ":memory:" and not url.database.startswith("file:"):
        db = Path(url.database).expanduser()
        return db.with_name(f"{db.name}.{DEFAULT_KEY_NAME}")
    return Path("var") / f"central.{DEFAULT_KEY_NAME}"


def parse_key(text: str, where: str) -> Ed25519PrivateKey:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise IssuerKeyError(f"{where}: not base64") from None
    if len(raw) != 32:
        raise IssuerKeyError(f"{where}: not a 32-byte Ed25519 private key")
    return Ed25519PrivateKey.from_private_bytes(raw)


def key_text(key: Ed25519PrivateKey) -> str:
    raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return base64.b64encode(raw).decode("ascii")


def load_issuer_key(db_url: str, key_file: str | os.PathLike[str] | None = None
                    ) -> tuple[Ed25519PrivateKey, str]:
    """(key, where it came from); IssuerKeyError when a source is set but unusable."""
    try:
        if key_file is not None:
            return parse_key(read_secret_file(key_file, "--certificate-key-file"),
                             f"--certificate-key-file ({key_file})"), str(key_file)
        text = read_secret(KEY_ENV, credential=KEY_CREDENTIAL)
    except SecretError as exc:
        raise IssuerKeyError(str(exc)) from None
    if text is not None:
        return parse_key(text, f"${KEY_ENV} / credential {KEY_CREDENTIAL}"), KEY_ENV
    path = default_key_path(db_url)
    if path.exists():
        try:
            return parse_key(read_secret_file(path, "the generated certificate key"),
                             str(path)), str(path)
        except SecretError as exc:
            raise IssuerKeyError(str(exc)) from None
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        write_private_file(path, (key_text(key) + "\n").encode("ascii"))
    except FileExistsError:  # another worker generated it first: use that one
        return parse_key(read_secret_file(path, "the generated certificate key"),
                         str(path)), str(path)
    return key, str(path)


@dataclass
class CertificateIssuer:
    """What a running service holds for certificates (on `CentralState.certificates`)."""

    key: Ed25519PrivateKey
    public_checks: TokenBucket = field(
        default_factory=lambda: TokenBucket(*PUBLIC_CHECK_LIMIT))

    @property
    def public_key(self) -> bytes:
        return public_key_bytes(self.key)

    @property
    def key_id(self) -> str:
        return key_id(self.public_key)

    def publish(self, sessions: sessionmaker[Session], today: date) -> None:
        """Put the public key on the reference feed (once), and retire the keys it
        replaces (valid_until today: what they signed still verifies)."""
        with sessions() as session:
            rows = session.execute(select(ReferenceItem).where(
                ReferenceItem.kind == REFERENCE_KIND, ReferenceItem.deleted.is_(False))
            ).scalars().all()
            items: list[ReferenceInput] = []
            mine = next((r for r in rows if r.key == self.key_id), None)
            if mine is None:
                items.append(ReferenceInput(kind=REFERENCE_KIND, key=self.key_id,
                                            body=reference_body(self.public_key, today)))
            for row in rows:
                body = json.loads(row.body) if row.body else {}
                if row.key != self.key_id and not body.get("valid_until"):
                    body["valid_until"] = today.isoformat()
                    items.append(ReferenceInput(kind=REFERENCE_KIND, key=row.key, body=body))
            if items:
                upsert_items(session, items, datetime.now(UTC))


# --- issuing ---------------------------------------------------------------------------

class IssueRequest(BaseModel):
    """The sealed payload of `certificate/issue`."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    session: str = Field(pattern=TOKEN_PATTERN)
    kind: Literal["document", "table", "record"]
    voucher_no: str | None = Field(default=None, min_length=1, max_length=32)
    period_from: str | None = Field(default=None, max_length=6)
    period_to: str | None = Field(default=None, max_length=6)


def _month(text: str | None) -> tuple[int, int] | None:
    if text is None or len(text) != 6 or not text.isdigit():
        return None
    year, month = int(text[:4]), int(text[4:])
    return (year, month) if 1990 <= year <= 2999 and 1 <= month <= 12 else None


def check_period(period_from: str | None, period_to: str | None, today: date
                 ) -> tuple[str, str]:
    """The period of a 表格式 or 纳税记录: both months YYYYMM, from <= to, not after this
    month, at most MAX_PERIOD_MONTHS; 422 `period.invalid` otherwise."""
    start, end = _month(period_from), _month(period_to)
    if start is None or end is None:
        raise coded(422, PERIOD_INVALID, "give period_from and period_to as YYYYMM")
    months = (end[0] - start[0]) * 12 + end[1] - start[1] + 1
    if months < 1:
        raise coded(422, PERIOD_INVALID, "period_from is after period_to")
    if end > (today.year, today.month):
        raise coded(422, PERIOD_INVALID, "the period ends after this month")
    if months > MAX_PERIOD_MONTHS:
        raise coded(422, PERIOD_INVALID, f"a certificate covers at most "
                                         f"{MAX_PERIOD_MONTHS} months")
    return str(period_from), str(period_to)


def _new_number(kind: str, today: date) -> str:
    """证明号: issue date, the kind's digit and 9 random digits (18 digits)."""
    return f"{today:%Y%m%d}{_KIND_DIGIT[kind]}{secrets.randbelow(10**9):09d}"


def issue(db: Session, issuer: CertificateIssuer, taxpayer: Taxpayer, kiosk_id: str,
          request: IssueRequest, today: date, now: datetime) -> dict[str, Any]:
    """Issue one certificate for `taxpayer` (the session's acting taxpayer), store it in
    the register and return it (unmasked: the kiosk masks for paper). 404
    `certificate.no_payments`, 422 `period.invalid` / `certificate.person_only`. The
    caller commits."""
    period_from = period_to = None
    if request.kind == "document":
        if not request.voucher_no:
            raise coded(422, CERTIFICATE_NO_PAYMENTS, "a 文书式 certificate needs voucher_no")
        rows: Sequence[Payment] = payments_for(db, taxpayer.tin, voucher_no=request.voucher_no)
    else:
        if request.kind == "record" and taxpayer.kind != "person":
            raise coded(422, CERTIFICATE_PERSON_ONLY,
                        "a 纳税记录 is issued to natural persons only")
        period_from, period_to = check_period(request.period_from, request.period_to, today)
        rows = payments_for(db, taxpayer.tin, period_from=period_from, period_to=period_to)
    if not rows:
        raise coded(404, CERTIFICATE_NO_PAYMENTS, "no payment matches this certificate")

    total = sum((Decimal(r.amount) for r in rows), Decimal("0"))
    tax_kinds = list(dict.fromkeys(r.tax_kind for r in rows))
    office = taxpayer.tax_office or rows[0].tax_office
    id_number = taxpayer.id_number if taxpayer.kind == "person" and taxpayer.id_number \
        else taxpayer.tin
    shown_name, shown_id = masked_taxpayer(taxpayer.kind, taxpayer.name, id_number)
    period = rows[0].period if request.kind == "document" else f"{period_from}-{period_to}"
    detail = [{"voucher_no": r.voucher_no, "tax_kind": r.tax_kind, "period": r.period,
               "amount": format_total(r.amount), "paid_on": r.paid_on.isoformat(),
               "tax_office": r.tax_office} for r in rows]

    for attempt in range(_NUMBER_ATTEMPTS):
        number = _new_number(request.kind, today)
        code = new_check_code()
        summary = CertificateSummary(
            number=number, kind=request.kind, taxpayer=shown_name, taxpayer_id=shown_id,
            tax_kinds=tuple(tax_kinds), period=period, total=format_total(total),
            issued_on=today.isoformat(), tax_office=office, key_id=issuer.key_id)
        qr_text = sign_summary(issuer.key, summary)
        row = IssuedCertificate(
            number=number, kind=request.kind, tin=taxpayer.tin, kiosk_id=kiosk_id,
            check_code_hash=check_code_digest(code),
            summary=json.dumps(summary.as_dict(), ensure_ascii=False, sort_keys=True),
            rows=json.dumps(detail, ensure_ascii=False), total=total,
            period_from=period_from, period_to=period_to, issued_on=today, issued_at=now,
            key_id=issuer.key_id)
        try:
            with db.begin_nested():
                db.add(row)
        except IntegrityError:  # a number or code already taken: draw again
            if attempt == _NUMBER_ATTEMPTS - 1:
                raise
            continue
        break
    who: dict[str, Any] = {"tin": taxpayer.tin, "name": taxpayer.name, "kind": taxpayer.kind}
    if taxpayer.kind == "person":
        who["id_number"] = id_number
    return {"number": number, "kind": request.kind, "check_code": code,
            "issued_on": today.isoformat(), "tax_office": office, "taxpayer": who,
            "rows": detail, "total": format_total(total), "qr_text": qr_text,
            "period_from": period_from, "period_to": period_to,
            "summary": summary.as_dict()}


# --- the public checks and revocation ------------------------------------------------

def _answer(row: IssuedCertificate) -> dict[str, Any]:
    answer: dict[str, Any] = {"status": "revoked" if row.revoked_at else "valid",
                              "summary": json.loads(row.summary)}
    if row.revoked_at is not None:
        answer["revoked_on"] = row.revoked_at.date().isoformat()
    return answer


def by_number(db: Session, number: str) -> dict[str, Any]:
    """`{status, summary}` of a certificate (masked summary only); 404
    `certificate.unknown`."""
    row = db.get(IssuedCertificate, number.strip()) if len(number) <= 32 else None
    if row is None:
        raise coded(404, CERTIFICATE_UNKNOWN, "no certificate has this number")
    return _answer(row)


def by_check_code(db: Session, code: str) -> dict[str, Any]:
    """`{status, summary}` of the certificate with this 验证码; 404
    `certificate.unknown` (also for a code that cannot be one)."""
    normal = normalise_check_code(code)
    row = None
    if normal is not None:
        row = db.execute(select(IssuedCertificate).where(
            IssuedCertificate.check_code_hash == check_code_digest(normal))
        ).scalar_one_or_none()
    if row is None:
        raise coded(404, CERTIFICATE_UNKNOWN, "no certificate has this verification code")
    return _answer(row)


def revoke(db: Session, number: str, reason: str, now: datetime) -> dict[str, Any]:
    """Revoke a certificate (idempotent: a second revocation keeps the first date);
    404 `certificate.unknown`. The caller commits."""
    row = db.get(IssuedCertificate, number.strip(), with_for_update=True) \
        if len(number) <= 32 else None
    if row is None:
        raise coded(404, CERTIFICATE_UNKNOWN, "no certificate has this number")
    if row.revoked_at is None:
        row.revoked_at = now
        row.revoked_reason = reason or None
    return {"number": row.number, **_answer(row)}
