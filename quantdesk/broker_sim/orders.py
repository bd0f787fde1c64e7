"""The trading desk's HTTP API, shaped after Alpaca's: orders, positions, the account's
trading figures and the prices of its session. Reached with the linked access token
(scope ``trading`` to place and cancel orders, ``account:read`` to look).
"""

from __future__ import annotations

import time
import uuid
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, field_validator
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from quantdesk.broker_sim import desk, universe
from quantdesk.broker_sim.accounts import CallerDep, iso
from quantdesk.broker_sim.errors import SimError, validation_failed
from quantdesk.broker_sim.money import format_cents
from quantdesk.broker_sim.runtime import SessionDep, StateDep
from quantdesk.broker_sim.store import SimOrder, SimPosition


def _desk_up(caller: CallerDep, request: Request) -> None:
    """An account the test controls took the desk down for gets their error status."""
    status = request.app.state.desk.outage_for(caller.account.id)
    if status is not None:
        raise SimError(status, "desk_outage", "The trading desk is down (an injected outage).")


router = APIRouter(prefix="/v1", tags=["trading"], dependencies=[Depends(_desk_up)])

MAX_QTY = 1_000_000
STATUS_FILTERS = {"open": desk.OPEN, "closed": ("filled", "canceled", "rejected"), "all": None}


def _price(cents: int) -> str:
    return format_cents(cents)


def _average(cents: int, quantity: int) -> str | None:
    if quantity == 0:
        return None
    return str((Decimal(cents) / quantity / 100).quantize(Decimal("0.0001")))


def order_view(order: SimOrder) -> dict[str, Any]:
    return {
        "id": order.id,
        "client_order_id": order.client_order_id,
        "symbol": order.symbol,
        "side": order.side,
        "type": order.type,
        "time_in_force": "day",
        "qty": str(order.qty),
        "limit_price": None if order.limit_price_cents is None else _price(order.limit_price_cents),
        "status": order.status,
        "filled_qty": str(order.filled_qty),
        "filled_avg_price": _average(order.filled_cents, order.filled_qty),
        "commission": _price(order.commission_cents),
        "reject_reason": order.reject_reason,
        "session": order.session.isoformat(),
        "submitted_at": iso(order.submitted_at),
        "updated_at": iso(order.updated_at),
        "filled_at": order.filled_at and iso(order.filled_at),
        "canceled_at": order.canceled_at and iso(order.canceled_at),
    }


class NewOrder(BaseModel):
    model_config = ConfigDict(extra="forbid")
    symbol: StrictStr
    qty: StrictInt | StrictStr
    side: Literal["buy", "sell"]
    type: Literal["market", "limit"] = "market"
    time_in_force: Literal["day"] = "day"
    limit_price: StrictStr | None = None
    client_order_id: StrictStr | None = Field(None, min_length=1, max_length=128)

    @field_validator("symbol")
    @classmethod
    def _symbol(cls, value: str) -> str:
        symbol = value.strip().upper()
        if not universe.tradable(symbol):
            raise ValueError("is not a symbol the desk trades")
        return symbol

    @field_validator("qty")
    @classmethod
    def _qty(cls, value: int | str) -> int:
        text = str(value).strip()
        if not text.isdigit() or not 1 <= int(text) <= MAX_QTY:
            raise ValueError(f"must be whole shares from 1 to {MAX_QTY}")
        return int(text)


def _limit_cents(body: NewOrder) -> int | None:
    if body.type == "market":
        if body.limit_price is not None:
            raise validation_failed([{"field": "limit_price", "message": "only for limit orders"}])
        return None
    try:
        price = Decimal(body.limit_price or "")
    except InvalidOperation:
        price = Decimal(-1)
    if not price.is_finite() or price <= 0 or price != price.quantize(Decimal("0.01")):
        raise validation_failed(
            [{"field": "limit_price", "message": "must be a price above 0 in whole cents"}]
        )
    return int(price * 100)


def _faults(request: Request, account_id: str) -> None:
    status, delay_ms = request.app.state.desk.fault_for(account_id)
    if delay_ms:
        time.sleep(delay_ms / 1000)  # injected by a test control
    if status is not None:
        raise SimError(status, "desk_fault", "The trading desk failed (an injected fault).")


