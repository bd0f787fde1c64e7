"""Who is calling: operators authenticate with an API key."""

from __future__ import annotations

import hmac

from fastapi import Request, Security
from fastapi.security import APIKeyHeader

from quantdesk.errors import Unauthenticated

operator_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="The back-office operator key."
)


def require_operator(request: Request, key: str | None = Security(operator_key_header)) -> None:
    expected = request.app.state.platform.settings.operator_key
    if not key:
        raise Unauthenticated("An operator API key is required.")
    if expected is None or not hmac.compare_digest(
        key.encode(), expected.get_secret_value().encode()
    ):
        raise Unauthenticated("The operator API key is not valid.")
