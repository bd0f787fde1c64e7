"""Brokerage linking (OAuth callback included), the linked account and funding it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from quantdesk.api.errors import errors
from quantdesk.api.security import AccessibleClient

router = APIRouter(tags=["brokerage"])


class LinkStarted(BaseModel):
    id: str
    client_id: str
    authorization_url: str = Field(
        description="Open in the client's browser: the brokerage's sign-in and consent page, "
        "with state and a PKCE S256 challenge."
    )
    redirect_uri: str
    expires_at: str


class LinkOut(BaseModel):
    client_id: str
    status: str = Field(description="active, or reauth_required when the client must link again")
    broker_account_id: str
    scope: list[str]
    reason: str | None
    linked_at: str
    updated_at: str


class BrokerAccountOut(BaseModel):
    id: str | None
    cash: str | None
    currency: str | None
    status: str | None


class DepositIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: Any = Field(default=None, examples=["2500.00"], description="Decimal string, USD")


class DepositOut(BaseModel):
    id: str
    client_id: str
    broker_account_id: str
    broker_deposit_id: str
    amount: str
    created_at: str


class DepositList(BaseModel):
    items: list[DepositOut]


def _service(request: Request) -> Any:
    return request.app.state.platform.brokerage


@router.post(
    "/v1/clients/{client_id}/brokerage-link",
    status_code=201,
    response_model=LinkStarted,
    summary="Start linking the client's brokerage account (OAuth 2.0 + PKCE)",
    responses=errors(401, 404, 422, 503, e503="brokerage_not_configured"),
)
def start_link(client_id: AccessibleClient, request: Request) -> dict[str, Any]:
    return _service(request).start_link(client_id)


@router.get(
    "/v1/brokerage/callback",
    response_model=LinkOut,
    summary="Where the brokerage sends the client's browser back (redirect URI)",
    responses=errors(
        400,
        403,
        409,
        422,
        503,
        e400="invalid_state, missing_code, authorization_rejected or authorization_failed",
        e403="consent_denied: the client declined at the brokerage",
        e409="link_attempt_used or link_attempt_expired",
        e503="brokerage_unavailable",
    ),
)
def link_callback(
    request: Request,
    state: str | None = None,
    code: str | None = None,
    error: str | None = None,
    error_description: str | None = None,
) -> dict[str, Any]:
    # No sign-in here: a browser redirect carries no bearer token. The single-use,
    # unguessable state ties the answer to the client who started the link.
    return _service(request).complete_link(
        state=state, code=code, error=error, error_description=error_description
    )


@router.get(
    "/v1/clients/{client_id}/brokerage-link",
    response_model=LinkOut,
    summary="The client's brokerage link (never its tokens)",
    responses=errors(401, 404, 422, e404="not_found, or brokerage_not_linked"),
)
def get_link(client_id: AccessibleClient, request: Request) -> dict[str, Any]:
    return _service(request).link_of(client_id)


@router.get(
    "/v1/clients/{client_id}/brokerage-account",
    response_model=BrokerAccountOut,
    summary="The linked paper account, read from the brokerage",
    responses=errors(
        401,
        404,
        409,
        422,
        503,
        e409="brokerage_not_linked, reauth_required or brokerage_refused",
        e503="brokerage_unavailable",
    ),
)
def get_broker_account(client_id: AccessibleClient, request: Request) -> dict[str, Any]:
    return _service(request).account_of(client_id)


@router.post(
    "/v1/clients/{client_id}/deposits",
    status_code=201,
    response_model=DepositOut,
    summary="Deposit cash into the linked paper account (Idempotency-Key accepted)",
    responses={
        200: {"model": DepositOut, "description": "The same deposit again (a repeated key)"},
        **errors(
            400,
            401,
            404,
            409,
            422,
            503,
            e409="brokerage_not_linked, reauth_required or brokerage_refused",
            e503="brokerage_unavailable",
        ),
    },
)
def deposit(
    client_id: AccessibleClient,
    body: DepositIn,
    request: Request,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    made, created = _service(request).deposit(client_id, body.amount, idempotency_key)
    return JSONResponse(made, status_code=201 if created else 200)


@router.get(
    "/v1/clients/{client_id}/deposits",
    response_model=DepositList,
    summary="Deposits the platform made for the client",
    responses=errors(401, 404, 422),
)
def list_deposits(client_id: AccessibleClient, request: Request) -> dict[str, Any]:
    return {"items": _service(request).deposits_of(client_id)}
