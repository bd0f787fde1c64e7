"""SQLAlchemy 2 table models. Schema changes go through an Alembic migration."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
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


class DailyBarRow(Base):
    """One symbol's OHLCV bar of one exchange session; (symbol, session) is unique."""

    __tablename__ = "daily_bars"
    __table_args__ = (UniqueConstraint("symbol", "session", name="uq_daily_bars_symbol_session"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    symbol: Mapped[str] = mapped_column(String(40))
    session: Mapped[date] = mapped_column(Date)
    # Double precision: float64 in and out, so a re-sent file compares equal exactly.
    open: Mapped[float] = mapped_column(Double)
    high: Mapped[float] = mapped_column(Double)
    low: Mapped[float] = mapped_column(Double)
    close: Mapped[float] = mapped_column(Double)
    volume: Mapped[int] = mapped_column(BigInteger)
    run_id: Mapped[str] = mapped_column(String(40), ForeignKey("ingestion_runs.id"))


class IngestionRunRow(Base):
    """One load of a bars file: what came in, what was stored, what was set aside."""

    __tablename__ = "ingestion_runs"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    source: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # full | incremental | backfill
    range_start: Mapped[date | None] = mapped_column(Date)
    range_end: Mapped[date | None] = mapped_column(Date)
    symbols: Mapped[str] = mapped_column(Text)  # JSON list
    received: Mapped[int] = mapped_column(Integer)
    inserted: Mapped[int] = mapped_column(Integer)
    updated: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer)
    skipped: Mapped[int] = mapped_column(Integer, default=0)  # migration 0005
    duration_ms: Mapped[int] = mapped_column(Integer)
    # succeeded | succeeded_with_rejections | failed
    status: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str | None] = mapped_column(Text)
    gaps: Mapped[str] = mapped_column(Text)  # JSON {symbol: [iso dates]}
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class QuarantinedRowRow(Base):
    """An input row of a run that broke validation rules, kept as it was given."""

    __tablename__ = "quarantined_rows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(String(40), ForeignKey("ingestion_runs.id"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)  # 1-based bar row of the file
    raw_values: Mapped[str] = mapped_column(Text)  # JSON {column: value as given}
    rules: Mapped[str] = mapped_column(Text)  # JSON list of rule names


# -- onboarding after registration (migration 0004) -----------------------------------------


class LinkAttemptRow(Base):
    """A started brokerage link: the ``state`` (hashed) and the PKCE verifier (encrypted)."""

    __tablename__ = "link_attempts"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(40), ForeignKey("clients.id"), index=True)
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    code_verifier_enc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str | None] = mapped_column(String(30))


