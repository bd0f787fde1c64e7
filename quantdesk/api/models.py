"""Models: training jobs (operations), the registry of versions, aliases that deploy them,
and predictions from the version behind an alias. Operators only."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from quantdesk.api.deps import ModelRegistryDep, SettingsDep, TrainingDep
from quantdesk.api.errors import errors
from quantdesk.api.operations import OperationOut
from quantdesk.api.security import require_operator
from quantdesk.domain import training as rules
from quantdesk.domain.training import ALGORITHMS, ALIAS_PATTERN, MODEL_NAME_PATTERN

router = APIRouter(prefix="/v1/models", tags=["models"], dependencies=[Depends(require_operator)])
limits_router = APIRouter(
    prefix="/v1/training", tags=["models"], dependencies=[Depends(require_operator)]
)

ModelName = Path(pattern=f"^{MODEL_NAME_PATTERN}$", description="The model's name")
AliasName = Path(pattern=f"^{ALIAS_PATTERN}$", description="An alias, e.g. production")
VersionNumber = Path(ge=1, le=2**31 - 1, description="The version number")
Reason = Annotated[
    str, Field(min_length=1, max_length=500, pattern=r"\S", description="Why (kept in the trail)")
]


class TrainingIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "model": "direction",
                    "algorithm": "logistic_regression",
                    "feature_set": "momentum_v1",
                    "symbols": ["SPX"],
                    "start": "2017-01-03",
                    "end": "2018-12-31",
                    "folds": 5,
                    "gap_sessions": 1,
                    "seed": 7,
                    "hyperparameters": {"c": 1.0},
                }
            ]
        },
    )
    model: str = Field(description="The name the version is registered under")
    algorithm: str = Field(description=", ".join(ALGORITHMS))
    feature_set: str = Field(description="e.g. momentum_v1")
    symbols: list[str] = Field(description="At most 50 symbols")
    start: date
    end: date
    # Any, as the hyper-parameters: the domain checks each is a whole number (a JSON
    # true is not 1) and lists every problem of the request at once.
    folds: Any = Field(5, examples=[5], description="walk-forward folds, 2 to 10")
    gap_sessions: Any = Field(
        1, examples=[1], description="sessions left out before each test window, 0 to 20"
    )
    seed: Any = Field(
        0, examples=[7], description="0 to 4294967295; the same seed gives the same model"
    )
    hyperparameters: dict[str, Any] = Field(
        default_factory=dict,
        description="; ".join(f"{a}: {', '.join(b)}" for a, b in ALGORITHMS.items()),
    )


class ModelSummary(BaseModel):
    name: str
    latest_version: int
    aliases: dict[str, int]


class ModelList(BaseModel):
    items: list[ModelSummary]


class TrainingRange(BaseModel):
    start: str
    end: str


class VersionOut(BaseModel):
    name: str
    version: int
    algorithm: str
    feature_set: str
    symbols: list[str]
    training_range: TrainingRange
    folds: int
    gap_sessions: int
    seed: int
    hyperparameters: dict[str, Any]
    rows: int
    sessions: int
    metrics: dict[str, Any] = Field(
        description="Out-of-sample: accuracy, roc_auc, total_return, annual_return, sharpe, "
        "max_drawdown (decimal strings or null), buy_and_hold, test_sessions"
    )
    fold_metrics: list[dict[str, Any]]
    data_fingerprint: str
    operation_id: str
    artifact_sha256: str
    aliases: list[str]
    created_by: str
    created_at: str


class MoveOut(BaseModel):
    alias: str
    action: str = Field(description="promote or rollback")
    from_version: int | None
    to_version: int | None
    forced: bool
    by: str
    reason: str | None
    at: str


class ModelOut(BaseModel):
    name: str
    aliases: dict[str, int]
    versions: list[VersionOut]
    alias_moves: list[MoveOut]


class AliasOut(BaseModel):
    model: str
    alias: str
    version: int
    updated_at: str
    moves: list[MoveOut]


class EquityOut(BaseModel):
    model: str
    version: int
    sessions: list[str]
    signal: list[str | None]
    buy_and_hold: list[str | None]


class PromoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1, le=2**31 - 1)
    reason: Reason
    force: bool = Field(False, description="Deploy a version that does worse anyway")


class RollbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Reason


class PredictIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    alias: str = Field("production", description="The alias whose version predicts")
    version: int | None = Field(
        None, ge=1, le=2**31 - 1, description="Predict with this version instead of an alias"
    )
    symbols: list[str] = Field(description="At most 50 symbols")
    as_of: date = Field(description="Only bars up to this date are used")


class PredictionOut(BaseModel):
    symbol: str
    session: str = Field(description="The session of the feature row the prediction used")
    signal: str = Field(description="long or flat")
    score: str | None


class PredictionsOut(BaseModel):
    model: str
    alias: str | None = Field(description="The alias asked for; null when a version was")
    version: int
    as_of: str
    items: list[PredictionOut]


@router.post(
    "/training-jobs",
    status_code=202,
    response_model=OperationOut,
    summary="Start a training job; poll the operation it answers",
    responses=errors(400, 401, 422),
)
def start_training(body: TrainingIn, training: TrainingDep) -> JSONResponse:
    operation = training.start(body.model_dump(), by="operator")
    return JSONResponse(status_code=202, content=OperationOut(**operation).model_dump())


@router.get("", response_model=ModelList, summary="Registered models", responses=errors(401))
def list_models(registry: ModelRegistryDep) -> dict[str, Any]:
    return registry.models()


@router.get(
    "/{name}",
    response_model=ModelOut,
    summary="A model: its versions, aliases and every move of an alias",
    responses=errors(401, 404, 422),
)
def get_model(registry: ModelRegistryDep, name: str = ModelName) -> dict[str, Any]:
    return registry.model(name)


@router.get(
    "/{name}/versions/{version}",
    response_model=VersionOut,
    summary="One version: metrics, hyper-parameters, data fingerprint, artifact checksum",
    responses=errors(401, 404, 422),
)
def get_version(
    registry: ModelRegistryDep, name: str = ModelName, version: int = VersionNumber
) -> dict[str, Any]:
    return registry.version(name, version)


@router.get(
    "/{name}/versions/{version}/equity",
    response_model=EquityOut,
    summary="The backtest's equity curve against buy-and-hold",
    responses=errors(401, 404, 422),
)
def get_equity(
    registry: ModelRegistryDep, name: str = ModelName, version: int = VersionNumber
) -> dict[str, Any]:
    return registry.equity(name, version)


@router.get(
    "/{name}/aliases/{alias}",
    response_model=AliasOut,
    summary="Where an alias points, and its trail",
    responses=errors(401, 404, 422),
)
def get_alias(
    registry: ModelRegistryDep, name: str = ModelName, alias: str = AliasName
) -> dict[str, Any]:
    return registry.alias(name, alias)


@router.put(
    "/{name}/aliases/{alias}",
    response_model=AliasOut,
    summary="Promote a version to an alias (refused if it does worse, unless forced)",
    responses=errors(
        400,
        401,
        404,
        409,
        422,
        e409="promotion_refused: the version does worse than the one there now",
    ),
)
def promote(
    body: PromoteIn, registry: ModelRegistryDep, name: str = ModelName, alias: str = AliasName
) -> dict[str, Any]:
    return registry.promote(
        name, alias, body.version, by="operator", reason=body.reason, force=body.force
    )


@router.post(
    "/{name}/aliases/{alias}:rollback",
    response_model=AliasOut,
    summary="Return an alias to the version before its last promotion",
    responses=errors(
        400,
        401,
        409,
        422,
        e409="alias_not_set or nothing_to_roll_back",
    ),
)
def rollback(
    body: RollbackIn, registry: ModelRegistryDep, name: str = ModelName, alias: str = AliasName
) -> dict[str, Any]:
    return registry.rollback(name, alias, by="operator", reason=body.reason)


@router.post(
    "/{name}/predictions",
    response_model=PredictionsOut,
    summary="Predictions of the version behind an alias, as of a date",
    responses=errors(
        400,
        401,
        404,
        409,
        422,
        e409="alias_not_set, artifact_tampered, artifact_untrusted or model_inputs_missing",
    ),
)
def predict(body: PredictIn, registry: ModelRegistryDep, name: str = ModelName) -> dict[str, Any]:
    return registry.predict(name, body.alias, body.symbols, body.as_of, body.version)


class BoundOut(BaseModel):
    min: float
    max: float
    min_excluded: bool = Field(description="The minimum itself is refused")
    default: float


class TrainingLimitsOut(BaseModel):
    max_running_jobs: int = Field(description="Jobs beyond it wait queued")
    min_fold_sessions: int = Field(description="Every fold trains and tests on at least this")
    folds: BoundOut
    gap_sessions: BoundOut
    seed: BoundOut
    hyperparameters: dict[str, dict[str, BoundOut]] = Field(description="Per algorithm")
    promotion_metric: str = Field(description="A version doing worse on it is not promoted")


def _bound(low: float, high: float, default: float, *, excluded: bool) -> dict[str, Any]:
    return {"min": low, "max": high, "min_excluded": excluded, "default": default}


@limits_router.get(
    "/limits",
    response_model=TrainingLimitsOut,
    summary="What a training request may ask for, and how many jobs run at once",
    responses=errors(401),
)
def training_limits(settings: SettingsDep) -> dict[str, Any]:
    return {
        "max_running_jobs": settings.training_max_running,
        "min_fold_sessions": rules.MIN_FOLD_SESSIONS,
        "folds": _bound(*rules.FOLDS, TrainingIn.model_fields["folds"].default, excluded=False),
        "gap_sessions": _bound(
            *rules.GAP_SESSIONS, TrainingIn.model_fields["gap_sessions"].default, excluded=False
        ),
        "seed": _bound(*rules.SEED, 0, excluded=False),
        "hyperparameters": {
            algorithm: {
                name: _bound(b.low, b.high, b.default, excluded=b.low_open)
                for name, b in bounds.items()
            }
            for algorithm, bounds in ALGORITHMS.items()
        },
        "promotion_metric": rules.PROMOTION_METRIC,
    }
