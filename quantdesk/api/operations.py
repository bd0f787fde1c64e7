"""Long-running operations (AIP-151): poll with GET, stop with ``:cancel``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from quantdesk.api.security import require_operator

router = APIRouter(
    prefix="/v1/operations", tags=["operations"], dependencies=[Depends(require_operator)]
)


@router.get("/{operation_id}", summary="An operation: status, progress, result or error")
def get_operation(operation_id: str, request: Request) -> dict[str, Any]:
    return request.app.state.platform.operations.get(operation_id)


@router.post(
    "/{operation_id}:cancel",
    summary="Ask a queued or running operation to stop (409 once it has finished)",
)
def cancel_operation(operation_id: str, request: Request) -> dict[str, Any]:
    return request.app.state.platform.operations.cancel(operation_id)
