"""Who is calling: operators authenticate with an API key, clients with a bearer token."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from quantdesk.api.deps import ClientAuthDep, SettingsDep
from quantdesk.errors import NotFound, Unauthenticated
from quantdesk.settings import Settings

operator_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="The back-office operator key."
)
client_bearer = HTTPBearer(auto_error=False, description="A client's token from POST /v1/sessions.")


@dataclass(frozen=True)
class Caller:
    operator: bool
    client_id: str | None = None

    @property
    def name(self) -> str:
        """Who acted, as the audit trail writes it."""
        return "operator" if self.operator else f"client {self.client_id}"

    def require_access_to(self, client_id: str) -> None:
        """Operators see every client; a client only itself. Others' are "not found"."""
        if not self.operator and self.client_id != client_id:
            raise NotFound("No client with that id.", details={"client_id": client_id})


def _check_operator_key(settings: Settings, key: str) -> None:
    expected = settings.operator_key
    if expected is None or not hmac.compare_digest(
        key.encode(), expected.get_secret_value().encode()
    ):
        raise Unauthenticated("The operator API key is not valid.")


def require_operator(
    settings: SettingsDep, key: str | None = Security(operator_key_header)
) -> None:
    if not key:
        raise Unauthenticated("An operator API key is required.")
    _check_operator_key(settings, key)


def require_caller(
    settings: SettingsDep,
    client_auth: ClientAuthDep,
    key: str | None = Security(operator_key_header),
    bearer: HTTPAuthorizationCredentials | None = Security(client_bearer),
) -> Caller:
    if key:
        _check_operator_key(settings, key)
        return Caller(operator=True)
    if bearer:
        client_id = client_auth.authenticate(bearer.credentials)
        return Caller(operator=False, client_id=client_id)
    raise Unauthenticated("An operator API key or a client bearer token is required.")


def require_client(caller: Caller = Security(require_caller)) -> Caller:
    if caller.client_id is None:
        raise Unauthenticated("This is a client's own resource: sign in as the client.")
    return caller


def accessible_client(client_id: str, caller: Caller = Security(require_caller)) -> str:
    """The path's ``client_id``, once the caller may see that client (otherwise 404)."""
    caller.require_access_to(client_id)
    return client_id


# A path parameter ``client_id`` that only an operator or that client gets past.
AccessibleClient = Annotated[str, Security(accessible_client)]
# Whoever called: an operator or a signed-in client.
CallerDep = Annotated[Caller, Security(require_caller)]
