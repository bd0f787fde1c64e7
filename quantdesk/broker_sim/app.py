"""The simulated brokerage's HTTP API: OAuth authorization server, sandbox sign-up,
paper accounts, the trading desk and (when enabled) test controls."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quantdesk.broker_sim import accounts, controls, desk, desk_controls, oauth, orders
from quantdesk.broker_sim import market_data as market_feed
from quantdesk.broker_sim.errors import error_response, install_error_handlers, log
from quantdesk.broker_sim.runtime import FeedState, SimState
from quantdesk.broker_sim.settings import BrokerSimSettings
from quantdesk.broker_sim.store import SimInstance, create_sim_engine

HEALTH_PATH = "/v1/health"


class HealthOut(BaseModel):
    status: str = Field(description="ok")
    service: str = Field(description="broker-sim")
    starts: int = Field(description="How many times this simulator's storage was started.")
    controls_enabled: bool = Field(description="Whether the test controls are mounted.")


def create_broker_app(settings: BrokerSimSettings | None = None) -> FastAPI:
    settings = settings or BrokerSimSettings()
    settings.storage_dir.mkdir(parents=True, exist_ok=True)
    engine = create_sim_engine(settings.database_url())
    with Session(engine) as session:
        session.add(SimInstance(started_at=datetime.now(UTC)))
        session.commit()
    if settings.broker_client_secret is None:
        log.warning("QUANTDESK_BROKER_CLIENT_SECRET is not set: every token request is refused")

    app = FastAPI(title="QuantDesk broker simulator", version="0.2.0")
    app.state.engine = engine
    app.state.settings = settings
    app.state.sim = SimState()
    app.state.market_feed = FeedState()
    app.state.desk = desk.DeskState(settings.desk_terms())
    install_error_handlers(app)

    @app.middleware("http")
    async def _outage(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        path = request.url.path
        exempt = (path == HEALTH_PATH and not app.state.sim.health_down) or (
            settings.controls_enabled and path.startswith(controls.CONTROLS_PREFIX)
        )
        if app.state.sim.down and not exempt:
            return error_response(
                503,
                "broker_unavailable",
                "The brokerage is unavailable. Try again later.",
                headers={"Retry-After": "1"},
            )
        return await call_next(request)

    @app.get(HEALTH_PATH, response_model=HealthOut, summary="The brokerage is up")
    def health() -> dict[str, Any]:
        with Session(engine) as session:
            starts = session.scalar(select(func.count(SimInstance.id)))
        return {
            "status": "ok",
            "service": "broker-sim",
            "starts": starts,
            "controls_enabled": settings.controls_enabled,
        }

    app.include_router(oauth.router)
    app.include_router(accounts.router)
    app.include_router(market_feed.router)  # public daily bars
    app.include_router(orders.router)
    if settings.controls_enabled:
        app.include_router(controls.router)
        app.include_router(desk_controls.router)
    return app
