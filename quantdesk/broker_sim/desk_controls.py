"""Test controls of the trading desk, one paper account at a time, so scenarios running
in parallel never disturb one another. Mounted only with controls enabled; part of the
controls contract (``docs/contract.md``, "The brokerage's test controls").

- ``POST /v1/controls/accounts/{id}/session``: move the account's session forward by
  whole sessions (prices move; open orders are tried at each new close; never back);
- ``PUT .../terms``: slippage, commission and the share of an order that fills;
- ``PUT .../rejections``: reject the next N orders, or every order of some symbols,
  with a reason;
- ``PUT .../faults``: fail the next N order calls with a status, or delay every one;
- ``GET .../orders``: every order the account received, as the brokerage's books have
  them (to count what reached the brokerage);
- ``PUT .../prices``: the closes of some symbols at the account's current session, for
  scenarios that state their prices (other accounts keep the market's).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from quantdesk.broker_sim import desk
from quantdesk.broker_sim.controls import BODY_ERRORS, CONTROLS_PREFIX
from quantdesk.broker_sim.errors import SimError, SimErrorOut, validation_failed
from quantdesk.broker_sim.orders import order_view
from quantdesk.broker_sim.runtime import SessionDep, StateDep
from quantdesk.broker_sim.store import PaperAccount, SimOrder

router = APIRouter(prefix=f"{CONTROLS_PREFIX}/accounts/{{account_id}}", tags=["controls"])
AccountId = Annotated[
    str, Path(max_length=16, description="The paper account's id.", examples=["PA0123456789"])
]
ACCOUNT_ERRORS: dict[int | str, dict[str, Any]] = {
    **BODY_ERRORS,
    404: {"model": SimErrorOut, "description": "account_not_found: no such paper account"},
}


def _account(session: SessionDep, account_id: str) -> PaperAccount:
    account = session.get(PaperAccount, account_id)
    if account is None:
        raise SimError(404, "account_not_found", "No paper account with that id.")
    return account


class SessionMove(BaseModel):
    """Move the account's trading session forward."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"advance_sessions": 1}]}
    )
    advance_sessions: int = Field(
        ge=1, le=1000, description="Whole NYSE sessions to move forward, 1 to 1000; never back."
    )


class SessionOut(BaseModel):
    account_id: str
    session: str = Field(description="The session the account now trades at (ISO date).")


class TermsChange(BaseModel):
    """How the account's orders fill and what they cost."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"slippage_bps": 5, "commission_per_share": "0.005", "fill_ratio": "1"}]
        },
    )
    slippage_bps: int = Field(
        0, ge=0, le=1000, description="Basis points a fill moves against the trader, 0 to 1000."
    )
    commission_per_share: Decimal = Field(
        Decimal(0), ge=0, le=10, decimal_places=4, description="Commission per share filled."
    )
    commission_minimum: Decimal = Field(
        Decimal(0), ge=0, le=100, decimal_places=2, description="Least commission of a fill."
    )
    commission_per_order: Decimal = Field(
        Decimal(0), ge=0, le=100, decimal_places=2, description="Added on an order's first fill."
    )
    fill_ratio: Decimal = Field(
        Decimal(1),
        ge=0,
        le=1,
        decimal_places=4,
        description="Share of what is left of an order that fills at each close (whole "
        "shares, rounded down); 1 fills everything, 0 nothing.",
    )


class TermsOut(TermsChange):
    account_id: str


class RejectionsChange(BaseModel):
    """Orders the brokerage will reject, with the reason it gives."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"next_orders": 1, "reason": "halted by the exchange"}]},
    )
    next_orders: int = Field(0, ge=0, le=1000, description="Reject the next N orders.")
    symbols: list[str] = Field(
        default_factory=list, max_length=500, description="Reject every order of these symbols."
    )
    reason: str = Field(
        "rejected by the brokerage",
        min_length=1,
        max_length=200,
        description="The reject_reason the orders carry.",
    )


class RejectionsOut(RejectionsChange):
    account_id: str


