"""Long-running operations (AIP-151): poll with GET, stop with ``:cancel``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from quantdesk.api.deps import OperationsDep
from quantdesk.api.errors import ErrorOut, errors
from quantdesk.api.security import require_operator

router = APIRouter(
    prefix="/v1/operations", tags=["operations"], dependencies=[Depends(require_operator)]
)


class ProgressOut(BaseModel):
    percent: float = Field(description="0 to 100; never goes down.")
    message: str | None


class OperationOut(BaseModel):
    id: str
    kind: str = Field(description="What the operation does, e.g. market_data.ingestion.")
    status: str = Field(description="queued, running, succeeded, failed or cancelled")
    done: bool
    progress: ProgressOut
    cancel_requested: bool
    request: dict[str, Any] = Field(description="What was asked for.")
    result: dict[str, Any] | None = Field(description="The outcome once succeeded.")
    error: ErrorOut | None = Field(description="Why it failed, once failed or cancelled.")
    created_at: str
    updated_at: str
    started_at: str | None
    finished_at: str | None


@router.get(
    "/{operation_id}",
    response_model=OperationOut,
    summary="An operation: status, progress, result or error",
    responses=errors(401, 404, 422),
)
def get_operation(operation_id: str, operations: OperationsDep) -> dict[str, Any]:
    return operations.get(operation_id)


@router.post(
    "/{operation_id}:cancel",
    response_model=OperationOut,
    summary="Ask a queued or running operation to stop (409 once it has finished)",
    responses=errors(401, 404, 409, 422, e409="operation_finished: it can no longer be cancelled"),
)
def cancel_operation(operation_id: str, operations: OperationsDep) -> dict[str, Any]:
    return operations.cancel(operation_id)
