"""The running platform's collaborators: settings, storage, clock, brokerage client and the
services, built once per process and shared by every request."""

from __future__ import annotations

import httpx

from quantdesk.broker.circuit import BrokerageCircuit
from quantdesk.broker.client import BrokerClient
from quantdesk.broker.vault import TokenVault
from quantdesk.clock import SystemClock
from quantdesk.faults import InjectedFaults
from quantdesk.jobs.operations import Operations
from quantdesk.services.brokerage_link import BrokerageLinkService
from quantdesk.services.client_auth import ClientAuthService
from quantdesk.services.client_setup import ClientSetupService
from quantdesk.services.execution import ExecutionService
from quantdesk.services.feature_sets import FeatureSetService
from quantdesk.services.funding import FundingService
from quantdesk.services.ingestion import IngestionService
from quantdesk.services.ingestion_runs import IngestionRunService
from quantdesk.services.market_data import MarketDataService
from quantdesk.services.market_feed import MarketFeed
from quantdesk.services.model_registry import ModelRegistry
from quantdesk.services.onboarding import OnboardingService
from quantdesk.services.portfolio import PortfolioService
from quantdesk.services.rebalancing import RebalanceService
from quantdesk.services.recommendations import RecommendationService
from quantdesk.services.trading_risk import TradingRiskService
from quantdesk.services.training import LANE, TrainingService
from quantdesk.settings import Settings
from quantdesk.store.db import check_connection, create_db_engine, session_factory


class Platform:
    """The running platform's collaborators, shared by all requests."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = create_db_engine(settings.resolved_database_url())
        self.database_backend = self.engine.dialect.name
        self.sessions = session_factory(self.engine)
        self.clock = SystemClock()
        self.broker_circuit = BrokerageCircuit(
            self.clock,
            failures=settings.broker_circuit_failures,
            cooldown_seconds=settings.broker_circuit_cooldown_seconds,
        )
        self.broker_http = httpx.Client(
            base_url=settings.broker_url, timeout=settings.broker_timeout_seconds
        )
        self.onboarding = OnboardingService(self.sessions, self.clock)
        # Market data: the brokerage's feed, long operations, feature sets.
        self.ingestion = IngestionService(
            self.sessions,
            self.clock,
            MarketFeed(self.broker_http),
            write_chunk_rows=settings.market_data_write_chunk_rows,
        )
        self.ingestion_runs = IngestionRunService(self.sessions)
        self.market_data = MarketDataService(self.sessions)
        self.operations = Operations(
            self.sessions,
            self.clock,
            workers=settings.operation_workers,
            lanes={LANE: settings.training_max_running},
        )
        self.feature_sets = FeatureSetService(self.market_data)
        self.models = ModelRegistry(self.sessions, self.clock, settings.data_dir, self.feature_sets)
        self.training = TrainingService(self.feature_sets, self.operations, self.models)
        self.client_auth = ClientAuthService(
            self.sessions, self.clock, settings.client_token_ttl_seconds
        )
        self.client_setup = ClientSetupService(self.sessions, self.clock, self.models)
        secret = settings.broker_client_secret
        self.brokerage_link = BrokerageLinkService(
            self.sessions,
            self.clock,
            BrokerClient(
                base_url=settings.broker_url,
                client_id=settings.broker_client_id,
                client_secret=secret.get_secret_value() if secret else None,
                redirect_uri=settings.broker_redirect_uri,
                scope=settings.broker_scope,
                http=self.broker_http,
                circuit=self.broker_circuit,
            ),
            TokenVault.from_settings(
                (
                    settings.token_encryption_keys.get_secret_value()
                    if settings.token_encryption_keys
                    else None
                ),
                settings.data_dir,
            ),
            attempt_ttl_seconds=settings.link_attempt_ttl_seconds,
            configured=secret is not None,
        )
        self.funding = FundingService(self.sessions, self.clock, self.brokerage_link)
        self.recommendations = RecommendationService(
            self.sessions, self.clock, self.models, self.brokerage_link.trading_session
        )
        self.rebalances = RebalanceService(
            self.sessions, self.clock, settings, self.brokerage_link, self.recommendations
        )
        self.trading_risk = TradingRiskService(self.sessions, self.clock, self.brokerage_link)
        self.faults = InjectedFaults()  # armed only through the test controls
        self.execution = ExecutionService(
            self.sessions,
            self.clock,
            self.brokerage_link,
            self.rebalances,
            self.trading_risk,
            self.operations,
            self.faults,
            sync_max_orders=settings.execution_sync_max_orders,
        )
        self.portfolio = PortfolioService(self.sessions, self.brokerage_link)

    def readiness(self) -> dict[str, str]:
        checks: dict[str, str] = {}
        try:
            check_connection(self.engine)
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unreachable ({type(exc).__name__})"
        try:
            response = self.broker_http.get("/v1/health")
            checks["broker"] = (
                "ok"
                if response.status_code == 200
                else (f"unhealthy (status {response.status_code})")
            )
        except httpx.HTTPError as exc:
            checks["broker"] = f"unreachable ({type(exc).__name__})"
        return checks

    def close(self) -> None:
        self.operations.close()
        self.broker_http.close()
        self.engine.dispose()
