"""Market data: operators load daily bars (CSV upload or the brokerage's feed) and read
bars, indicators, feature sets and quality back."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError, WithJsonSchema
from starlette.concurrency import run_in_threadpool

from quantdesk.api.errors import errors
from quantdesk.api.operations import OperationOut
from quantdesk.api.security import require_operator
from quantdesk.domain.symbols import (
    MAX_SYMBOL_LENGTH,
    SYMBOL_PATTERN,
    SYMBOL_RULE,
    TRIMMED,
    parse_symbol,
    symbol_problem,
)
from quantdesk.errors import (
    MalformedRequest,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)
from quantdesk.services.market_data import FeedSymbol

router = APIRouter(
    prefix="/v1/market-data", tags=["market data"], dependencies=[Depends(require_operator)]
)

CSV_TYPES = ("text/csv", "application/csv", "text/plain")
JSON_TYPES = ("application/json",)
INGESTION_KIND = "market_data.ingestion"

# The symbol rule is checked by ``_feed_request`` (422 ``invalid_symbol`` naming the rule,
# with every other problem); the schema documents it.
SYMBOL_SCHEMA = {
    "type": "string",
    "pattern": f"^{SYMBOL_PATTERN}$",
    "maxLength": MAX_SYMBOL_LENGTH,
    "description": f"Trimmed and upper-cased; {SYMBOL_RULE}.",
}
Ticker = Annotated[str, WithJsonSchema(SYMBOL_SCHEMA)]


class FeedSymbolIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    broker_symbol: Ticker
    symbol: Ticker | None = Field(None, description="Stored under this symbol (default: same).")


class FeedIngestion(BaseModel):
    """A load from the brokerage's market-data feed."""

    model_config = ConfigDict(extra="forbid")
    source: Literal["broker"]
    kind: Literal["full", "incremental", "backfill"] = "full"
    symbols: list[Ticker | FeedSymbolIn] = Field(min_length=1, max_length=500)
    start: date
    end: date
    as_operation: bool = False

    def feed_symbols(self) -> list[FeedSymbol]:
        """The symbols to fetch and to store under, in their stored form (checked first by
        :meth:`symbol_problems`)."""
        items = []
        for item in self.symbols:
            if isinstance(item, str):
                broker_symbol = target = item
            else:
                broker_symbol, target = item.broker_symbol, item.symbol or item.broker_symbol
            items.append(FeedSymbol(parse_symbol(broker_symbol) or "", parse_symbol(target) or ""))
        return items

    def symbol_problems(self) -> list[dict[str, str]]:
        problems = []
        for i, item in enumerate(self.symbols):
            named = (
                {f"symbols.{i}": item}
                if isinstance(item, str)
                else {
                    f"symbols.{i}.{name}": value
                    for name, value in (
                        ("broker_symbol", item.broker_symbol),
                        ("symbol", item.symbol),
                    )
                    if value is not None
                }
            )
            for field, value in named.items():
                problem = symbol_problem(field, [value])
                if problem:
                    problems.append(problem)
        return problems


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


class FeatureSetOut(BaseModel):
    key: str
    name: str
    version: int
    features: list[str]
    label: str
    description: str
    warmup_sessions: int


class FeatureSetList(BaseModel):
    items: list[FeatureSetOut]


class FeatureRowsOut(BaseModel):
    feature_set: str
    features: list[str]
    label: str
    items: list[dict[str, Any]] = Field(
        description="{symbol, session, <feature>: decimal string or null, label: 1, 0 or "
        "null, next_return}"
    )


class SplitPartOut(BaseModel):
    rows: int
    sessions: int
    first_session: str | None
    last_session: str | None


class SplitOut(BaseModel):
    feature_set: str
    symbols: list[str]
    fractions: dict[str, float]
    gap_sessions: int
    rows: int
    sessions: int
    parts: dict[str, SplitPartOut] = Field(description="train, validation and test")


def _inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with its ``$defs`` inlined, for ``openapi_extra`` (a
    ``#/$defs/...`` reference would point at the root of the OpenAPI document)."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return inline(definitions[ref.removeprefix("#/$defs/")])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    return inline(schema)


def _fields(exc: ValidationError) -> list[dict[str, str]]:
    return [
        {
            "field": ".".join(str(p) for p in e["loc"]) or "body",
            "code": str(e["type"]),
            "message": str(e["msg"]),
        }
        for e in exc.errors()
    ]


def _feed_request(body: bytes) -> FeedIngestion:
    try:
        data = json.loads(body)
    except ValueError:
        raise MalformedRequest("The request body is not valid JSON.") from None
    try:
        request = FeedIngestion.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(_fields(exc)) from None
    symbol_problems = request.symbol_problems()
    problems = list(symbol_problems)
    if request.end < request.start:
        problems.append({"field": "end", "code": "before_start", "message": "end is before start"})
    targets = [s.symbol for s in request.feed_symbols()]
    # Duplicates are judged on valid symbols only (an invalid one has no stored form).
    if not symbol_problems and len(set(targets)) != len(targets):
        problems.append(
            {"field": "symbols", "code": "duplicate", "message": "a symbol is named twice"}
        )
    if problems:
        raise ValidationFailed(problems)
    return request


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
                    "schema": _inline_schema(FeedIngestion),
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
    kind: Literal["full", "incremental", "backfill"] = Query("full"),
    source: str = Query("upload", max_length=200),
    as_operation: bool = Query(False, description="Run as an operation whatever the size."),
) -> Any:
    platform = request.app.state.platform
    settings = platform.settings
    service = platform.market_data
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type in JSON_TYPES:
        feed = _feed_request(await _read_limited(request, 1024 * 1024))
        symbols = feed.feed_symbols()

        def load(progress: Any = None) -> dict[str, Any]:
            extra = {"progress": progress} if progress else {}
            return service.ingest_from_feed(symbols, feed.start, feed.end, feed.kind, **extra)

        if feed.as_operation or len(symbols) > settings.market_data_sync_max_symbols:
            return _accepted(
                platform.operations.submit(INGESTION_KIND, feed.model_dump(mode="json"), load)
            )
        return await run_in_threadpool(load)
    if media_type not in CSV_TYPES:
        raise UnsupportedMediaType(
            f"Send the bars as CSV (text/csv) or a feed request as JSON, not "
            f"{media_type or 'an untyped body'}."
        )
    content = await _read_limited(request, settings.market_data_max_upload_bytes)
    if as_operation or len(content) > settings.market_data_sync_max_bytes:
        described = {"source": source, "kind": kind, "bytes": len(content)}
        return _accepted(
            platform.operations.submit(
                INGESTION_KIND,
                described,
                lambda progress: service.ingest_csv(
                    content, kind, source=source, progress=progress
                ),
            )
        )
    # Parsing, validation and storage are blocking work: keep them off the event loop.
    return await run_in_threadpool(service.ingest_csv, content, kind, source=source)


