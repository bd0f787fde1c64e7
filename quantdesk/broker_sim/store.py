"""The simulator's own storage: SQLAlchemy 2 models on a private SQLite file.

Secrets (passwords, authorization codes, tokens) are stored only as hashes.
Money is stored as integer cents.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Date,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    create_engine,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out (SQLite keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class SimBase(DeclarativeBase):
    pass


class SimInstance(SimBase):
    """One row per start of the simulator: proves the storage is writable and its own."""

    __tablename__ = "sim_instances"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BrokerUser(SimBase):
    __tablename__ = "broker_users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(128), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PaperAccount(SimBase):
    __tablename__ = "paper_accounts"
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("broker_users.id"), unique=True)
    cash_cents: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    status: Mapped[str] = mapped_column(String(16), default="ACTIVE")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Deposit(SimBase):
    __tablename__ = "deposits"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("paper_accounts.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IdempotencyRecord(SimBase):
    """The stored outcome of an unsafe request made with an ``Idempotency-Key``."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("account_id", "operation", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("paper_accounts.id"))
    operation: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OAuthGrant(SimBase):
    """What a user allowed a client to do; tokens live and die with their grant."""

    __tablename__ = "oauth_grants"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("broker_users.id"), index=True)
    client_id: Mapped[str] = mapped_column(String(128))
    scope: Mapped[str] = mapped_column(String(512))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AuthorizationCode(SimBase):
    __tablename__ = "oauth_codes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[str] = mapped_column(String(128))
    redirect_uri: Mapped[str] = mapped_column(String(2048))
    code_challenge: Mapped[str] = mapped_column(String(128))
    scope: Mapped[str] = mapped_column(String(512))
    user_id: Mapped[int] = mapped_column(ForeignKey("broker_users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    grant_id: Mapped[int | None] = mapped_column(ForeignKey("oauth_grants.id"), nullable=True)


class OAuthToken(SimBase):
    __tablename__ = "oauth_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # "access" | "refresh"
    scope: Mapped[str] = mapped_column(String(512))
    grant_id: Mapped[int] = mapped_column(ForeignKey("oauth_grants.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class DeskAccount(SimBase):
    """The trading desk's view of a paper account: the session it trades at."""

    __tablename__ = "desk_accounts"
    account_id: Mapped[str] = mapped_column(ForeignKey("paper_accounts.id"), primary_key=True)
    session: Mapped[date] = mapped_column(Date)


class DeskClose(SimBase):
    """The account's equity at the close of a session it has left: its portfolio history,
    and the ``last_equity`` a day's profit or loss is measured from."""

    __tablename__ = "desk_closes"
    account_id: Mapped[str] = mapped_column(ForeignKey("paper_accounts.id"), primary_key=True)
    session: Mapped[date] = mapped_column(Date, primary_key=True)
    equity_cents: Mapped[int] = mapped_column(Integer)
    # Everything deposited by then: what the equity is measured against for profit or loss.
    deposits_cents: Mapped[int] = mapped_column(Integer)


class SimOrder(SimBase):
    """An order (Alpaca's fields); prices and money in cents."""

    __tablename__ = "orders"
    __table_args__ = (UniqueConstraint("account_id", "client_order_id"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("paper_accounts.id"), index=True)
    client_order_id: Mapped[str] = mapped_column(String(128))
    symbol: Mapped[str] = mapped_column(String(40))
    side: Mapped[str] = mapped_column(String(4))
    type: Mapped[str] = mapped_column(String(8))
    qty: Mapped[int] = mapped_column(Integer)
    limit_price_cents: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(String(24))
    filled_qty: Mapped[int] = mapped_column(Integer, default=0)
    filled_cents: Mapped[int] = mapped_column(Integer, default=0)
    commission_cents: Mapped[int] = mapped_column(Integer, default=0)
    reject_reason: Mapped[str | None] = mapped_column(String(256), nullable=True)
    session: Mapped[date] = mapped_column(Date)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    filled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    canceled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SimFill(SimBase):
    __tablename__ = "fills"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("paper_accounts.id"), index=True)
    qty: Mapped[int] = mapped_column(Integer)
    price_cents: Mapped[int] = mapped_column(Integer)
    commission_cents: Mapped[int] = mapped_column(Integer)
    session: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SimPosition(SimBase):
    """Shares held and what they cost (the average entry price is cost / quantity)."""

    __tablename__ = "positions"
    account_id: Mapped[str] = mapped_column(ForeignKey("paper_accounts.id"), primary_key=True)
    symbol: Mapped[str] = mapped_column(String(40), primary_key=True)
    qty: Mapped[int] = mapped_column(Integer)
    cost_cents: Mapped[int] = mapped_column(Integer)


def create_sim_engine(url: str) -> Engine:
    """A SQLite engine whose transactions take the write lock up front (BEGIN IMMEDIATE),
    so check-then-write sequences (single-use codes, idempotency keys) are serialised.

    Since every transaction takes that lock, one pooled connection loses no concurrency,
    and requests wait for it in the pool's queue (woken as soon as it is returned) instead
    of in SQLite's busy handler, which sleeps 1, 2, 5 ... 100 ms between retries: with 20
    callers at once that polling left the lock idle and pushed the slowest order past 3 s
    (benchmarks/bench_trading.py). The 30 s bound is the same as the busy timeout's.
    """
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        pool_size=1,
        max_overflow=0,
        pool_timeout=30,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    SimBase.metadata.create_all(engine)
    return engine
