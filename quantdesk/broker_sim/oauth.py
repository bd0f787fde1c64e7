"""The OAuth 2.0 authorization server: authorization code grant with PKCE S256
(RFC 6749, RFC 7636), refresh with rotation, and revocation (RFC 7009)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from quantdesk.broker_sim import pages
from quantdesk.broker_sim.oauth_params import (
    NO_STORE,
    AuthorizationRequest,
    OAuthError,
    Params,
    RedirectableError,
    UntrustedRedirect,
    authenticate_client,
    check_authorization_request,
    parse_scope,
    read_form,
    redirect_with,
)
from quantdesk.broker_sim.runtime import SessionDep, SettingsDep, SimState, StateDep
from quantdesk.broker_sim.security import new_secret, pkce_matches, secret_hash, verify_password
from quantdesk.broker_sim.settings import BrokerSimSettings
from quantdesk.broker_sim.store import AuthorizationCode, BrokerUser, OAuthGrant, OAuthToken
from quantdesk.broker_sim.tokens import (
    REFRESH,
    TokenRejected,
    find_token,
    issue_tokens,
    new_grant,
    revoke_grants,
    revoke_token,
)

router = APIRouter(tags=["oauth"])
FormDep = Annotated[Params, Depends(read_form)]


def _oauth_error(exc: OAuthError) -> JSONResponse:
    headers = dict(NO_STORE)
    if exc.status_code == 401:
        headers["WWW-Authenticate"] = 'Basic realm="broker-sim"'
    return JSONResponse(
        {"error": exc.error, "error_description": exc.description},
        status_code=exc.status_code,
        headers=headers,
    )


def _consent(request: AuthorizationRequest, **kwargs: object) -> HTMLResponse:
    return pages.consent_page(request.form_fields(), scopes=list(request.scopes), **kwargs)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = Field(description="Bearer")
    expires_in: int = Field(description="Seconds the access token lasts.")
    refresh_token: str
    scope: str = Field(description="Space-separated scopes granted.")


class OAuthErrorOut(BaseModel):
    """An RFC 6749 5.2 error answer."""

    error: str = Field(description="invalid_request, invalid_client, invalid_grant, ...")
    error_description: str


_REDIRECT = {
    302: {
        "description": "Back to the client's redirect URI, with code and state or with "
        "error and state (RFC 6749 4.1.2)"
    }
}
_OAUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": OAuthErrorOut, "description": "invalid_request, invalid_grant, ..."},
    401: {"model": OAuthErrorOut, "description": "invalid_client"},
}


@router.get(
    "/oauth/authorize",
    response_class=HTMLResponse,
    summary="The sign-in and consent page",
    responses=_REDIRECT,
)
def authorize_page(request: Request, settings: SettingsDep) -> Response:
    params = Params.from_items(request.query_params.multi_items())
    try:
        auth = check_authorization_request(params, settings)
    except UntrustedRedirect as exc:
        return pages.error_page(exc.error, exc.description)
    except RedirectableError as exc:
        return exc.response()
    return _consent(auth)


@router.post(
    "/oauth/authorize",
    response_class=HTMLResponse,
    summary="The user's decision on the consent page (a form post)",
    responses=_REDIRECT,
)
def authorize_decision(
    form: FormDep, settings: SettingsDep, state: StateDep, session: SessionDep
) -> Response:
    try:
        auth = check_authorization_request(form, settings)
    except UntrustedRedirect as exc:
        return pages.error_page(exc.error, exc.description)
    except RedirectableError as exc:
        return exc.response()
    decision = form.values.get("decision")
    if decision == "deny":
        return RedirectableError(
            "access_denied", "The user denied access.", auth.redirect_uri, auth.state
        ).response()
    username = form.values.get("username", "")
    if decision != "allow":
        return _consent(auth, username=username, error="Choose Allow or Deny.", status_code=400)
    found = session.execute(
        select(BrokerUser.id, BrokerUser.password_hash).where(BrokerUser.username == username)
    ).first()
    session.rollback()  # end the (locking) transaction before the slow password check
    # An unknown user costs one password check too (no user enumeration by timing).
    valid = verify_password(found.password_hash if found else None, form.values.get("password", ""))
    if found is None or not valid:
        return _consent(
            auth, username=username, error="Wrong username or password.", status_code=401
        )
    code, now = new_secret(), state.now()
    session.add(
        AuthorizationCode(
            code_hash=secret_hash(code),
            client_id=auth.client_id,
            redirect_uri=auth.redirect_uri,
            code_challenge=auth.code_challenge,
            scope=auth.scope,
            user_id=found.id,
            created_at=now,
            expires_at=now + timedelta(seconds=settings.broker_code_ttl_seconds),
        )
    )
    session.commit()
    params = {"code": code}
    if auth.state is not None:
        params["state"] = auth.state
    return redirect_with(auth.redirect_uri, params)


def _exchange_code(
    form: Params, client_id: str, settings: BrokerSimSettings, session: Session, state: SimState
) -> dict[str, object]:
    code, redirect_uri = form.get("code"), form.get("redirect_uri")
    verifier = form.get("code_verifier")
    if code is None or redirect_uri is None or verifier is None:
        raise OAuthError("invalid_request", "code, redirect_uri and code_verifier are required.")
    now = state.now()
    row = session.scalar(
        select(AuthorizationCode).where(AuthorizationCode.code_hash == secret_hash(code))
    )
    if row is None:
        raise OAuthError("invalid_grant", "Unknown authorization code.")
    claimed = (
        session.execute(
            update(AuthorizationCode)
            .where(AuthorizationCode.id == row.id, AuthorizationCode.used_at.is_(None))
            .values(used_at=now)
        ).rowcount
        == 1
    )
    if not claimed:
        # RFC 6749 4.1.2: a code used twice revokes the tokens issued from it.
        if row.grant_id is not None:
            revoke_grants(session, now, grant_id=row.grant_id)
        session.commit()
        raise OAuthError("invalid_grant", "The authorization code was already used.")
    session.commit()  # the code is spent whatever happens next
    if row.expires_at <= now:
        raise OAuthError("invalid_grant", "The authorization code has expired.")
    if row.client_id != client_id or row.redirect_uri != redirect_uri:
        raise OAuthError("invalid_grant", "The code was issued to another client or redirect.")
    if not pkce_matches(verifier, row.code_challenge):
        raise OAuthError("invalid_grant", "PKCE verification failed.")
    grant = new_grant(
        session, settings, user_id=row.user_id, client_id=client_id, scope=row.scope, now=now
    )
    session.execute(
        update(AuthorizationCode).where(AuthorizationCode.id == row.id).values(grant_id=grant.id)
    )
    issued = issue_tokens(session, settings, grant, scope=row.scope, now=now)
    session.commit()
    return issued.as_response()


def _refresh(
    form: Params, client_id: str, settings: BrokerSimSettings, session: Session, state: SimState
) -> dict[str, object]:
    raw = form.get("refresh_token")
    if raw is None:
        raise OAuthError("invalid_request", "refresh_token is required.")
    now = state.now()
    try:
        token, grant = find_token(session, raw, now, REFRESH)
    except TokenRejected as exc:
        raise OAuthError("invalid_grant", f"The refresh token is {exc.reason}.") from exc
    if grant.client_id != client_id:
        raise OAuthError("invalid_grant", "The refresh token was issued to another client.")
    granted = grant.scope.split()
    scope = grant.scope
    if form.get("scope") is not None:
        requested = parse_scope(form.get("scope"))
        if requested is None or not set(requested) <= set(granted):
            raise OAuthError("invalid_scope", "The scope exceeds what the user granted.")
        scope = " ".join(requested)
    if not revoke_token(session, token.id, now):
        raise OAuthError("invalid_grant", "The refresh token is revoked.")
    issued = issue_tokens(session, settings, grant, scope=scope, now=now)
    session.commit()
    return issued.as_response()


_GRANTS = {"authorization_code": _exchange_code, "refresh_token": _refresh}


@router.post(
    "/oauth/token",
    summary="Exchange a code or a refresh token (form-encoded, HTTP Basic client auth)",
    responses={200: {"model": TokenOut, "description": "The tokens"}, **_OAUTH_ERRORS},
)
def token_endpoint(
    request: Request, form: FormDep, settings: SettingsDep, state: StateDep, session: SessionDep
) -> Response:
    try:
        if form.problem:
            raise OAuthError("invalid_request", f"Malformed request: {form.problem}.")
        if form.duplicates:
            raise OAuthError("invalid_request", "Parameters sent more than once.")
        client_id = authenticate_client(request, form, settings)
        grant_type = form.get("grant_type")
        if grant_type is None:
            raise OAuthError("invalid_request", "grant_type is required.")
        handler = _GRANTS.get(grant_type)
        if handler is None:
            raise OAuthError("unsupported_grant_type", f"Unsupported grant_type {grant_type}.")
        body = handler(form, client_id, settings, session, state)
    except OAuthError as exc:
        return _oauth_error(exc)
    return JSONResponse(body, headers=NO_STORE)


@router.post(
    "/oauth/revoke",
    response_class=Response,
    summary="Revoke a token (RFC 7009; form-encoded, HTTP Basic client auth)",
    responses={
        200: {"description": "Revoked, or a token the brokerage does not know: no body"},
        **_OAUTH_ERRORS,
    },
)
def revoke_endpoint(
    request: Request, form: FormDep, settings: SettingsDep, state: StateDep, session: SessionDep
) -> Response:
    try:
        if form.problem:
            raise OAuthError("invalid_request", f"Malformed request: {form.problem}.")
        client_id = authenticate_client(request, form, settings)
        raw = form.get("token")
        if raw is None:
            raise OAuthError("invalid_request", "token is required.")
    except OAuthError as exc:
        return _oauth_error(exc)
    now = state.now()
    token = session.scalar(select(OAuthToken).where(OAuthToken.token_hash == secret_hash(raw)))
    if token is not None:
        grant = session.get(OAuthGrant, token.grant_id)
        if grant is not None and grant.client_id == client_id:
            if token.kind == REFRESH:
                revoke_grants(session, now, grant_id=token.grant_id)
            else:
                revoke_token(session, token.id, now)
            session.commit()
    return Response(status_code=200, headers=NO_STORE)
