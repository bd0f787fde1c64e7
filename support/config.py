"""Where the system under test is: embedded (started by the harness) or a remote target.

Each setting comes from ``behave -D name=value`` first, then the matching
``QUANTDESK_*`` environment variable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

_SOURCES = {
    "base_url": "QUANTDESK_BASE_URL",
    "broker_url": "QUANTDESK_BROKER_URL",
    "operator_key": "QUANTDESK_OPERATOR_KEY",
    "database_url": "QUANTDESK_DATABASE_URL",
    "platform_port": "QUANTDESK_PLATFORM_PORT",
    "broker_port": "QUANTDESK_BROKER_PORT",
}


@dataclass(frozen=True)
class TargetConfig:
    base_url: str | None = None
    broker_url: str | None = None
    operator_key: str | None = None
    database_url: str | None = None
    platform_port: int = 0
    broker_port: int = 0

    @property
    def remote(self) -> bool:
        return bool(self.base_url)

    @classmethod
    def from_sources(cls, userdata: Mapping[str, str], environ: Mapping[str, str]) -> TargetConfig:
        values: dict[str, str | None] = {}
        for name, variable in _SOURCES.items():
            values[name] = (userdata.get(name) or environ.get(variable) or "").strip() or None
        return cls(
            base_url=(values["base_url"] or "").rstrip("/") or None,
            broker_url=(values["broker_url"] or "").rstrip("/") or None,
            operator_key=values["operator_key"],
            database_url=values["database_url"],
            platform_port=int(values["platform_port"] or 0),
            broker_port=int(values["broker_port"] or 0),
        )
