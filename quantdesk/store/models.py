"""SQLAlchemy 2 table models. Schema changes go through an Alembic migration."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class ClientRow(Base):
    __tablename__ = "clients"
    __table_args__ = (UniqueConstraint("email_key", name="uq_clients_email_key"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    # The uniqueness key: lower-cased, trimmed. The unique index makes concurrent
    # registrations of one address safe, not only sequential ones.
    email_key: Mapped[str] = mapped_column(String(320))
    date_of_birth: Mapped[date] = mapped_column(Date)
    risk_tolerance: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    country: Mapped[str | None] = mapped_column(String(2))
    investment_horizon_years: Mapped[int | None] = mapped_column(Integer)
    password_hash: Mapped[str | None] = mapped_column(String(200))


class ClientSessionRow(Base):
    """A client's bearer token, stored as its SHA-256 hash only."""

    __tablename__ = "client_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(40), ForeignKey("clients.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# -- market data (migration 0003) ---------------------------------------------------------
