"""Clients: registered by operators; a signed-in client sees only itself."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Security
from pydantic import BaseModel, ConfigDict, Field

from quantdesk.api.deps import ClientAuthDep, OnboardingDep
from quantdesk.api.errors import errors
from quantdesk.api.security import Caller, require_caller, require_client, require_operator

router = APIRouter(tags=["clients"])


class ClientRegistrationIn(BaseModel):
    """Validated by the platform's rules, which report every problem at once."""

    model_config = ConfigDict(extra="allow")
    full_name: Any = Field(default=None, examples=["Alice Martin"])
    email: Any = Field(default=None, examples=["alice@example.com"])
    date_of_birth: Any = Field(default=None, examples=["1985-04-12"])
    country: Any = Field(default=None, examples=["GB"], description="ISO 3166-1 alpha-2")
    risk_tolerance: Any = Field(
        default=None, examples=["moderate"], description="conservative, moderate or aggressive"
    )
    investment_horizon_years: Any = Field(default=None, examples=[10], description="1 to 50")
    password: Any = Field(default=None, description="12 to 128 characters; stored hashed")


class ClientOut(BaseModel):
    id: str
    full_name: str
    email: str
    date_of_birth: date
    country: str | None
    risk_tolerance: str
    investment_horizon_years: int | None
    status: str
    created_at: str


class ClientList(BaseModel):
    items: list[ClientOut]


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: Any = None
    password: Any = None


class SessionOut(BaseModel):
    access_token: str
    token_type: str
    expires_in: int
    client_id: str


@router.post(
    "/v1/clients",
    status_code=201,
    response_model=ClientOut,
    dependencies=[Depends(require_operator)],
    summary="Register a client (operator)",
    responses=errors(
        400, 401, 409, 422, e409="email_already_registered: a client with that email exists"
    ),
)
def register_client(body: ClientRegistrationIn, onboarding: OnboardingDep) -> dict[str, Any]:
    return onboarding.register(body.model_dump())


@router.get(
    "/v1/clients",
    response_model=ClientList,
    dependencies=[Depends(require_operator)],
    summary="Clients with an email, ignoring case (operator)",
    responses=errors(401, 422),
)
def find_clients(onboarding: OnboardingDep, email: str) -> dict[str, Any]:
    return {"items": onboarding.find_by_email(email)}


@router.get(
    "/v1/clients/{client_id}",
    response_model=ClientOut,
    summary="A client: any for operators, only itself for a client",
    responses=errors(401, 404, 422, e404="not_found: no such client, or another client"),
)
def get_client(
    client_id: str, onboarding: OnboardingDep, caller: Caller = Security(require_caller)
) -> dict[str, Any]:
    caller.require_access_to(client_id)
    return onboarding.get(client_id)


@router.post(
    "/v1/sessions",
    status_code=201,
    response_model=SessionOut,
    tags=["sessions"],
    summary="A client signs in with email and password",
    responses=errors(
        400, 401, 422, e401="invalid_credentials: unknown email or wrong password (one answer)"
    ),
)
def sign_in(body: SignIn, client_auth: ClientAuthDep) -> dict[str, Any]:
    return client_auth.sign_in(body.email, body.password)


@router.get(
    "/v1/me",
    response_model=ClientOut,
    tags=["sessions"],
    summary="The signed-in client's own record",
    responses=errors(401, e401="unauthenticated or invalid_token: sign in as the client"),
)
def me(onboarding: OnboardingDep, caller: Caller = Security(require_client)) -> dict[str, Any]:
    return onboarding.get(caller.client_id)
