"""Test controls of the trading desk, one paper account at a time (so scenarios running
in parallel never disturb one another). Mounted only with controls enabled.

- ``POST /v1/controls/accounts/{id}/session``: move the account's session forward by
  whole sessions (prices move; open orders are tried at each new close; never back);
- ``PUT .../terms``: slippage, commission and the share of an order that fills;
- ``PUT .../rejections``: reject the next N orders, or every order of some symbols,
  with a reason;
- ``PUT .../faults``: fail the next N order calls with a status, or delay every one;
- ``PUT .../prices``: the closes of some symbols at the account's current session, for
  scenarios that state their prices (other accounts keep the market's).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from quantdesk.broker_sim import desk
from quantdesk.broker_sim.errors import SimError, validation_failed
from quantdesk.broker_sim.runtime import SessionDep, StateDep
from quantdesk.broker_sim.store import PaperAccount

router = APIRouter(prefix="/v1/controls/accounts/{account_id}", tags=["controls"])
AccountId = Annotated[str, Path(max_length=16)]


def _account(session: SessionDep, account_id: str) -> PaperAccount:
    account = session.get(PaperAccount, account_id)
    if account is None:
        raise SimError(404, "account_not_found", "No paper account with that id.")
    return account


class SessionMove(BaseModel):
    model_config = ConfigDict(extra="forbid")
    advance_sessions: int = Field(ge=1, le=1000)


@router.post("/session")
def advance_session(
    account_id: AccountId, body: SessionMove, session: SessionDep, state: StateDep, request: Request
) -> dict[str, Any]:
    _account(session, account_id)
    terms = request.app.state.desk.terms_of(account_id)
    close_of = request.app.state.desk.close_of(account_id)
    row = desk.advance(session, account_id, body.advance_sessions, terms, close_of, state.now())
    if row is None:
        session.rollback()
        raise SimError(
            409,
            "no_more_sessions",
            "The desk has no prices that far ahead.",
            {"account": account_id},
        )
    session.commit()
    return {"account_id": account_id, "session": row.session.isoformat()}


class TermsChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    slippage_bps: int = Field(0, ge=0, le=1000)
    commission_per_share: Decimal = Field(Decimal(0), ge=0, le=10, decimal_places=4)
    commission_minimum: Decimal = Field(Decimal(0), ge=0, le=100, decimal_places=2)
    commission_per_order: Decimal = Field(Decimal(0), ge=0, le=100, decimal_places=2)
    fill_ratio: Decimal = Field(Decimal(1), ge=0, le=1, decimal_places=4)


@router.put("/terms")
def set_terms(
    account_id: AccountId, body: TermsChange, session: SessionDep, request: Request
) -> dict[str, Any]:
    _account(session, account_id)
    request.app.state.desk.terms[account_id] = desk.Terms(**body.model_dump())
    return {"account_id": account_id, **body.model_dump(mode="json")}


class RejectionsChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    next_orders: int = Field(0, ge=0, le=1000)
    symbols: list[str] = Field(default_factory=list, max_length=500)
    reason: str = Field("rejected by the brokerage", min_length=1, max_length=200)


@router.put("/rejections")
def set_rejections(
    account_id: AccountId, body: RejectionsChange, session: SessionDep, request: Request
) -> dict[str, Any]:
    _account(session, account_id)
    request.app.state.desk.rejections[account_id] = desk.Rejections(
        body.next_orders, {s.strip().upper(): body.reason for s in body.symbols}, body.reason
    )
    return {"account_id": account_id, **body.model_dump()}


class FaultsChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fail_next: int = Field(0, ge=0, le=1000)
    status: int = Field(503, ge=500, le=599)
    delay_ms: int = Field(0, ge=0, le=30_000)


@router.put("/faults")
def set_faults(
    account_id: AccountId, body: FaultsChange, session: SessionDep, request: Request
) -> dict[str, Any]:
    _account(session, account_id)
    request.app.state.desk.faults[account_id] = desk.Faults(**body.model_dump())
    return {"account_id": account_id, **body.model_dump()}


class PricesChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    closes: dict[str, Decimal] = Field(min_length=1, max_length=500)


@router.put("/prices")
def set_prices(
    account_id: AccountId, body: PricesChange, session: SessionDep, request: Request
) -> dict[str, Any]:
    _account(session, account_id)
    on = desk.desk_account(session, account_id).session
    session.commit()
    problems = [
        {"field": f"closes.{symbol}", "message": "must be a price above 0 in whole cents"}
        for symbol, price in body.closes.items()
        if price <= 0 or price != price.quantize(Decimal("0.01"))
    ]
    if problems:
        raise validation_failed(problems)
    request.app.state.desk.set_closes(
        account_id, on, {s.strip().upper(): int(p * 100) for s, p in body.closes.items()}
    )
    return {"account_id": account_id, "session": on.isoformat(), "closes": body.closes}
