"""The simulated brokerage's market-data feed: real daily history, replayed by symbol
and date range. Public (no OAuth token), like many brokers' delayed market data.

``GET /v1/market-data/symbols`` lists what the feed carries; ``GET /v1/market-data/bars/
{symbol}?start=&end=`` answers ``{symbol, timeframe: "1Day", bars: [{t, o, h, l, c, v}]}``
(Alpaca's bar field names; ``t`` is the session date). The history is read from data
files shipped inside installed PyPI packages (``arch``: S&P 500 and NASDAQ Composite
1999-2018; ``matplotlib``: Google 2004-2008), located without importing those packages,
and served as the files have it: the simulator is a vendor, not a validator.

With test controls on, ``POST /v1/controls/market-data {"latency_ms": n}`` delays every
bars answer by ``n`` ms (to make a long load observable), ``0`` turns it off (see
``quantdesk.broker_sim.controls``).
"""

from __future__ import annotations

import gzip
import importlib.util
import io
import time
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from quantdesk.broker_sim.errors import SimError, SimErrorOut, validation_failed
from quantdesk.broker_sim.runtime import FeedStateDep

router = APIRouter(prefix="/v1/market-data", tags=["market data"])


@dataclass(frozen=True)
class _Series:
    symbol: str
    package: str
    path: str
    description: str


SERIES: dict[str, _Series] = {
    s.symbol: s
    for s in (
        _Series("SPX", "arch", "data/sp500/sp500.csv.gz", "S&P 500 index (Yahoo ^GSPC)"),
        _Series("NDX", "arch", "data/nasdaq/nasdaq.csv.gz", "NASDAQ Composite (Yahoo ^IXIC)"),
        _Series(
            "GOOG", "matplotlib", "mpl-data/sample_data/goog.npz", "Google Inc. class A (Yahoo)"
        ),
    )
}


def _file(series: _Series) -> Path | None:
    spec = importlib.util.find_spec(series.package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / series.path
    return path if path.is_file() else None


@cache
def history(symbol: str) -> pd.DataFrame | None:
    """Columns t (ISO date), o, h, l, c, v, ascending; None if not shipped here."""
    series = SERIES.get(symbol)
    path = _file(series) if series else None
    if path is None:
        return None
    if path.suffix == ".npz":
        with np.load(path, allow_pickle=False) as archive:
            data = archive["price_data"]
        frame = pd.DataFrame(
            {
                "t": pd.to_datetime(data["date"]),
                **{
                    k: data[n]
                    for k, n in zip(
                        "ohlcv", ("open", "high", "low", "close", "volume"), strict=True
                    )
                },
            }
        )
    else:
        raw = pd.read_csv(io.BytesIO(gzip.decompress(path.read_bytes())))
        frame = pd.DataFrame(
            {
                "t": pd.to_datetime(raw["Date"], format="%m/%d/%Y"),
                **{
                    k: raw[n]
                    for k, n in zip(
                        "ohlcv", ("Open", "High", "Low", "Close", "Volume"), strict=True
                    )
                },
            }
        )
    frame = frame.sort_values("t", kind="stable").reset_index(drop=True)
    frame["t"] = frame["t"].dt.strftime("%Y-%m-%d")
    frame["v"] = frame["v"].astype("int64")
    return frame


class SymbolOut(BaseModel):
    symbol: str
    description: str
    first_session: str
    last_session: str


class SymbolsOut(BaseModel):
    symbols: list[SymbolOut]


class BarOut(BaseModel):
    t: str = Field(description="The session, an ISO date.")
    o: float
    h: float
    l: float  # noqa: E741 - Alpaca's field name
    c: float
    v: int


class BarsOut(BaseModel):
    symbol: str
    timeframe: str = Field(description="Always 1Day.")
    bars: list[BarOut]
    next_page_token: str | None = Field(description="Always null: one page holds everything.")


@router.get(
    "/symbols", response_model=SymbolsOut, summary="The symbols the feed carries, with their range"
)
def symbols() -> dict[str, Any]:
    items = []
    for symbol, series in sorted(SERIES.items()):
        frame = history(symbol)
        if frame is not None:
            items.append(
                {
                    "symbol": symbol,
                    "description": series.description,
                    "first_session": frame["t"].iloc[0],
                    "last_session": frame["t"].iloc[-1],
                }
            )
    return {"symbols": items}


@router.get(
    "/bars/{symbol}",
    response_model=BarsOut,
    summary="A symbol's daily bars in start..end",
    responses={
        404: {"model": SimErrorOut, "description": "symbol_not_found"},
        422: {"model": SimErrorOut, "description": "validation_failed"},
    },
)
def bars(
    symbol: str,
    feed: FeedStateDep,
    start: date = Query(...),
    end: date = Query(...),
    timeframe: str = Query("1Day"),
) -> dict[str, Any]:
    problems = []
    if timeframe != "1Day":
        problems.append({"field": "timeframe", "message": "only 1Day bars are served"})
    if end < start:
        problems.append({"field": "end", "message": "end is before start"})
    if problems:
        raise validation_failed(problems)
    frame = history(symbol.upper())
    if frame is None:
        raise SimError(
            404, "symbol_not_found", "The feed has no history for that symbol.", {"symbol": symbol}
        )
    latency = feed.latency_ms
    if latency:
        time.sleep(latency / 1000)  # injected by a test control
    window = frame.loc[(frame["t"] >= start.isoformat()) & (frame["t"] <= end.isoformat())]
    return {
        "symbol": symbol.upper(),
        "timeframe": "1Day",
        "bars": window.to_dict("records"),
        "next_page_token": None,
    }