@router.post("/orders", status_code=201)
def place_order(
    body: NewOrder, caller: CallerDep, session: SessionDep, state: StateDep, request: Request
) -> dict[str, Any]:
    caller.require("trading")
    account_id = caller.account.id
    _faults(request, account_id)
    limit = _limit_cents(body)
    client_order_id = body.client_order_id or str(uuid.uuid4())
    duplicate = session.scalar(
        select(SimOrder.id).where(
            SimOrder.account_id == account_id, SimOrder.client_order_id == client_order_id
        )
    )
    if duplicate:
        raise SimError(
            409,
            "duplicate_client_order_id",
            "An order with this client_order_id already exists in the account.",
            {"client_order_id": client_order_id, "order_id": duplicate},
        )
    now = state.now()
    row = desk.desk_account(session, account_id)
    order = SimOrder(
        id=str(uuid.uuid4()),
        account_id=account_id,
        client_order_id=client_order_id,
        symbol=body.symbol,
        side=body.side,
        type=body.type,
        qty=body.qty,
        limit_price_cents=limit,
        status="new",
        filled_qty=0,
        filled_cents=0,
        commission_cents=0,
        session=row.session,
        submitted_at=now,
        updated_at=now,
    )
    session.add(order)
    reason = request.app.state.desk.rejection_for(account_id, body.symbol)
    if reason is not None:
        desk.reject(order, reason, now)
    else:
        state_of_desk = request.app.state.desk
        desk.try_fill(
            session,
            order,
            state_of_desk.terms_of(account_id),
            state_of_desk.close_of(account_id),
            row.session,
            now,
        )
    view = order_view(order)
    try:
        session.commit()
    except IntegrityError:  # the same client_order_id placed at the same moment
        session.rollback()
        raise SimError(
            409,
            "duplicate_client_order_id",
            "An order with this client_order_id already exists in the account.",
            {"client_order_id": client_order_id},
        ) from None
    lost = request.app.state.desk.loses_answer(account_id)
    if lost is not None:  # the order stands; only its answer is lost (an injected fault)
        raise SimError(lost, "desk_fault", "The trading desk failed (an injected fault).")
    request.app.state.desk.order_placed(account_id)
    return view


@router.get("/orders")
def list_orders(
    caller: CallerDep,
    session: SessionDep,
    status: Literal["open", "closed", "all"] = "all",
    limit: Annotated[int, Query(ge=1, le=500)] = 500,
) -> list[dict[str, Any]]:
    caller.require("account:read")
    query = select(SimOrder).where(SimOrder.account_id == caller.account.id)
    if STATUS_FILTERS[status] is not None:
        query = query.where(SimOrder.status.in_(STATUS_FILTERS[status]))
    rows = session.scalars(query.order_by(SimOrder.submitted_at, SimOrder.id).limit(limit))
    return [order_view(order) for order in rows]


@router.get("/orders:by_client_order_id")
def order_by_client_order_id(
    caller: CallerDep, session: SessionDep, client_order_id: Annotated[str, Query(max_length=128)]
) -> dict[str, Any]:
    caller.require("account:read")
    order = session.scalar(
        select(SimOrder).where(
            SimOrder.account_id == caller.account.id, SimOrder.client_order_id == client_order_id
        )
    )
    if order is None:
        raise SimError(404, "order_not_found", "No order with that client_order_id.")
    return order_view(order)


def _own_order(session: SessionDep, caller: CallerDep, order_id: str) -> SimOrder:
    order = session.get(SimOrder, order_id)
    if order is None or order.account_id != caller.account.id:
        raise SimError(404, "order_not_found", "No such order in this account.")
    return order


@router.get("/orders/{order_id}")
def get_order(order_id: str, caller: CallerDep, session: SessionDep) -> dict[str, Any]:
    caller.require("account:read")
    return order_view(_own_order(session, caller, order_id))


@router.delete("/orders/{order_id}", status_code=204)
def cancel_order(
    order_id: str, caller: CallerDep, session: SessionDep, state: StateDep
) -> Response:
    caller.require("trading")
    order = _own_order(session, caller, order_id)
    if order.status not in desk.OPEN:
        raise SimError(
            409, "order_not_cancelable", f"The order is {order.status}.", {"status": order.status}
        )
    now = state.now()
    order.status = "canceled"
    order.canceled_at = order.updated_at = now
    session.commit()
    return Response(status_code=204)


