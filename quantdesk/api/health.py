"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from quantdesk import __version__
from quantdesk.api.deps import PlatformDep
from quantdesk.api.errors import error_response, errors
from quantdesk.build import commit

router = APIRouter(tags=["health"])


class CircuitOut(BaseModel):
    state: str = Field(description="closed, open (calls fail fast) or half_open (one trial)")
    failures_in_a_row: int
    failures_to_open: int = Field(description="Failed calls in a row that open the circuit")
    cooldown_seconds: int = Field(description="How long it stays open before a trial call")
    opened_at: str | None


class HealthOut(BaseModel):
    status: str = Field(description="Always ok: the process answers.")
    service: str
    version: str
    commit: str = Field(
        description="The commit the platform was built from (QUANTDESK_COMMIT, or its "
        "checkout's), or unknown."
    )
    database: str = Field(description="The database backend: sqlite or postgresql.")
    controls_enabled: bool = Field(description="Whether test controls are exposed.")
    brokerage_circuit: CircuitOut = Field(
        description="The circuit breaker in front of the brokerage's trading desk."
    )


class ReadyOut(BaseModel):
    status: str = Field(description="ready")
    checks: dict[str, str] = Field(description="Each dependency: ok, or why it is not.")


@router.get("/v1/health", response_model=HealthOut, summary="The process is up")
def health(platform: PlatformDep) -> dict[str, Any]:
    return {
        "status": "ok",
        "service": "quantdesk",
        "version": __version__,
        "commit": commit(),
        "database": platform.database_backend,
        "controls_enabled": platform.settings.controls_enabled,
        "brokerage_circuit": platform.broker_circuit.view(),
    }


@router.get(
    "/v1/ready",
    response_model=ReadyOut,
    summary="The database and the brokerage are reachable",
    responses=errors(503, e503="not_ready: a dependency is unreachable; details.checks says which"),
)
def ready(platform: PlatformDep) -> dict[str, Any] | JSONResponse:
    checks = platform.readiness()
    failing = {name: reason for name, reason in checks.items() if reason != "ok"}
    if failing:
        reasons = "; ".join(f"{name}: {reason}" for name, reason in failing.items())
        return error_response(
            503, "not_ready", f"The platform is not ready ({reasons}).", {"checks": checks}
        )
    return {"status": "ready", "checks": checks}
