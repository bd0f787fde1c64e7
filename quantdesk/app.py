"""Application factory: ``create_app(settings)`` wires settings, storage, services and routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from quantdesk import __version__
from quantdesk.api import (
    bars,
    brokerage_link,
    client_setup,
    clients,
    controls,
    feature_sets,
    funding,
    health,
    market_data,
    models,
    operations,
    trading,
)
from quantdesk.api.errors import install_error_handlers
from quantdesk.platform import Platform
from quantdesk.settings import Settings


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
    app.include_router(brokerage_link.router)
    app.include_router(funding.router)
    app.include_router(market_data.router)
    app.include_router(bars.router)
    app.include_router(feature_sets.router)
    app.include_router(operations.router)
    app.include_router(trading.router)
    app.include_router(models.router)
    app.include_router(models.limits_router)
    if settings.controls_enabled:
        app.include_router(controls.router)
    return app
