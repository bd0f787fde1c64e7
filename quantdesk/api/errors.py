"""One error shape for every failure: ``{"code", "message", "details"}``; never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from quantdesk.errors import PlatformError

log = logging.getLogger("quantdesk.errors")


class ErrorOut(BaseModel):
    """Every error answer of the platform."""

    code: str = Field(description="A stable machine code, e.g. validation_failed.")
    message: str = Field(description="A sentence for a human.")
    details: dict[str, Any] = Field(
        description="More about the error; a 422 validation_failed lists "
        "``fields: [{field, code, message}]``."
    )


# What each status means on any route; a route adds its own codes with ``errors(...)``.
ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "malformed_request: the body is not valid JSON",
    401: "unauthenticated: no credentials, or credentials that are not valid",
    403: "forbidden",
    404: "not_found: no such resource, or one the caller may not see",
    409: "conflict with the resource's current state",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed: details.fields lists every problem",
    503: "a dependency is unavailable",
}


def errors(*statuses: int, **codes: str) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route: each status it can answer, with the error schema.

    ``codes`` describe a status more precisely for this route, keyed ``e409="..."``.
    """
    described = {int(key.removeprefix("e")): text for key, text in codes.items()}
    unknown = set(described) - set(statuses)
    if unknown:
        raise ValueError(f"described but not declared: {sorted(unknown)}")
    return {
        status: {
            "model": ErrorOut,
            "description": described.get(status, ERROR_DESCRIPTIONS[status]),
        }
        for status in statuses
    }


_HTTP_CODES = {
    400: "malformed_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def error_response(
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(
        status_code=status,
        headers=headers,
        content={"code": code, "message": message, "details": details or {}},
    )


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or str(loc[0] if loc else "body")


async def _platform_error(_: Request, exc: PlatformError) -> JSONResponse:
    return error_response(exc.status_code, exc.code, exc.message, exc.details)


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    if exc.status_code == 404:
        message = f"There is no resource at {request.url.path}."
    elif exc.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path}."
    else:
        message = str(exc.detail)
    return error_response(exc.status_code, code, message, headers=exc.headers)


async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return error_response(400, "malformed_request", "The request body is not valid JSON.")
    fields = [
        {
            "field": _field_name(tuple(e.get("loc", ()))),
            "code": str(e.get("type", "invalid")),
            "message": str(e.get("msg", "invalid value")),
        }
        for e in errors
    ]
    names = ", ".join(sorted({f["field"] for f in fields}))
    return error_response(
        422, "validation_failed", f"The request has invalid fields: {names}.", {"fields": fields}
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(
        500, "internal_error", "The platform failed to handle the request; it has been logged."
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(PlatformError, _platform_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