@router.get(
    "/limits",
    response_model=LimitsOut,
    summary="What one load may hold, and when it becomes an operation",
    responses=errors(401),
)
def get_limits(request: Request) -> dict[str, Any]:
    settings = request.app.state.platform.settings
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
def get_run(run_id: str, request: Request) -> dict[str, Any]:
    return request.app.state.platform.market_data.get_run(run_id)


@router.get(
    "/ingestions/{run_id}/quarantine",
    response_model=QuarantineOut,
    summary="The rows a run set aside, with rules",
    responses=errors(401, 404, 422),
)
def get_quarantine(run_id: str, request: Request) -> dict[str, Any]:
    return request.app.state.platform.market_data.quarantine(run_id)


@router.get(
    "/ingestions/{run_id}/quality-report",
    response_model=QualityReportOut,
    summary="Counts, rules broken and gaps",
    responses=errors(401, 404, 422),
)
def get_quality_report(run_id: str, request: Request) -> dict[str, Any]:
    return request.app.state.platform.market_data.quality_report(run_id)


@router.get(
    "/bars",
    response_model=BarsOut,
    summary="Stored daily bars of a symbol",
    responses=errors(401, 422, e422="validation_failed: invalid_symbol, or end before start"),
)
def get_bars(
    request: Request,
    symbol: str = Query(description=SYMBOL_RULE, examples=["SPX"]),
    start: date | None = None,
    end: date | None = None,
) -> dict[str, Any]:
    return request.app.state.platform.market_data.bars(symbol, start, end)


@router.get(
    "/indicators",
    response_model=IndicatorsOut,
    summary="Indicators of a symbol's stored closes",
    responses=errors(
        401, 422, e422="validation_failed: invalid_symbol, unknown indicators, end before start"
    ),
)
def get_indicators(
    request: Request,
    symbol: str = Query(description=SYMBOL_RULE, examples=["SPX"]),
    start: date | None = None,
    end: date | None = None,
    indicators: str | None = Query(
        None, description="comma-separated; default the standard panel", examples=["rsi_14"]
    ),
) -> dict[str, Any]:
    names = indicators.split(",") if indicators else None
    return request.app.state.platform.market_data.indicators(symbol, start, end, names)


def _symbol_list(symbols: str) -> list[str]:
    """The comma-separated symbols, empty items left out (each is checked by the service)."""
    return [s for s in symbols.split(",") if s.strip(TRIMMED)]


@router.get(
    "/feature-sets",
    response_model=FeatureSetList,
    summary="The published feature sets",
    responses=errors(401),
)
def list_feature_sets(request: Request) -> dict[str, Any]:
    return request.app.state.platform.feature_sets.list()


@router.get(
    "/feature-sets/{key}",
    response_model=FeatureSetOut,
    summary="One feature set's definition",
    responses=errors(401, 404, 422),
)
def get_feature_set(key: str, request: Request) -> dict[str, Any]:
    return request.app.state.platform.feature_sets.definition(key)


@router.get(
    "/feature-sets/{key}/rows",
    response_model=FeatureRowsOut,
    summary="Feature rows built from the stored bars",
    responses=errors(401, 404, 422),
)
def get_feature_rows(
    key: str,
    request: Request,
    symbols: str = Query(..., description=f"comma-separated; {SYMBOL_RULE}", examples=["SPX,NDX"]),
    start: date | None = None,
    end: date | None = None,
    complete: bool = Query(False, description="leave out warm-up and unlabelled rows"),
) -> dict[str, Any]:
    return request.app.state.platform.feature_sets.rows(
        key, _symbol_list(symbols), start, end, complete=complete
    )


@router.get(
    "/feature-sets/{key}/split",
    response_model=SplitOut,
    summary="Chronological train/validation/test split",
    responses=errors(401, 404, 422),
)
def get_feature_split(
    key: str,
    request: Request,
    symbols: str = Query(..., description=f"comma-separated; {SYMBOL_RULE}", examples=["SPX,NDX"]),
    start: date | None = None,
    end: date | None = None,
    train: float = Query(0.7, ge=0, le=1),
    validation: float = Query(0.15, ge=0, le=1),
    test: float = Query(0.15, ge=0, le=1),
    gap: int = Query(0, ge=0, le=100),
) -> dict[str, Any]:
    return request.app.state.platform.feature_sets.split(
        key,
        _symbol_list(symbols),
        start,
        end,
        train=train,
        validation=validation,
        test=test,
        gap=gap,
    )
