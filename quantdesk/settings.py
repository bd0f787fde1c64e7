"""Platform settings, read from QUANTDESK_* environment variables (pydantic-settings)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything the platform process needs to know about its environment."""

    model_config = SettingsConfigDict(env_prefix="QUANTDESK_", extra="ignore")

    data_dir: Path = Field(
        default=Path("./var/quantdesk"),
        description="Directory for the platform's files (SQLite database by default).",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; defaults to a SQLite file in the data directory.",
    )
    broker_url: str = Field(
        default="http://127.0.0.1:8100",
        description="Base URL of the brokerage (the simulator in tests).",
    )
    operator_key: SecretStr | None = Field(
        default=None,
        description="API key of back-office operators; if unset, operator endpoints refuse all.",
    )
    controls_enabled: bool = Field(
        default=False,
        description="Expose test controls (clock, fault injection). Never in production.",
    )
    broker_timeout_seconds: float = Field(default=2.0, gt=0)
    client_token_ttl_seconds: int = Field(
        default=3600, gt=0, description="Lifetime of a client's bearer token."
    )
    log_level: str = Field(default="info")
    # -- market data ----------------------------------------------------------------------
    market_data_max_upload_bytes: int = Field(
        default=50 * 1024 * 1024, gt=0, description="Largest CSV upload accepted (413 above)."
    )
    market_data_sync_max_bytes: int = Field(
        default=5 * 1024 * 1024,
        ge=0,
        description="A larger CSV upload runs as an operation (202) instead of in the request.",
    )
    market_data_sync_max_symbols: int = Field(
        default=1,
        ge=0,
        description="A brokerage-feed ingestion of more symbols runs as an operation (202).",
    )
    market_data_write_chunk_rows: int = Field(default=20_000, gt=0)
    operation_workers: int = Field(
        default=2, gt=0, description="Worker threads that run long operations."
    )
    training_max_running: int = Field(
        default=2, gt=0, description="Training jobs that run at once; the rest wait queued."
    )

    # -- the platform as an OAuth client of the brokerage -------------------------------
    broker_client_id: str = Field(
        default="quantdesk", description="QuantDesk's OAuth client id at the brokerage."
    )
    broker_client_secret: SecretStr | None = Field(
        default=None, description="QuantDesk's OAuth client secret; linking is refused without."
    )
    broker_redirect_uri: str = Field(
        default="http://127.0.0.1:8000/v1/brokerage/callback",
        description="The callback URL registered at the brokerage, exactly as registered.",
    )
    broker_scope: str = Field(default="account:read account:write trading")
    token_encryption_keys: SecretStr | None = Field(
        default=None,
        description="Fernet keys (comma-separated, newest first) that encrypt brokerage tokens "
        "at rest; if unset, a key is generated once into <data_dir>/token-encryption.key.",
    )
    link_attempt_ttl_seconds: int = Field(
        default=600, gt=0, description="How long a started brokerage link waits for its callback."
    )

    # -- trading ----------------------------------------------------------------------
    rebalance_ttl_seconds: int = Field(
        default=3600, gt=0, description="How long a proposed rebalance may wait to be executed."
    )
    min_order_notional: Decimal = Field(
        default=Decimal("1.00"), ge=0, description="No order worth less is proposed (USD)."
    )
    max_order_notional: Decimal = Field(
        default=Decimal("250000.00"),
        gt=0,
        description="No order worth more (USD) reaches the brokerage: it is denied.",
    )
    execution_sync_max_orders: int = Field(
        default=20,
        ge=0,
        le=10_000,
        description="A batch with more orders is executed in the background, as an operation.",
    )
    broker_circuit_failures: int = Field(
        default=5,
        ge=1,
        le=1000,
        description="Failed calls to the brokerage's trading desk in a row (errors, time-outs) "
        "that open the circuit: calls then fail fast without reaching it.",
    )
    broker_circuit_cooldown_seconds: int = Field(
        default=30,
        ge=1,
        le=86_400,
        description="How long an open circuit fails fast before one trial call decides.",
    )
    drift_band: Decimal = Field(
        default=Decimal("0"),
        ge=0,
        le=1,
        description="A position within this fraction of its target weight is not traded.",
    )

    def resolved_database_url(self) -> str:
        """The database URL, defaulting to ``<data_dir>/quantdesk.db``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'quantdesk.db').resolve()}"
