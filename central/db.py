"""Database models and engine set-up of the reference central service.

SQLite by default (one file, WAL), PostgreSQL for production: nothing here is
SQLite-only except the connection tuning in `make_engine`.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
)
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

MAX_SEQ = 2**62  # far beyond any real queue; keeps every seq inside a signed 64-bit column
INVOICE_STATUSES = ("normal", "void", "red_flushed", "abnormal")
RECORD_STATUSES = ("accepted", "rejected")
#: Row ids that outgrow 32 bits on PostgreSQL (records are kept forever; a national
#: registry has billions of invoices). SQLite needs INTEGER for its rowid alias.
BigId = BigInteger().with_variant(Integer(), "sqlite")
#: PostgreSQL pool per process: FastAPI runs handlers on up to 40 threads.
PG_POOL_SIZE = 10
PG_MAX_OVERFLOW = 20
#: Server-side limits on PostgreSQL: a request waiting this long for a row lock (a
#: kiosk's batches are serialised on its row) gets 503 and the kiosk resends later.
SQLITE_BUSY_MS = 5000  # how long a SQLite writer waits for another's lock
PG_OPTIONS = "-c lock_timeout=15s -c idle_in_transaction_session_timeout=120s"


class Money(TypeDecorator[Decimal]):
    """NUMERIC(14,2) on real databases; exact decimal text on SQLite.

    SQLite has no decimal type and SQLAlchemy would round-trip through float, so
    money is stored there as its canonical string instead.
    """

    impl = Numeric(14, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(24))
        return dialect.type_descriptor(Numeric(14, 2, asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        value = Decimal(value).quantize(Decimal("0.01"))
        return str(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(str(value)).quantize(Decimal("0.01"))


class UtcDateTime(TypeDecorator[datetime]):
    """Timestamps stored as UTC and always read back timezone-aware.

    SQLite drops the offset; normalising on the way in and out keeps comparisons and
    ISO output identical on both databases.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None,
                             dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class Invoice(Base):
    """The invoice registry the verification rule looks up."""

    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("code", "number", name="uq_invoices_code_number"),
        CheckConstraint(
            "status IN ('normal', 'void', 'red_flushed', 'abnormal')",
            name="ck_invoices_status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    type_code: Mapped[str] = mapped_column(String(2))
    code: Mapped[str] = mapped_column(String(12), default="")  # "" for fully-digital
    number: Mapped[str] = mapped_column(String(20))
    issued_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)  # before tax
    total: Mapped[Decimal] = mapped_column(Money)  # including tax
    check_code: Mapped[str] = mapped_column(String(20), default="")
    status: Mapped[str] = mapped_column(String(16), default="normal")
    seller_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    buyer_name: Mapped[str | None] = mapped_column(String(200), nullable=True)


