"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from quantdesk import __version__
from quantdesk.api.deps import PlatformDep
from quantdesk.api.errors import error_response, errors

router = APIRouter(tags=["health"])


class HealthOut(BaseModel):
    status: str = Field(description="Always ok: the process answers.")
    service: str
    version: str
    database: str = Field(description="The database backend: sqlite or postgresql.")
    controls_enabled: bool = Field(description="Whether test controls are exposed.")


class ReadyOut(BaseModel):
    status: str = Field(description="ready")
    checks: dict[str, str] = Field(description="Each dependency: ok, or why it is not.")


@router.get("/v1/health", response_model=HealthOut, summary="The process is up")
def health(platform: PlatformDep) -> dict[str, Any]:
    return {
        "status": "ok",
        "service": "quantdesk",
        "version": __version__,
        "database": platform.database_backend,
        "controls_enabled": platform.settings.controls_enabled,
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
