"""Loading market data: operators load daily bars (a CSV upload or the brokerage's feed)
and read each ingestion run, its quarantined rows and its quality report back."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from quantdesk.api.deps import IngestionDep, IngestionRunsDep, OperationsDep, SettingsDep
from quantdesk.api.errors import errors
from quantdesk.api.feed_ingestion import FeedIngestion, feed_request, inline_schema
from quantdesk.api.operations import OperationOut
from quantdesk.api.security import require_operator
from quantdesk.errors import PayloadTooLarge, UnsupportedMediaType
from quantdesk.jobs.operations import Operations
from quantdesk.services.ingestion import IngestionService, ProgressFn
from quantdesk.settings import Settings

router = APIRouter(
    prefix="/v1/market-data", tags=["market data"], dependencies=[Depends(require_operator)]
)

CSV_TYPES = ("text/csv", "application/csv", "text/plain")
JSON_TYPES = ("application/json",)
INGESTION_KIND = "market_data.ingestion"
FEED_REQUEST_MAX_BYTES = 1024 * 1024


class RangeOut(BaseModel):
    start: str
    end: str


class RunOut(BaseModel):
    """An ingestion run."""

    id: str
    source: str
    kind: str = Field(description="full, incremental or backfill")
    status: str = Field(description="succeeded, succeeded_with_rejections or failed")
    reason: str | None = Field(description="Why a failed run failed.")
    range: RangeOut | None = Field(description="The sessions of the accepted bars.")
    symbols: list[str]
    received: int
    inserted: int
    updated: int
    unchanged: int
    skipped: int
    rejected: int
    duration_ms: int
    created_at: str


class QuarantinedRowOut(BaseModel):
    row_number: int = Field(description="1-based data row of the file.")
    values: dict[str, Any] = Field(description="The row as given.")
    rules: list[str] = Field(description="The validation rules it broke, in rule order.")


class QuarantineOut(BaseModel):
    run_id: str
    items: list[QuarantinedRowOut]


class RuleBrokenOut(BaseModel):
    rule: str
    description: str
    rows: int


class GapOut(BaseModel):
    symbol: str
    missing_sessions: list[str]
    count: int


class QualityReportOut(BaseModel):
    run_id: str
    status: str
    reason: str | None
    kind: str
    source: str
    range: RangeOut | None
    counts: dict[str, int]
    rules_broken: list[RuleBrokenOut]
    calendar: str
    gaps: list[GapOut]


class LimitsOut(BaseModel):
    max_upload_bytes: int
    sync_max_bytes: int
    sync_max_symbols: int


async def _read_limited(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it is known to exceed ``limit`` bytes."""
    too_large = PayloadTooLarge(
        f"The file is larger than the {limit} bytes the platform accepts in one upload.",
        details={
            "limit_bytes": limit,
            "reason": f"the file is larger than the upload limit of {limit} bytes",
        },
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _accepted(operation: dict[str, Any]) -> JSONResponse:
    return JSONResponse(
        status_code=202,
        content=operation,
        headers={"Location": f"/v1/operations/{operation['id']}"},
    )


@router.post(
    "/ingestions",
    status_code=201,
    summary="Load daily bars: a CSV upload (text/csv) or the brokerage's feed (JSON)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": "symbol,session,open,high,low,close,volume\n"
                    "SPX,2018-01-02,2683.73,2695.89,2682.36,2695.81,3367250000\n",
                },
                "application/json": {
                    "schema": inline_schema(FeedIngestion),
                    "example": {
                        "source": "broker",
                        "kind": "full",
                        "symbols": ["SPX", {"broker_symbol": "NDX", "symbol": "NASDAQ"}],
                        "start": "2018-01-01",
                        "end": "2018-12-31",
                    },
                },
            },
        }
    },
    response_model=RunOut,
    responses={
        202: {
            "model": OperationOut,
            "description": "A large load: the operation (poll /v1/operations/{id})",
            "headers": {
                "Location": {
                    "description": "The operation: /v1/operations/{id}",
                    "schema": {"type": "string"},
                }
            },
        },
        **errors(
            400,
            401,
            413,
            415,
            422,
            503,
            e422="malformed_market_data, unknown_symbol, or validation_failed (e.g. "
            "invalid_symbol)",
            e503="brokerage_unavailable",
        ),
    },
)
async def ingest(
    request: Request,
    settings: SettingsDep,
    service: IngestionDep,
    operations: OperationsDep,
    kind: Literal["full", "incremental", "backfill"] = Query("full"),
    source: str = Query("upload", max_length=200),
    as_operation: bool = Query(False, description="Run as an operation whatever the size."),
) -> dict[str, Any] | JSONResponse:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type in JSON_TYPES:
        return await _load_from_feed(request, settings, service, operations)
    if media_type not in CSV_TYPES:
        raise UnsupportedMediaType(
            f"Send the bars as CSV (text/csv) or a feed request as JSON, not "
            f"{media_type or 'an untyped body'}."
        )
    content = await _read_limited(request, settings.market_data_max_upload_bytes)
    if as_operation or len(content) > settings.market_data_sync_max_bytes:
        described = {"source": source, "kind": kind, "bytes": len(content)}
        return _accepted(
            operations.submit(
                INGESTION_KIND,
                described,
                lambda progress: service.ingest_csv(
                    content, kind, source=source, progress=progress
                ),
            )
        )
    # Parsing, validation and storage are blocking work: keep them off the event loop.
    return await run_in_threadpool(service.ingest_csv, content, kind, source=source)


async def _load_from_feed(
    request: Request,
    settings: Settings,
    service: IngestionService,
    operations: Operations,
) -> dict[str, Any] | JSONResponse:
    """A load from the brokerage's feed: the run, or the operation running it."""
    feed = feed_request(await _read_limited(request, FEED_REQUEST_MAX_BYTES))
    symbols = feed.feed_symbols()

    def load(progress: ProgressFn | None = None) -> dict[str, Any]:
        extra = {"progress": progress} if progress else {}
        return service.ingest_from_feed(symbols, feed.start, feed.end, feed.kind, **extra)

    if feed.as_operation or len(symbols) > settings.market_data_sync_max_symbols:
        return _accepted(operations.submit(INGESTION_KIND, feed.model_dump(mode="json"), load))
    return await run_in_threadpool(load)


@router.get(
    "/limits",
    response_model=LimitsOut,
    summary="What one load may hold, and when it becomes an operation",
    responses=errors(401),
)
def get_limits(settings: SettingsDep) -> dict[str, Any]:
    return {
        "max_upload_bytes": settings.market_data_max_upload_bytes,
        "sync_max_bytes": settings.market_data_sync_max_bytes,
        "sync_max_symbols": settings.market_data_sync_max_symbols,
    }


@router.get(
    "/ingestions/{run_id}",
    response_model=RunOut,
    summary="An ingestion run",
    responses=errors(401, 404, 422),
)
def get_run(run_id: str, runs: IngestionRunsDep) -> dict[str, Any]:
    return runs.get_run(run_id)


@router.get(
    "/ingestions/{run_id}/quarantine",
    response_model=QuarantineOut,
    summary="The rows a run set aside, with rules",
    responses=errors(401, 404, 422),
)
def get_quarantine(run_id: str, runs: IngestionRunsDep) -> dict[str, Any]:
    return runs.quarantine(run_id)


@router.get(
    "/ingestions/{run_id}/quality-report",
    response_model=QualityReportOut,
    summary="Counts, rules broken and gaps",
    responses=errors(401, 404, 422),
)
def get_quality_report(run_id: str, runs: IngestionRunsDep) -> dict[str, Any]:
    return runs.quality_report(run_id)
