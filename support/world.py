"""The per-scenario world: every piece of a scenario's state lives here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from support.drivers.access_control import AccessDriver
from support.drivers.brokerage import BrokerageDriver
from support.drivers.brokerage_link import BrokerageLinkDriver
from support.drivers.client_setup import ClientSetupDriver
from support.drivers.funding import FundingDriver
from support.drivers.http import RecordingClient
from support.drivers.market_data import MarketDataDriver
from support.drivers.models import ModelsDriver
from support.drivers.onboarding import OnboardingDriver
from support.drivers.platform_clock import PlatformClockDriver
from support.drivers.platform_health import PlatformHealthDriver
from support.drivers.redaction import Redactor
from support.drivers.trading import TradingDriver
from support.dsl.access_control import AccessControl
from support.dsl.aliases import Aliases
from support.dsl.brokerage import ACCESS_TOKEN_TTL_SECONDS, Brokerage
from support.dsl.brokerage_circuit import BrokerageCircuit
from support.dsl.brokerage_link import BrokerageLink
from support.dsl.client_setup import ClientSetup
from support.dsl.feature_sets import FeatureSets
from support.dsl.funding import Funding
from support.dsl.indicators import Indicators
from support.dsl.market_data import MarketData
from support.dsl.market_feed import MarketFeed
from support.dsl.model_training import ModelTraining
from support.dsl.onboarding import Onboarding, OnboardingChecklist
from support.dsl.operations import Operations
from support.dsl.outcomes import Outcomes
from support.dsl.platform_clock import PlatformClock
from support.dsl.platform_health import PlatformHealth
from support.dsl.trading import Trading


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
        self.outcomes = Outcomes()
        self.cleanups: list[Callable[[], None]] = []
        # QuantDesk, as operators, clients and their browsers call it.
        self.http = RecordingClient(target.base_url, self.redactor, system="quantdesk")
        # The brokerage, as the client's browser and as the operator of its test controls.
        self.broker_http = RecordingClient(
            target.broker_url or "http://broker-url-not-configured.invalid",
            self.redactor,
            system="brokerage",
        )
        self.brokerage = Brokerage(
            BrokerageDriver(self.broker_http),
            self.aliases,
            self.cleanups,
            reachable=bool(target.broker_url),
        )
        self._platform()
        self._market_data()
        self._onboarding()
        self.trading = Trading(
            TradingDriver(self.http, target.operator_key),
            self.onboarding,
            self.client_setup,
            self.brokerage_link,
            self.funding,
            self.brokerage,
            self.aliases,
            self.outcomes,
            self.operations,
        )
        self.brokerage_circuit = BrokerageCircuit(
            PlatformHealthDriver(self.http, target.operator_key),
            self.platform_clock,
            self.brokerage,
            self.trading,
            self.cleanups,
        )
        self.model_training = ModelTraining(
            ModelsDriver(self.http, target.operator_key),
            self.market_data,
            self.aliases,
            self.outcomes,
            self.cleanups,
        )
        self.access_control = AccessControl(
            AccessDriver(self.http, target.operator_key),
            self.onboarding,
            self.client_setup,
            self.brokerage_link,
            self.funding,
            self.trading,
            self.aliases,
            self.model_training,
        )
        self.last: Any = None

    def _platform(self) -> None:
        key = self.target.operator_key
        self.platform_health = PlatformHealth(PlatformHealthDriver(self.http, key), self.outcomes)
        self.platform_clock = PlatformClock(PlatformClockDriver(self.http, key), self.cleanups)
        self.platform_clock.lifetimes.update(
            {
                "sign-in": lambda name: timedelta(seconds=self.onboarding.session_lifetimes[name]),
                "started link": lambda name: self.brokerage_link.started[name]["expires_at"],
                "access": lambda _: timedelta(seconds=ACCESS_TOKEN_TTL_SECONDS),
                "rebalance": lambda name: self.trading.batches[name]["expires_at"],
            }
        )

    def _market_data(self) -> None:
        driver, outcomes = MarketDataDriver(self.http, self.target.operator_key), self.outcomes
        self.operations = Operations(driver)
        self.market_data = MarketData(driver, self.aliases, outcomes, self.operations)
        self.market_feed = MarketFeed(self.market_data, self.operations, outcomes)
        self.indicators = Indicators(self.market_data, outcomes)
        self.feature_sets = FeatureSets(self.market_data, outcomes)

    def _onboarding(self) -> None:
        key, outcomes = self.target.operator_key, self.outcomes
        self.onboarding = Onboarding(
            OnboardingDriver(self.http, key), self.aliases, self.redactor, outcomes
        )
        self.client_setup = ClientSetup(
            ClientSetupDriver(self.http, key), self.onboarding, self.market_data, outcomes
        )
        self.brokerage_link = BrokerageLink(
            BrokerageLinkDriver(self.http, key), self.onboarding, self.brokerage, outcomes
        )
        self.funding = Funding(
            FundingDriver(self.http, key), self.onboarding, self.brokerage_link, outcomes
        )
        self.checklist = OnboardingChecklist(
            self.onboarding, self.client_setup, self.brokerage_link, self.funding, outcomes
        )

    def close(self) -> None:
        try:
            for cleanup in reversed(self.cleanups):
                cleanup()
        finally:
            self.http.close()
            self.broker_http.close()
