"""Errors the platform reports to callers, each with a stable machine code."""

from __future__ import annotations

from typing import Any


class PlatformError(Exception):
    """Base of every error with a defined HTTP answer: ``{code, message, details}``."""

    status_code = 500
    code = "internal_error"

    def __init__(
        self, message: str, *, details: dict[str, Any] | None = None, code: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}
        if code:
            self.code = code


class MalformedRequest(PlatformError):
    status_code = 400
    code = "malformed_request"


class Unauthenticated(PlatformError):
    status_code = 401
    code = "unauthenticated"


class Forbidden(PlatformError):
    status_code = 403
    code = "forbidden"


class NotFound(PlatformError):
    status_code = 404
    code = "not_found"


class Conflict(PlatformError):
    status_code = 409
    code = "conflict"


class PayloadTooLarge(PlatformError):
    status_code = 413
    code = "payload_too_large"


class UnsupportedMediaType(PlatformError):
    status_code = 415
    code = "unsupported_media_type"


class ValidationFailed(PlatformError):
    """422 with every field problem at once in ``details.fields``."""

    status_code = 422
    code = "validation_failed"

    def __init__(self, fields: list[dict[str, str]], message: str | None = None) -> None:
        names = ", ".join(sorted({f["field"] for f in fields}))
        super().__init__(
            message or f"The request has invalid fields: {names}.", details={"fields": fields}
        )


class DependencyUnavailable(PlatformError):
    status_code = 503
    code = "dependency_unavailable"
