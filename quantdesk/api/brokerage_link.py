"""Brokerage linking (OAuth callback included) and the linked account."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from quantdesk.api.deps import BrokerageLinkDep
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


@router.post(
    "/v1/clients/{client_id}/brokerage-link",
    status_code=201,
    response_model=LinkStarted,
    summary="Start linking the client's brokerage account (OAuth 2.0 + PKCE)",
    responses=errors(401, 404, 422, 503, e503="brokerage_not_configured"),
)
def start_link(client_id: AccessibleClient, links: BrokerageLinkDep) -> dict[str, Any]:
    return links.start_link(client_id)


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
    links: BrokerageLinkDep,
    state: str | None = None,
    code: str | None = None,
    error: str | None = None,
    error_description: str | None = None,
) -> dict[str, Any]:
    # No sign-in here: a browser redirect carries no bearer token. The single-use,
    # unguessable state ties the answer to the client who started the link.
    return links.complete_link(
        state=state, code=code, error=error, error_description=error_description
    )


@router.get(
    "/v1/clients/{client_id}/brokerage-link",
    response_model=LinkOut,
    summary="The client's brokerage link (never its tokens)",
    responses=errors(401, 404, 422, e404="not_found, or brokerage_not_linked"),
)
def get_link(client_id: AccessibleClient, links: BrokerageLinkDep) -> dict[str, Any]:
    return links.link_of(client_id)


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
def get_broker_account(client_id: AccessibleClient, links: BrokerageLinkDep) -> dict[str, Any]:
    return links.account_of(client_id)
