"""Feature sets: their published definitions, and rows and splits built from stored bars."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from quantdesk.api.deps import FeatureSetsDep
from quantdesk.api.errors import errors
from quantdesk.api.security import require_operator
from quantdesk.domain.symbols import SYMBOL_RULE, TRIMMED

router = APIRouter(
    prefix="/v1/market-data", tags=["market data"], dependencies=[Depends(require_operator)]
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


def _symbol_list(symbols: str) -> list[str]:
    """The comma-separated symbols, empty items left out (each is checked by the service)."""
    return [s for s in symbols.split(",") if s.strip(TRIMMED)]


@router.get(
    "/feature-sets",
    response_model=FeatureSetList,
    summary="The published feature sets",
    responses=errors(401),
)
def list_feature_sets(feature_sets: FeatureSetsDep) -> dict[str, Any]:
    return feature_sets.list()


@router.get(
    "/feature-sets/{key}",
    response_model=FeatureSetOut,
    summary="One feature set's definition",
    responses=errors(401, 404, 422),
)
def get_feature_set(key: str, feature_sets: FeatureSetsDep) -> dict[str, Any]:
    return feature_sets.definition(key)


@router.get(
    "/feature-sets/{key}/rows",
    response_model=FeatureRowsOut,
    summary="Feature rows built from the stored bars",
    responses=errors(401, 404, 422),
)
def get_feature_rows(
    key: str,
    feature_sets: FeatureSetsDep,
    symbols: str = Query(..., description=f"comma-separated; {SYMBOL_RULE}", examples=["SPX,NDX"]),
    start: date | None = None,
    end: date | None = None,
    complete: bool = Query(False, description="leave out warm-up and unlabelled rows"),
) -> dict[str, Any]:
    return feature_sets.rows(key, _symbol_list(symbols), start, end, complete=complete)


@router.get(
    "/feature-sets/{key}/split",
    response_model=SplitOut,
    summary="Chronological train/validation/test split",
    responses=errors(401, 404, 422),
)
def get_feature_split(
    key: str,
    feature_sets: FeatureSetsDep,
    symbols: str = Query(..., description=f"comma-separated; {SYMBOL_RULE}", examples=["SPX,NDX"]),
    start: date | None = None,
    end: date | None = None,
    train: float = Query(0.7, ge=0, le=1),
    validation: float = Query(0.15, ge=0, le=1),
    test: float = Query(0.15, ge=0, le=1),
    gap: int = Query(0, ge=0, le=100),
) -> dict[str, Any]:
    return feature_sets.split(
        key,
        _symbol_list(symbols),
        start,
        end,
        train=train,
        validation=validation,
        test=test,
        gap=gap,
    )