class BrokerageLinkRow(Base):
    """A client's link to their brokerage account; tokens encrypted at rest, never shown."""

    __tablename__ = "brokerage_links"

    client_id: Mapped[str] = mapped_column(String(40), ForeignKey("clients.id"), primary_key=True)
    broker_account_id: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(30))  # active | reauth_required
    scope: Mapped[str] = mapped_column(String(200))
    access_token_enc: Mapped[str | None] = mapped_column(Text)
    refresh_token_enc: Mapped[str | None] = mapped_column(Text)
    access_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(Text)
    linked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PortfolioPreferencesRow(Base):
    __tablename__ = "portfolio_preferences"

    client_id: Mapped[str] = mapped_column(String(40), ForeignKey("clients.id"), primary_key=True)
    universe: Mapped[str] = mapped_column(Text)  # JSON list of symbols
    excluded: Mapped[str] = mapped_column(Text)  # JSON list of symbols
    max_position_weight: Mapped[str] = mapped_column(String(12))  # decimal fraction
    cash_buffer: Mapped[str] = mapped_column(String(12))  # decimal fraction
    approval_required: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ClientStrategyRow(Base):
    __tablename__ = "client_strategies"

    client_id: Mapped[str] = mapped_column(String(40), ForeignKey("clients.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))  # equal_weight | model
    model_alias: Mapped[str | None] = mapped_column(String(100))
    chosen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ClientDepositRow(Base):
    """Cash the platform deposited into a client's linked paper account at the broker."""

    __tablename__ = "client_deposits"
    __table_args__ = (
        UniqueConstraint("client_id", "idempotency_key", name="uq_client_deposits_key"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(40), ForeignKey("clients.id"), index=True)
    broker_account_id: Mapped[str] = mapped_column(String(40))
    broker_deposit_id: Mapped[str] = mapped_column(String(64))
    amount: Mapped[str] = mapped_column(String(32))
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# -- market data operations (migration 0005) -----------------------------------------------


class OperationRow(Base):
    """A long-running operation (AIP-151): its state survives the request that started it."""

    __tablename__ = "operations"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    # queued | running | succeeded | failed | cancelled
    status: Mapped[str] = mapped_column(String(20), index=True)
    progress_percent: Mapped[float] = mapped_column(Double)
    progress_message: Mapped[str | None] = mapped_column(Text)
    cancel_requested: Mapped[bool] = mapped_column(Boolean)
    request: Mapped[str] = mapped_column(Text)  # JSON
    result: Mapped[str | None] = mapped_column(Text)  # JSON
    error: Mapped[str | None] = mapped_column(Text)  # JSON {code, message, details}
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


# -- trading -----------------------------------------------------------------------------


class RebalanceBatchRow(Base):
    """A proposed set of orders for one client, from proposal to execution.

    ``active_client_id`` is the client's id while the batch is active and NULL after:
    its unique index allows one active batch per client on SQLite and PostgreSQL alike."""

    __tablename__ = "rebalance_batches"
    __table_args__ = (UniqueConstraint("active_client_id", name="uq_rebalance_batches_active"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(40), ForeignKey("clients.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # rebalance | close_out
    status: Mapped[str] = mapped_column(String(30))
    active_client_id: Mapped[str | None] = mapped_column(String(40))
    priced_on: Mapped[date] = mapped_column(Date)
    value: Mapped[str] = mapped_column(String(32))
    cash_before: Mapped[str] = mapped_column(String(32))
    cash_after: Mapped[str] = mapped_column(String(32))
    positions_after: Mapped[str] = mapped_column(Text)  # JSON {symbol: quantity}
    approval_required: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(Text)
    execution_key: Mapped[str | None] = mapped_column(String(255))
    # The operation running the execution in the background (None: run in the request).
    execution_operation_id: Mapped[str | None] = mapped_column(String(40))
    proposed_by: Mapped[str] = mapped_column(String(80))
    proposed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The model version whose predictions gave the targets (model strategy only).
    model_name: Mapped[str | None] = mapped_column(String(64))
    model_version: Mapped[int | None] = mapped_column(Integer)


class BatchOrderRow(Base):
    """One order of a batch; ``client_order_id`` (batch and sequence) is what the
    brokerage knows it by, so a retry can never place it twice."""

    __tablename__ = "batch_orders"
    __table_args__ = (
        UniqueConstraint("client_id", "client_order_id", name="uq_batch_orders_client_order_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    batch_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("rebalance_batches.id"), index=True
    )
    client_id: Mapped[str] = mapped_column(String(40), ForeignKey("clients.id"))
    sequence: Mapped[int] = mapped_column(Integer)
    symbol: Mapped[str] = mapped_column(String(40))
    side: Mapped[str] = mapped_column(String(4))
    quantity: Mapped[int] = mapped_column(Integer)
    price: Mapped[str] = mapped_column(String(32))  # the price it was proposed at
    commission: Mapped[str] = mapped_column(String(32))  # estimated
    client_order_id: Mapped[str] = mapped_column(String(128))
    # proposed | denied | sent | filled | partially_filled | rejected | canceled
    status: Mapped[str] = mapped_column(String(30))
    denied_limit: Mapped[str | None] = mapped_column(String(40))
    message: Mapped[str | None] = mapped_column(Text)
    broker_order_id: Mapped[str | None] = mapped_column(String(64))
    filled_quantity: Mapped[int] = mapped_column(Integer)
    filled_price: Mapped[str | None] = mapped_column(String(32))
    filled_commission: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class BatchTransitionRow(Base):
    """The audit trail of a batch: who moved it, when, from which state to which, why."""

    __tablename__ = "batch_transitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("rebalance_batches.id"), index=True
    )
    from_state: Mapped[str | None] = mapped_column(String(30))
    to_state: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    by: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str | None] = mapped_column(Text)


class PortfolioFillRow(Base):
    """A fill recorded once: ``filled_through`` is the order's filled quantity after it."""

    __tablename__ = "portfolio_fills"
    __table_args__ = (
        UniqueConstraint("batch_order_id", "filled_through", name="uq_portfolio_fills_step"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(String(40), ForeignKey("clients.id"), index=True)
    batch_order_id: Mapped[str] = mapped_column(String(40), ForeignKey("batch_orders.id"))
    symbol: Mapped[str] = mapped_column(String(40))
    side: Mapped[str] = mapped_column(String(4))
    quantity: Mapped[int] = mapped_column(Integer)
    price: Mapped[str] = mapped_column(String(32))
    commission: Mapped[str] = mapped_column(String(32))
    filled_through: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TradingRiskRow(Base):
    """A client's daily loss limit (money, NULL: none) and whether its trading is halted.

    ``resumed_session``: the brokerage session in which an operator last resumed trading;
    that day's loss, already reviewed, does not halt the account again."""

    __tablename__ = "trading_risk"

    client_id: Mapped[str] = mapped_column(String(40), ForeignKey("clients.id"), primary_key=True)
    daily_loss_limit: Mapped[str | None] = mapped_column(String(32))
    halted: Mapped[bool] = mapped_column(Boolean)
    halted_reason: Mapped[str | None] = mapped_column(Text)
    resumed_session: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RiskEventRow(Base):
    """One entry of a client's risk trail: ``limit_set``, ``halted`` (the alert) or
    ``resumed``, with who, when, the brokerage session and why."""

    __tablename__ = "risk_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(String(40), ForeignKey("clients.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    session: Mapped[date | None] = mapped_column(Date)
    by: Mapped[str] = mapped_column(String(80))
    message: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ModelVersionRow(Base):
    """An immutable, numbered version of a named model: what it was trained on, how it
    scored, and the checksum of its artifact file."""

    __tablename__ = "model_versions"
    __table_args__ = (UniqueConstraint("name", "version", name="uq_model_versions_name_version"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    algorithm: Mapped[str] = mapped_column(String(40))
    feature_set: Mapped[str] = mapped_column(String(40))
    symbols: Mapped[str] = mapped_column(Text)  # JSON list
    train_start: Mapped[date] = mapped_column(Date)
    train_end: Mapped[date] = mapped_column(Date)
    folds: Mapped[int] = mapped_column(Integer)
    gap_sessions: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(BigInteger)
    hyperparameters: Mapped[str] = mapped_column(Text)  # JSON
    metrics: Mapped[str] = mapped_column(Text)  # JSON {overall, folds, equity}
    rows: Mapped[int] = mapped_column(Integer)
    sessions: Mapped[int] = mapped_column(Integer)
    data_fingerprint: Mapped[str] = mapped_column(String(64))
    operation_id: Mapped[str] = mapped_column(String(40))
    artifact_path: Mapped[str] = mapped_column(Text)
    artifact_sha256: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ModelAliasRow(Base):
    """Where an alias of a model (``production``, ...) points now."""

    __tablename__ = "model_aliases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    alias: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AliasMoveRow(Base):
    """Every move of an alias: who, when, from which version to which, why."""

    __tablename__ = "model_alias_moves"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    alias: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(20))  # promote | rollback
    from_version: Mapped[int | None] = mapped_column(Integer)
    to_version: Mapped[int | None] = mapped_column(Integer)
    forced: Mapped[bool] = mapped_column(Boolean)
    # A promotion undone by a rollback is not rolled back to again.
    undone: Mapped[bool] = mapped_column(Boolean)
    by: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
