"""Funding the client's linked paper account: deposits, and the deposits made."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Response
from pydantic import BaseModel, ConfigDict, Field

from quantdesk.api.deps import FundingDep
from quantdesk.api.errors import errors
from quantdesk.api.security import AccessibleClient

router = APIRouter(tags=["brokerage"])


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
    funding: FundingDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    made, created = funding.deposit(client_id, body.amount, idempotency_key)
    response.status_code = 201 if created else 200
    return made


@router.get(
    "/v1/clients/{client_id}/deposits",
    response_model=DepositList,
    summary="Deposits the platform made for the client",
    responses=errors(401, 404, 422),
)
def list_deposits(client_id: AccessibleClient, funding: FundingDep) -> dict[str, Any]:
    return {"items": funding.deposits_of(client_id)}
