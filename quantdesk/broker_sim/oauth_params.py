"""Parsing and checking OAuth requests: form bodies, authorization requests (RFC 6749
4.1.1 with RFC 7636 PKCE) and client authentication (RFC 6749 2.3.1)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote_plus, urlencode, urlsplit, urlunsplit

from fastapi import Request
from fastapi.responses import RedirectResponse

from quantdesk.broker_sim.security import is_pkce_value, same_secret
from quantdesk.broker_sim.settings import BrokerSimSettings

SUPPORTED_SCOPES = ("account:read", "account:write", "trading")
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_MAX_FORM_BYTES = 64 * 1024
_MAX_STATE_CHARS = 1024


@dataclass
class Params:
    """Request parameters by name (first value wins) and the names sent more than once."""

    values: dict[str, str] = field(default_factory=dict)
    duplicates: set[str] = field(default_factory=set)
    problem: str | None = None

    @classmethod
    def from_items(cls, items: Iterable[tuple[str, str]]) -> Params:
        params = cls()
        for name, value in items:
            if name in params.values:
                params.duplicates.add(name)
            else:
                params.values[name] = value
        return params

    def get(self, name: str) -> str | None:
        return self.values.get(name) or None


async def read_form(request: Request) -> Params:
    """An ``application/x-www-form-urlencoded`` body, as RFC 6749 requires."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/x-www-form-urlencoded":
        return Params(problem="the body must be application/x-www-form-urlencoded")
    body = await request.body()
    if len(body) > _MAX_FORM_BYTES:
        return Params(problem="the body is too large")
    try:
        return Params.from_items(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except (UnicodeDecodeError, ValueError):
        return Params(problem="the body is not valid form data")


class OAuthError(Exception):
    """An RFC 6749 error: ``error`` is the registered code."""

    def __init__(self, error: str, description: str, status_code: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status_code = status_code


class UntrustedRedirect(OAuthError):
    """The client or redirect URI cannot be trusted: show an error page, never redirect."""


class RedirectableError(OAuthError):
    """An authorization error reported to the client at its (verified) redirect URI."""

    def __init__(self, error: str, description: str, redirect_uri: str, state: str | None) -> None:
        super().__init__(error, description)
        self.redirect_uri = redirect_uri
        self.state = state

    def response(self) -> RedirectResponse:
        params = {"error": self.error, "error_description": self.description}
        if self.state is not None:
            params["state"] = self.state
        return redirect_with(self.redirect_uri, params)


@dataclass(frozen=True)
class AuthorizationRequest:
    client_id: str
    redirect_uri: str
    state: str | None
    code_challenge: str
    scopes: tuple[str, ...]

    @property
    def scope(self) -> str:
        return " ".join(self.scopes)

    def form_fields(self) -> dict[str, str]:
        """The OAuth parameters, to carry through the consent form."""
        fields = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "code_challenge": self.code_challenge,
            "code_challenge_method": "S256",
            "scope": self.scope,
        }
        if self.state is not None:
            fields["state"] = self.state
        return fields


def redirect_with(uri: str, params: dict[str, str]) -> RedirectResponse:
    parts = urlsplit(uri)
    extra = urlencode(params)
    query = f"{parts.query}&{extra}" if parts.query else extra
    return RedirectResponse(
        urlunsplit(parts._replace(query=query)), status_code=302, headers=NO_STORE
    )


def parse_scope(raw: str | None) -> tuple[str, ...] | None:
    """The requested scopes in canonical order; None when one is unknown. No scope
    requests them all."""
    requested = set((raw or "").split())
    if not requested:
        return SUPPORTED_SCOPES
    if not requested <= set(SUPPORTED_SCOPES):
        return None
    return tuple(s for s in SUPPORTED_SCOPES if s in requested)


def _trusted_client(params: Params, settings: BrokerSimSettings) -> tuple[str, str]:
    """The client id and a redirect URI registered for it; until both are known, errors
    are shown on a page, never redirected (RFC 6749 4.1.2.1)."""
    if params.problem:
        raise UntrustedRedirect("invalid_request", f"Malformed request: {params.problem}.")
    client_id = params.get("client_id")
    if "client_id" in params.duplicates or client_id != settings.broker_client_id:
        raise UntrustedRedirect("invalid_client", "Unknown client.")
    redirect_uri = params.get("redirect_uri")
    if (
        "redirect_uri" in params.duplicates
        or redirect_uri is None
        or redirect_uri not in settings.broker_redirect_uris
    ):
        raise UntrustedRedirect(
            "invalid_request", "The redirect URI is not registered for this client."
        )
    return client_id, redirect_uri


def check_authorization_request(
    params: Params, settings: BrokerSimSettings
) -> AuthorizationRequest:
    """Raises ``UntrustedRedirect`` (error page) or ``RedirectableError`` (redirect)."""
    client_id, redirect_uri = _trusted_client(params, settings)
    state = params.values.get("state")

    def refuse(error: str, description: str) -> RedirectableError:
        return RedirectableError(error, description, redirect_uri, state)

    if params.duplicates:
        raise refuse(
            "invalid_request",
            f"Parameters sent more than once: {', '.join(sorted(params.duplicates))}.",
        )
    if state is not None and len(state) > _MAX_STATE_CHARS:
        raise refuse("invalid_request", "state is too long.")
    response_type = params.get("response_type")
    if response_type is None:
        raise refuse("invalid_request", "response_type is required.")
    if response_type != "code":
        raise refuse("unsupported_response_type", "Only response_type=code is supported.")
    challenge = params.get("code_challenge")
    if challenge is None or not is_pkce_value(challenge):
        raise refuse("invalid_request", "A PKCE code_challenge is required.")
    if params.get("code_challenge_method") != "S256":
        raise refuse("invalid_request", "code_challenge_method must be S256.")
    scopes = parse_scope(params.values.get("scope"))
    if scopes is None:
        raise refuse("invalid_scope", f"Supported scopes: {' '.join(SUPPORTED_SCOPES)}.")
    return AuthorizationRequest(client_id, redirect_uri, state, challenge, scopes)


def _basic_credentials(header: str) -> tuple[str, str]:
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise OAuthError("invalid_client", "Malformed Basic credentials.", 401) from exc
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise OAuthError("invalid_client", "Malformed Basic credentials.", 401)
    return unquote_plus(client_id), unquote_plus(secret)


def authenticate_client(request: Request, form: Params, settings: BrokerSimSettings) -> str:
    """The authenticated client id (HTTP Basic or client_secret_post, not both)."""
    header = request.headers.get("authorization")
    posted_secret = form.values.get("client_secret")
    if header is not None:
        if header[:6].lower() != "basic ":
            raise OAuthError("invalid_client", "Use HTTP Basic client authentication.", 401)
        if posted_secret is not None:
            raise OAuthError("invalid_request", "Use one client authentication method only.")
        client_id, secret = _basic_credentials(header)
        posted_id = form.values.get("client_id")
        if posted_id is not None and posted_id != client_id:
            raise OAuthError("invalid_request", "client_id does not match the credentials.")
    elif posted_secret is not None:
        client_id, secret = form.values.get("client_id", ""), posted_secret
    else:
        raise OAuthError("invalid_client", "Client authentication is required.", 401)
    expected = settings.broker_client_secret
    if (
        expected is None
        or client_id != settings.broker_client_id
        or not same_secret(secret, expected.get_secret_value())
    ):
        raise OAuthError("invalid_client", "Client authentication failed.", 401)
    return client_id
