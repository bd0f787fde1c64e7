"""Application factory: ``create_app(settings)`` wires settings, storage, services and routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from quantdesk import __version__
from quantdesk.api import brokerage, client_setup, clients, controls, health
from quantdesk.api import market_data as market_data_api
from quantdesk.api import operations as operations_api
from quantdesk.api.errors import install_error_handlers
from quantdesk.broker.client import BrokerClient
from quantdesk.broker.vault import TokenVault
from quantdesk.clock import SystemClock
from quantdesk.jobs.operations import Operations
from quantdesk.services.brokerage import BrokerageService
from quantdesk.services.client_auth import ClientAuthService
from quantdesk.services.client_setup import ClientSetupService
from quantdesk.services.feature_sets import FeatureSetService
from quantdesk.services.market_data import MarketDataService
from quantdesk.services.market_feed import MarketFeed
from quantdesk.services.onboarding import OnboardingService
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
        self.broker_http = httpx.Client(
            base_url=settings.broker_url, timeout=settings.broker_timeout_seconds
        )
        self.onboarding = OnboardingService(self.sessions, self.clock)
        # -- market data (issue 4): the brokerage feed, long operations, feature sets
        self.market_data = MarketDataService(
            self.sessions,
            self.clock,
            MarketFeed(self.broker_http),
            write_chunk_rows=settings.market_data_write_chunk_rows,
        )
        self.operations = Operations(self.sessions, self.clock, workers=settings.operation_workers)
        self.feature_sets = FeatureSetService(self.market_data)
        self.client_auth = ClientAuthService(
            self.sessions, self.clock, settings.client_token_ttl_seconds
        )
        self.client_setup = ClientSetupService(self.sessions, self.clock)
        secret = settings.broker_client_secret
        self.brokerage = BrokerageService(
            self.sessions,
            self.clock,
            BrokerClient(
                base_url=settings.broker_url,
                client_id=settings.broker_client_id,
                client_secret=secret.get_secret_value() if secret else None,
                redirect_uri=settings.broker_redirect_uri,
                scope=settings.broker_scope,
                http=self.broker_http,
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


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    platform = Platform(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        platform.close()

    app = FastAPI(
        title="QuantDesk",
        version=__version__,
        lifespan=lifespan,
        description="Paper-trading platform. Errors are {code, message, details}.",
    )
    app.state.platform = platform
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(clients.router)
    app.include_router(client_setup.router)
    app.include_router(brokerage.router)
    app.include_router(market_data_api.router)
    app.include_router(operations_api.router)
    if settings.controls_enabled:
        app.include_router(controls.router)
    return app
