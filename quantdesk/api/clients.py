"""Clients: registered by operators."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from quantdesk.api.security import require_operator

router = APIRouter(prefix="/v1/clients", tags=["clients"], dependencies=[Depends(require_operator)])


class ClientRegistrationIn(BaseModel):
    """Validated by the platform's rules, which report every problem at once."""

    model_config = ConfigDict(extra="allow")
    full_name: Any = Field(default=None, examples=["Alice Martin"])
    email: Any = Field(default=None, examples=["alice@example.com"])
    date_of_birth: Any = Field(default=None, examples=["1985-04-12"])
    risk_tolerance: Any = Field(
        default=None, examples=["moderate"], description="conservative, moderate or aggressive"
    )


class ClientOut(BaseModel):
    id: str
    full_name: str
    email: str
    date_of_birth: date
    risk_tolerance: str
    status: str
    created_at: str


@router.post("", status_code=201, response_model=ClientOut, summary="Register a client")
def register_client(body: ClientRegistrationIn, request: Request) -> dict[str, Any]:
    return request.app.state.platform.onboarding.register(body.model_dump())


@router.get("/{client_id}", response_model=ClientOut, summary="A registered client")
def get_client(client_id: str, request: Request) -> dict[str, Any]:
    return request.app.state.platform.onboarding.get(client_id)


class ClientList(BaseModel):
    items: list[ClientOut]


@router.get("", response_model=ClientList, summary="Clients with an email, ignoring case")
def find_clients(request: Request, email: str) -> dict[str, Any]:
    return {"items": request.app.state.platform.onboarding.find_by_email(email)}
