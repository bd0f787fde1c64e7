"""Broker simulator settings. It reads the shared data-directory variable and keeps
its own storage in a separate sub-directory.

Every field is read from a ``QUANTDESK_``-prefixed environment variable, e.g.
``QUANTDESK_BROKER_CLIENT_SECRET``. ``QUANTDESK_BROKER_REDIRECT_URIS`` is a
comma-separated list of exact redirect URIs.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class BrokerSimSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QUANTDESK_", extra="ignore")

    data_dir: Path = Field(default=Path("./var/quantdesk"))
    controls_enabled: bool = False

    # The one OAuth client the simulated broker knows: the QuantDesk platform.
    broker_client_id: str = "quantdesk"
    broker_client_secret: SecretStr | None = None
    broker_redirect_uris: Annotated[list[str], NoDecode] = Field(default_factory=list)
    broker_access_token_ttl_seconds: int = Field(default=1800, gt=0)
    broker_refresh_token_ttl_seconds: int = Field(default=7 * 24 * 3600, gt=0)
    broker_code_ttl_seconds: int = Field(default=60, gt=0)

    # How the trading desk fills and charges orders unless a test control says otherwise.
    broker_slippage_bps: int = Field(default=0, ge=0, le=1000)
    broker_commission_per_share: Decimal = Field(default=Decimal(0), ge=0)
    broker_commission_minimum: Decimal = Field(default=Decimal(0), ge=0)
    broker_commission_per_order: Decimal = Field(default=Decimal(0), ge=0)

    @field_validator("broker_redirect_uris", mode="before")
    @classmethod
    def _split_uris(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [uri.strip() for uri in value.split(",") if uri.strip()]
        return value

    def desk_terms(self) -> Any:
        from quantdesk.broker_sim.desk import Terms

        return Terms(
            slippage_bps=self.broker_slippage_bps,
            commission_per_share=self.broker_commission_per_share,
            commission_minimum=self.broker_commission_minimum,
            commission_per_order=self.broker_commission_per_order,
        )

    @property
    def storage_dir(self) -> Path:
        return self.data_dir / "broker-sim"

    def database_url(self) -> str:
        return f"sqlite:///{(self.storage_dir / 'broker.db').resolve()}"
