"""Stored daily bars of a symbol, and indicators computed from their closes."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from quantdesk.api.deps import MarketDataDep
from quantdesk.api.errors import errors
from quantdesk.api.security import require_operator
from quantdesk.domain.symbols import SYMBOL_RULE

router = APIRouter(
    prefix="/v1/market-data", tags=["market data"], dependencies=[Depends(require_operator)]
)


class BarOut(BaseModel):
    symbol: str
    session: str
    open: str | None
    high: str | None
    low: str | None
    close: str | None
    volume: str


class BarsOut(BaseModel):
    symbol: str
    items: list[BarOut]


class IndicatorsOut(BaseModel):
    symbol: str
    indicators: list[str]
    items: list[dict[str, str | None]] = Field(
        description="{session, <indicator>: decimal string or null during warm-up}"
    )


@router.get(
    "/bars",
    response_model=BarsOut,
    summary="Stored daily bars of a symbol",
    responses=errors(401, 422, e422="validation_failed: invalid_symbol, or end before start"),
)
def get_bars(
    market_data: MarketDataDep,
    symbol: str = Query(description=SYMBOL_RULE, examples=["SPX"]),
    start: date | None = None,
    end: date | None = None,
) -> dict[str, Any]:
    return market_data.bars(symbol, start, end)


@router.get(
    "/indicators",
    response_model=IndicatorsOut,
    summary="Indicators of a symbol's stored closes",
    responses=errors(
        401, 422, e422="validation_failed: invalid_symbol, unknown indicators, end before start"
    ),
)
def get_indicators(
    market_data: MarketDataDep,
    symbol: str = Query(description=SYMBOL_RULE, examples=["SPX"]),
    start: date | None = None,
    end: date | None = None,
    indicators: str | None = Query(
        None, description="comma-separated; default the standard panel", examples=["rsi_14"]
    ),
) -> dict[str, Any]:
    names = indicators.split(",") if indicators else None
    return market_data.indicators(symbol, start, end, names)