def position_view(position: SimPosition, close: int | None) -> dict[str, Any]:
    market = None if close is None else position.qty * close
    return {
        "symbol": position.symbol,
        "qty": str(position.qty),
        "side": "long",
        "avg_entry_price": _average(position.cost_cents, position.qty),
        "cost_basis": _price(position.cost_cents),
        "current_price": None if close is None else _price(close),
        "market_value": None if market is None else _price(market),
        "unrealized_pl": None if market is None else _price(market - position.cost_cents),
    }


def _positions(session: SessionDep, account_id: str) -> list[SimPosition]:
    query = select(SimPosition).where(SimPosition.account_id == account_id)
    return list(session.scalars(query.order_by(SimPosition.symbol)))


@router.get("/positions")
def list_positions(
    caller: CallerDep, session: SessionDep, request: Request
) -> list[dict[str, Any]]:
    caller.require("account:read")
    on = desk.desk_account(session, caller.account.id).session
    close = request.app.state.desk.close_of(caller.account.id)
    return [position_view(p, close(p.symbol, on)) for p in _positions(session, caller.account.id)]


@router.get("/account/trading")
def trading_account(caller: CallerDep, session: SessionDep, request: Request) -> dict[str, Any]:
    """Cash, buying power (no margin: the cash), equity, the equity at the previous
    session's close (``last_equity``), the session it trades at and the commission
    schedule its orders are charged."""
    caller.require("account:read")
    account = caller.account
    terms = request.app.state.desk.terms_of(account.id)
    on = desk.desk_account(session, account.id).session
    close = request.app.state.desk.close_of(account.id)
    market = sum(p.qty * (close(p.symbol, on) or 0) for p in _positions(session, account.id))
    last_equity = desk.last_equity_cents(session, account.id, on, account.cash_cents + market)
    session.commit()
    return {
        "id": account.id,
        "session": on.isoformat(),
        "cash": _price(account.cash_cents),
        "buying_power": _price(account.cash_cents),
        "long_market_value": _price(market),
        "equity": _price(account.cash_cents + market),
        "last_equity": _price(last_equity),
        "currency": account.currency,
        "commission": {
            "per_share": str(terms.commission_per_share),
            "minimum": str(terms.commission_minimum),
            "per_order": str(terms.commission_per_order),
        },
    }


@router.get("/account/portfolio/history")
def portfolio_history(caller: CallerDep, session: SessionDep, request: Request) -> dict[str, Any]:
    """The account's equity at the close of each session it has traded through, and at
    its current session's close (after Alpaca's portfolio history, one point a day), with
    everything deposited by then."""
    caller.require("account:read")
    account = caller.account
    on = desk.desk_account(session, account.id).session
    now = desk.equity_cents(session, account.id, request.app.state.desk.close_of(account.id), on)
    points = [
        (c.session, c.equity_cents, c.deposits_cents) for c in desk.closes_of(session, account.id)
    ]
    points.append((on, now, desk.deposits_cents(session, account.id)))
    session.commit()
    return {
        "timeframe": "1D",
        "sessions": [day.isoformat() for day, _, _ in points],
        "equity": [_price(equity) for _, equity, _ in points],
        "deposits": [_price(deposits) for _, _, deposits in points],
    }


@router.get("/account/prices")
def session_prices(
    caller: CallerDep,
    session: SessionDep,
    request: Request,
    symbols: Annotated[str, Query(max_length=20_000)],
) -> dict[str, Any]:
    """The closes of the account's session for ``symbols`` (comma-separated)."""
    caller.require("account:read")
    on = desk.desk_account(session, caller.account.id).session
    session.commit()
    wanted = [s.strip().upper() for s in symbols.split(",") if s.strip()]
    close = request.app.state.desk.close_of(caller.account.id)
    closes = {s: close(s, on) for s in wanted}
    missing = sorted(s for s, c in closes.items() if c is None)
    if missing:
        raise SimError(
            422, "no_price", "The desk has no price for some symbols.", {"symbols": missing}
        )
    return {"session": on.isoformat(), "prices": {s: _price(c or 0) for s, c in closes.items()}}