class FaultsChange(BaseModel):
    """Faults of the order endpoints, for this account's calls."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"fail_next": 2, "status": 503}]}
    )
    fail_next: int = Field(
        0,
        ge=0,
        le=1000,
        description="Answer the next N order calls with an error, placing nothing.",
    )
    status: int = Field(503, ge=500, le=599, description="The status of those errors.")
    delay_ms: int = Field(
        0, ge=0, le=30_000, description="Milliseconds every order call waits first (time-outs)."
    )
    outage: bool = Field(
        False,
        description="Every trading call of this account (account, positions, prices, "
        "orders) answers `status` until the faults are set again without it.",
    )
    outage_after_orders: int = Field(
        0,
        ge=0,
        le=1000,
        description="The desk goes down for this account (as `outage`) once this many more "
        "orders are placed: an outage in the middle of a batch.",
    )
    lose_next: int = Field(
        0,
        ge=0,
        le=1000,
        description="Place the next N orders, then answer with the error status as if the "
        "answer were lost on the way.",
    )


class FaultsOut(FaultsChange):
    account_id: str


class PricesChange(BaseModel):
    """Closes of the account's current session, in place of the market's."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"closes": {"SYN001": "50.00"}}]}
    )
    closes: dict[str, Decimal] = Field(
        min_length=1, max_length=500, description="Symbol to close, a price in whole cents."
    )


class PricesOut(PricesChange):
    account_id: str
    session: str = Field(description="The session these closes are for (ISO date).")


@router.post(
    "/session",
    response_model=SessionOut,
    summary="Move a paper account's session forward",
    responses={
        **ACCOUNT_ERRORS,
        409: {"model": SimErrorOut, "description": "no_more_sessions: past the last price"},
    },
)
def advance_session(
    account_id: AccountId,
    body: SessionMove,
    session: SessionDep,
    state: StateDep,
    trading: desk.DeskDep,
) -> dict[str, Any]:
    _account(session, account_id)
    row = desk.advance(
        session,
        account_id,
        body.advance_sessions,
        trading.terms_of(account_id),
        trading.close_of(account_id),
        state.now(),
    )
    if row is None:
        session.rollback()
        raise SimError(
            409,
            "no_more_sessions",
            "The desk has no prices that far ahead.",
            {"account_id": account_id},
        )
    session.commit()
    return {"account_id": account_id, "session": row.session.isoformat()}


@router.put(
    "/terms",
    response_model=TermsOut,
    summary="Set a paper account's slippage, commission and fill ratio",
    responses=ACCOUNT_ERRORS,
)
def set_terms(
    account_id: AccountId, body: TermsChange, session: SessionDep, trading: desk.DeskDep
) -> dict[str, Any]:
    _account(session, account_id)
    trading.terms[account_id] = desk.Terms(**body.model_dump())
    return {"account_id": account_id, **body.model_dump()}


@router.put(
    "/rejections",
    response_model=RejectionsOut,
    summary="Reject a paper account's next orders, or its orders of some symbols",
    responses=ACCOUNT_ERRORS,
)
def set_rejections(
    account_id: AccountId, body: RejectionsChange, session: SessionDep, trading: desk.DeskDep
) -> dict[str, Any]:
    _account(session, account_id)
    trading.rejections[account_id] = desk.Rejections(
        body.next_orders, {s.strip().upper(): body.reason for s in body.symbols}, body.reason
    )
    return {"account_id": account_id, **body.model_dump()}


@router.put(
    "/faults",
    response_model=FaultsOut,
    summary="Fail or delay a paper account's order calls",
    responses=ACCOUNT_ERRORS,
)
def set_faults(
    account_id: AccountId, body: FaultsChange, session: SessionDep, trading: desk.DeskDep
) -> dict[str, Any]:
    _account(session, account_id)
    trading.faults[account_id] = desk.Faults(**body.model_dump())
    return {"account_id": account_id, **body.model_dump()}


@router.put(
    "/prices",
    response_model=PricesOut,
    summary="State the closes of a paper account's current session",
    responses=ACCOUNT_ERRORS,
)
def set_prices(
    account_id: AccountId, body: PricesChange, session: SessionDep, trading: desk.DeskDep
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
    trading.set_closes(
        account_id, on, {s.strip().upper(): int(p * 100) for s, p in body.closes.items()}
    )
    return {"account_id": account_id, "session": on.isoformat(), "closes": body.closes}


class OrderBook(BaseModel):
    account_id: str
    orders: list[dict[str, Any]] = Field(
        description="Every order the account received, oldest first, in the trading API's shape"
    )


@router.get(
    "/orders",
    response_model=OrderBook,
    summary="Every order a paper account received",
    responses={404: ACCOUNT_ERRORS[404], 422: ACCOUNT_ERRORS[422]},
)
def account_orders(account_id: AccountId, session: SessionDep) -> dict[str, Any]:
    _account(session, account_id)
    rows = session.scalars(
        select(SimOrder)
        .where(SimOrder.account_id == account_id)
        .order_by(SimOrder.submitted_at, SimOrder.id)
    )
    return {"account_id": account_id, "orders": [order_view(o) for o in rows]}
