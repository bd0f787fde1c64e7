"""One error shape for the simulator: ``{"code", "message", "details"}``, never a trace.

(``/oauth/token`` and ``/oauth/revoke`` answer in the RFC 6749 5.2 format instead;
see ``oauth.py``.)
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("quantdesk.broker_sim")

_CODES_BY_STATUS = {
    400: "malformed_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    415: "unsupported_media_type",
    422: "validation_failed",
    503: "broker_unavailable",
}


class SimErrorOut(BaseModel):
    """Every error answer of the simulator (except the OAuth token and revocation
    endpoints, which answer RFC 6749 errors)."""

    code: str = Field(description="A stable machine code, e.g. validation_failed.")
    message: str = Field(description="A sentence for a human.")
    details: dict[str, Any] = Field(
        description="More about the error; a 422 validation_failed lists "
        "``fields: [{field, message}]``."
    )


class SimError(Exception):
    """An error the simulator answers on purpose, with a stable machine code."""

    def __init__(
        self,
        status_code: int,
        code: str,
        message: str,
        details: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.details = dict(details or {})
        self.headers = dict(headers or {})


def error_response(
    status_code: int,
    code: str,
    message: str,
    details: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(
        status_code=status_code,
        headers=dict(headers or {}),
        content={"code": code, "message": message, "details": dict(details or {})},
    )


def validation_failed(fields: list[dict[str, str]]) -> SimError:
    return SimError(422, "validation_failed", "The request has invalid fields.", {"fields": fields})


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(part) for part in loc[1:]] if len(loc) > 1 else [str(p) for p in loc]
    return ".".join(parts)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(SimError)
    async def _sim_error(_request: Request, exc: SimError) -> JSONResponse:
        return error_response(exc.status_code, exc.code, exc.message, exc.details, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _CODES_BY_STATUS.get(exc.status_code, "http_error")
        message = "No such resource." if exc.status_code == 404 else str(exc.detail)
        return error_response(
            exc.status_code,
            code,
            message,
            {"path": request.url.path},
            getattr(exc, "headers", None),
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(err.get("type") == "json_invalid" for err in errors):
            return error_response(400, "malformed_request", "The request body is not valid JSON.")
        fields = [
            {
                "field": _field_name(tuple(err.get("loc", ()))),
                "message": str(err.get("msg", "is invalid")),
            }
            for err in errors
        ]
        err = validation_failed(fields)
        return error_response(err.status_code, err.code, err.message, err.details)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected %s on %s %s", type(exc).__name__, request.method, request.url.path)
        return error_response(500, "internal_error", "The broker simulator failed unexpectedly.")