class VerificationLog(Base):
    """How often each invoice was checked per day (the platform's 5-per-day rule)."""

    __tablename__ = "verification_log"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    number: Mapped[str] = mapped_column(String(20), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class Kiosk(Base):
    """An enrolled terminal: its signature key, its payload key, and how far it synced."""

    __tablename__ = "kiosks"

    kiosk_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    data_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    enrolled_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Highest seq S with every seq 1..S stored; advanced by ingest, read by the ack.
    acked_through: Mapped[int] = mapped_column(BigInteger, default=0)
    # Fleet monitoring: when the last signed heartbeat arrived, and what it said (JSON).
    last_seen: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_heartbeat: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Approval: NULL while an enrolment without the token waits for an operator; a
    # pending kiosk gets nothing (no staff accounts, no sync, no heartbeat).
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # The hall it stands in (asked at enrolment, set at approval): which staff
    # accounts it receives. NULL: only the accounts valid in every hall.
    hall_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # sent_at of its last online PIN check: a replayed check is refused.
    pin_checked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    @property
    def approved(self) -> bool:
        return self.approved_at is not None


#: The kiosks table for Core statements on the hot paths (signature check, heartbeat,
#: sync approval, ack), where loading an ORM object costs more than the statement.
KIOSKS_TABLE = cast(Table, Kiosk.__table__)


class Record(Base):
    """Every record a kiosk ever sent, accepted or rejected, kept forever.

    UNIQUE(kiosk_id, seq) and UNIQUE(uuid) are what make resends harmless. `uuid` is
    NULL only for a record rejected because its UUID was already taken by another
    record (the claimed UUID is then named in `reason`).
    """

    __tablename__ = "records"
    __table_args__ = (
        UniqueConstraint("kiosk_id", "seq", name="uq_records_kiosk_seq"),
        UniqueConstraint("uuid", name="uq_records_uuid"),
        CheckConstraint("status IN ('accepted', 'rejected')", name="ck_records_status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kiosk_id: Mapped[str] = mapped_column(String(64), ForeignKey("kiosks.kiosk_id"))
    seq: Mapped[int] = mapped_column(BigInteger)
    uuid: Mapped[str | None] = mapped_column(String(36), nullable=True)
    kind: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    hash: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    # The sealed record as received, so a rejected one can still be examined later.
    nonce: Mapped[str] = mapped_column(String(24))
    ciphertext: Mapped[str] = mapped_column(Text)
    signature: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    result: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON text


class ReferenceItem(Base):
    """Reference data for the kiosks' `cache` services (announcements, policies, ...).

    `updated_seq` is a fleet-wide change counter: every insert, update or deletion of
    an item gives it the next value, so kiosks download deltas with a cursor. A
    deleted item keeps its row (`deleted`, no body) so the deletion reaches them.
    """

    __tablename__ = "reference_items"
    __table_args__ = (
        UniqueConstraint("kind", "key", name="uq_reference_items_kind_key"),
        UniqueConstraint("updated_seq", name="uq_reference_items_updated_seq"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON text
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_seq: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class StaffPinState(Base):
    """Wrong-PIN counts per staff card, across every kiosk (online PIN checks): after
    `failures` reaches the limit the card is locked until `locked_until`; `lockouts`
    counts locks since the last good PIN (each one lasts longer)."""

    __tablename__ = "staff_pin_state"

    card_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    lockouts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


# --- the taxpayer registry (issue #10; central.registry imports and reads it) ----------

TAXPAYER_KINDS = ("person", "enterprise")
CREDIT_LEVELS = ("A", "B", "M", "C", "D")
APPLICATION_STATUSES = ("accepted", "review", "approval", "refund", "done", "refused")


class Taxpayer(Base):
    """A registered taxpayer: a natural person (TIN = resident ID number, usually) or
    an enterprise (TIN = USCC). `password_hash`: scrypt (offline_queue.pins), NULL
    when the taxpayer has no password login. `tax_kinds`: JSON list, NULL: derived
    from the payments and arrears."""

    __tablename__ = "taxpayers"
    __table_args__ = (
        CheckConstraint("kind IN ('person', 'enterprise')", name="ck_taxpayers_kind"),
    )

    tin: Mapped[str] = mapped_column(String(20), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    id_number: Mapped[str | None] = mapped_column(String(18), nullable=True, index=True)
    password_hash: Mapped[str | None] = mapped_column(String(300), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="normal")
    industry: Mapped[str] = mapped_column(String(100), default="")
    registered_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    tax_office: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    legal_rep: Mapped[str] = mapped_column(String(100), default="")
    tax_kinds: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class TaxpayerAgent(Base):
    """Who may act for an enterprise (its 办税人员): the enterprise's `agents` at import.
    No foreign key on `agent_tin`: an agent may be imported after the enterprise."""

    __tablename__ = "taxpayer_agents"

    enterprise_tin: Mapped[str] = mapped_column(
        String(20), ForeignKey("taxpayers.tin", ondelete="CASCADE"), primary_key=True)
    agent_tin: Mapped[str] = mapped_column(String(20), primary_key=True, index=True)


class CreditRating(Base):
    """纳税信用等级 per taxpayer and year."""

    __tablename__ = "credit_ratings"
    __table_args__ = (
        CheckConstraint("level IN ('A', 'B', 'M', 'C', 'D')", name="ck_credit_level"),
    )

    tin: Mapped[str] = mapped_column(String(20), ForeignKey("taxpayers.tin"),
                                     primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    level: Mapped[str] = mapped_column(String(1))
    evaluated_on: Mapped[date] = mapped_column(Date)


class Arrear(Base):
    """Outstanding tax by taxpayer, tax kind and period (YYYYMM); an amount of 0 is
    settled and no longer listed."""

    __tablename__ = "arrears"

    tin: Mapped[str] = mapped_column(String(20), ForeignKey("taxpayers.tin"),
                                     primary_key=True)
    tax_kind: Mapped[str] = mapped_column(String(50), primary_key=True)
    period: Mapped[str] = mapped_column(String(6), primary_key=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    due_on: Mapped[date] = mapped_column(Date)


class Payment(Base):
    """A paid tax voucher (税票号); `printed`: how often the kiosk printed it."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("tin", "voucher_no", name="uq_payments_tin_voucher"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tin: Mapped[str] = mapped_column(String(20), ForeignKey("taxpayers.tin"))
    voucher_no: Mapped[str] = mapped_column(String(32))
    tax_kind: Mapped[str] = mapped_column(String(50))
    period: Mapped[str] = mapped_column(String(6))
    amount: Mapped[Decimal] = mapped_column(Money)
    paid_on: Mapped[date] = mapped_column(Date)
    tax_office: Mapped[str] = mapped_column(String(200), default="")
    printed: Mapped[int] = mapped_column(Integer, default=0)


class Application(Base):
    """An application or refund and its progress (status: APPLICATION_STATUSES;
    `steps`: JSON list of {name, done_on})."""

    __tablename__ = "applications"
    __table_args__ = (
        CheckConstraint("status IN ('accepted', 'review', 'approval', 'refund', 'done', "
                        "'refused')", name="ck_applications_status"),
    )

    number: Mapped[str] = mapped_column(String(32), primary_key=True)
    tin: Mapped[str] = mapped_column(String(20), ForeignKey("taxpayers.tin"), index=True)
    kind: Mapped[str] = mapped_column(String(50))
    submitted_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(500), default="")
    steps: Mapped[str | None] = mapped_column(Text, nullable=True)


class Notice(Base):
    """A notice for the taxpayers of one industry ("*": every taxpayer)."""

    __tablename__ = "notices"
    __table_args__ = (
        UniqueConstraint("industry", "title", "published_on", name="uq_notices_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    industry: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    published_on: Mapped[date] = mapped_column(Date)


class NoticeRead(Base):
    """A notice a taxpayer (`tin`: a person, or an enterprise someone acts for) has read
    at a kiosk: 我的消息's unread count follows the taxpayer to every visit and kiosk,
    and the kiosk itself keeps nothing about who read what."""

    __tablename__ = "notice_reads"

    tin: Mapped[str] = mapped_column(
        String(20), ForeignKey("taxpayers.tin", ondelete="CASCADE"), primary_key=True)
    notice_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("notices.id", ondelete="CASCADE"), primary_key=True)
    read_at: Mapped[datetime] = mapped_column(UtcDateTime)


class TaxpayerLoginState(Base):
    """Wrong passwords per taxpayer, across every kiosk: MAX_FAILURES lock the TIN
    until `locked_until` (central.identity)."""

    __tablename__ = "taxpayer_login_state"

    tin: Mapped[str] = mapped_column(String(20), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class QrLogin(Base):
    """A scan-to-login token shown by one kiosk: stored as its SHA-256 only. Approved
    by the tax app (`approved_tin`), answered once to its kiosk (`answered_at`)."""

    __tablename__ = "qr_logins"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(String(64), ForeignKey("kiosks.kiosk_id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    approved_tin: Mapped[str | None] = mapped_column(String(20), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class TaxpayerSession(Base):
    """An identified taxpayer at one kiosk: the opaque session token's SHA-256, who
    logged in (`person_tin`), whom the look-ups concern (`acting_tin`: the person or
    an enterprise they act for), and when it expires without use."""

    __tablename__ = "taxpayer_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(String(64), ForeignKey("kiosks.kiosk_id"),
                                          index=True)
    person_tin: Mapped[str] = mapped_column(String(20))
    acting_tin: Mapped[str] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CreditConsent(Base):
    """A taxpayer's consent to send the credit rating to a bank (银税互动), or its
    withdrawal: one row per queued `credit.consent` record; the newest counts."""

    __tablename__ = "credit_consents"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tin: Mapped[str] = mapped_column(String(20), ForeignKey("taxpayers.tin"), index=True)
    bank: Mapped[str] = mapped_column(String(100))
    granted: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ResidenceApplication(Base):
    """An application for the 中国税收居民身份证明 (queued `residence.application`);
    its progress is the `applications` row of the same number."""

    __tablename__ = "residence_applications"

    number: Mapped[str] = mapped_column(String(32), ForeignKey("applications.number"),
                                        primary_key=True)
    tin: Mapped[str] = mapped_column(String(20), ForeignKey("taxpayers.tin"))
    year: Mapped[int] = mapped_column(Integer)
    country: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(500))
    income_types: Mapped[str] = mapped_column(Text)  # JSON list
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class IssuedCertificate(Base):
    """The register of issued tax certificates (central.certificates): the masked
    summary the public checks answer with (JSON), the payment rows (JSON), the SHA-256
    of the 验证码 (never the code), and the revocation if any."""

    __tablename__ = "certificates"
    __table_args__ = (
        CheckConstraint("kind IN ('document', 'table', 'record')", name="ck_certificates_kind"),
        UniqueConstraint("check_code_hash", name="uq_certificates_check_code"),
    )

    number: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    tin: Mapped[str] = mapped_column(String(20), index=True)
    kiosk_id: Mapped[str] = mapped_column(String(64))
    check_code_hash: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text)
    rows: Mapped[str] = mapped_column(Text)
    total: Mapped[Decimal] = mapped_column(Money)
    period_from: Mapped[str | None] = mapped_column(String(6), nullable=True)
    period_to: Mapped[str | None] = mapped_column(String(6), nullable=True)
    issued_on: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    key_id: Mapped[str] = mapped_column(String(16))
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    revoked_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)

def make_engine(db_url: str) -> Engine:
    """Create an engine; for SQLite: WAL, busy_timeout 5000, foreign keys, BEGIN IMMEDIATE.

    BEGIN IMMEDIATE takes the write lock at the start of every transaction, so two
    concurrent writers wait for each other (busy_timeout) instead of failing with
    SQLITE_BUSY when a reader tries to upgrade to a writer. PostgreSQL (psycopg 3,
    also for plain `postgresql://` URLs): a pool per process, pre-ping, lock timeout.
    """
    url = make_url(db_url)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")  # the driver we ship (psycopg 3)
    if url.get_backend_name() == "postgresql":
        connect_args: dict[str, Any] = {"application_name": "tax-kiosk-central"}
        if "options" not in url.query:
            connect_args["options"] = PG_OPTIONS
        if "connect_timeout" not in url.query:
            connect_args["connect_timeout"] = 10
        return create_engine(url, pool_pre_ping=True, pool_size=PG_POOL_SIZE,
                             max_overflow=PG_MAX_OVERFLOW, pool_timeout=10,
                             pool_recycle=1800, connect_args=connect_args)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)

    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 5.0})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_MS}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def create_schema(engine: Engine) -> None:
    """Bring the database to the newest schema through the Alembic migrations
    (central.migrate: one transaction, under a lock; idempotent)."""
    from central.migrate import upgrade_schema

    upgrade_schema(engine)


# Tables of other areas, declared in their own modules on this Base: imported here so
# that Base.metadata (create_all, the migration check) always holds every table.
from central import assistance as _assistance  # noqa: E402,F401
from central import guidance_db as _guidance_db  # noqa: E402,F401
from central import invoice_stock_db as _invoice_stock_db  # noqa: E402,F401
from central import lottery_db as _lottery_db  # noqa: E402,F401
from central import out_of_service as _out_of_service  # noqa: E402,F401
from central import payment_services_db as _payment_services_db  # noqa: E402,F401
from central import payments_db as _payments_db  # noqa: E402,F401
from central import replay_db as _replay_db  # noqa: E402,F401
from central.fleet import models as _fleet_models  # noqa: E402,F401
