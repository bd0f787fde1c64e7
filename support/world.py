"""The per-scenario world: every piece of a scenario's state lives here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from support.drivers.access_control import AccessDriver
from support.drivers.broker import BrokerDriver
from support.drivers.http import RecordingClient
from support.drivers.market_data import MarketDataDriver
from support.drivers.platform import PlatformDriver
from support.drivers.redaction import Redactor
from support.dsl.access_control import AccessControl
from support.dsl.aliases import Aliases
from support.dsl.brokerage import ACCESS_TOKEN_TTL_SECONDS, Brokerage
from support.dsl.client_setup import ClientSetup
from support.dsl.market_data import MarketData
from support.dsl.onboarding import Onboarding
from support.dsl.platform import PlatformClock, PlatformStatus


@dataclass
class Target:
    """Where the system under test answers, however it was started."""

    base_url: str
    broker_url: str | None
    operator_key: str | None
    controls_enabled: bool = False
    facts: dict[str, Any] = field(default_factory=dict)


class World:
    def __init__(self, target: Target) -> None:
        self.target = target
        self.aliases = Aliases()
        self.redactor = Redactor()
        self.http = RecordingClient(target.base_url, self.redactor, system="quantdesk")
        self.platform = PlatformDriver(self.http, target.operator_key)
        self.onboarding = Onboarding(self.platform, self.aliases, self.redactor)
        self.status = PlatformStatus(self.platform)
        self.cleanups: list[Callable[[], None]] = []
        self.clock = PlatformClock(self.platform, self.cleanups)
        # The brokerage, as the client's browser and as the operator of its test controls.
        self.broker_http = RecordingClient(
            target.broker_url or "http://broker-url-not-configured.invalid",
            self.redactor,
            system="brokerage",
        )
        broker = BrokerDriver(self.broker_http)
        self.market_data = MarketData(
            MarketDataDriver(self.http, target.operator_key),
            self.aliases,
            feed=broker if target.broker_url else None,
        )
        self.brokerage = Brokerage(self.platform, broker, self.onboarding, self.aliases)
        self.client_setup = ClientSetup(self.brokerage, self.market_data)
        self.clock.lifetimes.update(
            {
                "sign-in": lambda name: timedelta(seconds=self.onboarding.session_lifetimes[name]),
                "started link": lambda name: self.brokerage.started[name]["expires_at"],
                "access": lambda _: timedelta(seconds=ACCESS_TOKEN_TTL_SECONDS),
            }
        )
        self.access = AccessControl(
            AccessDriver(self.http, target.operator_key),
            self.onboarding,
            self.brokerage,
            self.client_setup,
            self.aliases,
        )
        self.last: Any = None

    def close(self) -> None:
        try:
            for cleanup in reversed(self.cleanups):
                cleanup()
        finally:
            self.market_data.close()
            self.http.close()
            self.broker_http.close()
