"""Market data: operators load daily bars (CSV) and read bars, indicators and quality back."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from quantdesk.api.security import require_operator
from quantdesk.errors import PlatformError

router = APIRouter(
    prefix="/v1/market-data", tags=["market data"], dependencies=[Depends(require_operator)]
)

CSV_TYPES = ("text/csv", "application/csv", "text/plain")


class UnsupportedMediaType(PlatformError):
    status_code = 415
    code = "unsupported_media_type"


@router.post(
    "/ingestions",
    status_code=201,
    summary="Load a CSV of daily bars (the raw request body, text/csv)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": "symbol,session,open,high,low,close,volume\n"
                    "SPX,2018-01-02,2683.73,2695.89,2682.36,2695.81,3367250000\n",
                }
            },
        }
    },
    responses={422: {"description": "malformed_market_data or validation_failed"}},
)
async def ingest(
    request: Request,
    kind: Literal["full", "incremental", "backfill"] = Query("incremental"),
    source: str = Query("upload", max_length=200),
) -> dict[str, Any]:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in CSV_TYPES:
        raise UnsupportedMediaType(
            f"Send the bars as CSV (text/csv), not {media_type or 'an untyped body'}."
        )
    content = await request.body()
    service = request.app.state.platform.market_data
    # Parsing, validation and storage are blocking work: keep them off the event loop.
    return await run_in_threadpool(service.ingest_csv, content, kind, source=source)


@router.get("/ingestions/{run_id}", summary="An ingestion run")
def get_run(run_id: str, request: Request) -> dict[str, Any]:
    return request.app.state.platform.market_data.get_run(run_id)


@router.get("/ingestions/{run_id}/quarantine", summary="The rows a run set aside, with rules")
def get_quarantine(run_id: str, request: Request) -> dict[str, Any]:
    return request.app.state.platform.market_data.quarantine(run_id)


@router.get("/ingestions/{run_id}/quality-report", summary="Counts, rules broken and gaps")
def get_quality_report(run_id: str, request: Request) -> dict[str, Any]:
    return request.app.state.platform.market_data.quality_report(run_id)


@router.get("/bars", summary="Stored daily bars of a symbol")
def get_bars(
    request: Request, symbol: str, start: date | None = None, end: date | None = None
) -> dict[str, Any]:
    return request.app.state.platform.market_data.bars(symbol, start, end)


@router.get("/indicators", summary="Indicators of a symbol's stored closes")
def get_indicators(
    request: Request,
    symbol: str,
    start: date | None = None,
    end: date | None = None,
    indicators: str | None = Query(
        None, description="comma-separated; default the standard panel", examples=["rsi_14"]
    ),
) -> dict[str, Any]:
    names = indicators.split(",") if indicators else None
    return request.app.state.platform.market_data.indicators(symbol, start, end, names)
