"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from quantdesk import __version__
from quantdesk.api.errors import error_response

router = APIRouter(tags=["health"])


@router.get("/v1/health", summary="The process is up")
def health(request: Request) -> dict[str, Any]:
    platform = request.app.state.platform
    return {
        "status": "ok",
        "service": "quantdesk",
        "version": __version__,
        "database": platform.database_backend,
        "controls_enabled": platform.settings.controls_enabled,
    }


@router.get(
    "/v1/ready",
    summary="The database and the brokerage are reachable",
    responses={503: {"description": "A dependency is unreachable"}},
)
def ready(request: Request) -> JSONResponse:
    checks = request.app.state.platform.readiness()
    failing = {name: reason for name, reason in checks.items() if reason != "ok"}
    if failing:
        reasons = "; ".join(f"{name}: {reason}" for name, reason in failing.items())
        return error_response(
            503, "not_ready", f"The platform is not ready ({reasons}).", {"checks": checks}
        )
    return JSONResponse({"status": "ready", "checks": checks})
