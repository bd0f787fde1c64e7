"""The simulator's run-time state: its clock and injected faults (kept in memory,
reset when the process restarts), and the dependencies routes reach it through."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from quantdesk.broker_sim.settings import BrokerSimSettings


class SimState:
    """The simulated clock (real time plus an offset that only moves forward) and the
    outage switch."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._offset = timedelta(0)
        self._down = False
        self._health_down = False

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    @property
    def offset_seconds(self) -> float:
        return self._offset.total_seconds()

    @property
    def down(self) -> bool:
        return self._down

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += timedelta(seconds=seconds)

    @property
    def health_down(self) -> bool:
        """The outage also answers the health check (callers see the brokerage unreachable)."""
        return self._down and self._health_down

    def set_down(self, down: bool, *, health: bool = False) -> None:
        with self._lock:
            self._down = down
            self._health_down = down and health


class FeedState:
    """The injected latency of the market-data feed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.latency_ms = 0

    def set_latency(self, ms: int) -> None:
        with self._lock:
            self.latency_ms = ms


def get_settings(request: Request) -> BrokerSimSettings:
    return request.app.state.settings


def get_state(request: Request) -> SimState:
    return request.app.state.sim


def get_feed_state(request: Request) -> FeedState:
    return request.app.state.market_feed


def get_session(request: Request) -> Iterator[Session]:
    """One session (and at most one transaction) per request."""
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        yield session


SettingsDep = Annotated[BrokerSimSettings, Depends(get_settings)]
StateDep = Annotated[SimState, Depends(get_state)]
FeedStateDep = Annotated[FeedState, Depends(get_feed_state)]
SessionDep = Annotated[Session, Depends(get_session)]
