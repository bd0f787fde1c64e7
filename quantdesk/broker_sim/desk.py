"""The trading desk's engine: orders fill at the close of the account's session.

- A market order fills at the session's close moved against the trader by the
  account's slippage (basis points), in whole cents: a buy rounds up, a sell down.
- A limit order fills only at its limit or better; otherwise it stays open and is
  tried again at each later session's close.
- A fill ratio below 1 fills only that share of what is left (whole shares, rounded
  down): the order is ``partially_filled`` and the rest is tried at later closes.
- A buy the cash cannot pay for (with its commission) and a sell of more than is held
  are rejected (no margin, no short selling). So are orders the test controls ask to
  reject, with the reason given.
- Commission: ``per_share`` x shares with a ``minimum``, plus ``per_order`` on an
  order's first fill, rounded up to the cent.
- Cash, the position and the order change in the transaction that records the fill.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from quantdesk.broker_sim import universe
from quantdesk.broker_sim.store import (
    Deposit,
    DeskAccount,
    DeskClose,
    PaperAccount,
    SimFill,
    SimOrder,
    SimPosition,
)

OPEN = ("new", "accepted", "partially_filled")
# The close of a symbol at a session for one account, in cents (None: no price).
CloseOf = Callable[[str, date], int | None]


@dataclass
class Terms:
    """How an account's orders are filled and charged (test controls may change them)."""

    slippage_bps: int = 0
    commission_per_share: Decimal = Decimal(0)
    commission_minimum: Decimal = Decimal(0)
    commission_per_order: Decimal = Decimal(0)
    fill_ratio: Decimal = Decimal(1)

    def commission_cents(self, quantity: int, *, first_fill: bool) -> int:
        dollars = max(self.commission_per_share * quantity, self.commission_minimum)
        if first_fill:
            dollars += self.commission_per_order
        return int((dollars * 100).to_integral_value(ROUND_CEILING))

    def fill_price_cents(self, close_cents: int, side: str) -> int:
        moved = Decimal(close_cents) * (
            1 + Decimal(self.slippage_bps if side == "buy" else -self.slippage_bps) / 10_000
        )
        return int(moved.to_integral_value(ROUND_CEILING if side == "buy" else ROUND_FLOOR))


@dataclass
class Rejections:
    next_orders: int = 0
    symbols: dict[str, str] = field(default_factory=dict)
    reason: str = "rejected by the brokerage"


@dataclass
class Faults:
    fail_next: int = 0
    status: int = 503
    delay_ms: int = 0
    # Orders placed whose answer is then lost: the caller sees the error status.
    lose_next: int = 0
    # Every trading call of the account fails with ``status`` (the desk is down for it).
    outage: bool = False
    # The desk goes down for the account once this many more orders are placed.
    outage_after_orders: int = 0


class DeskState:
    """Per-account terms, rejections and faults, in memory (reset on restart)."""

    def __init__(self, default_terms: Terms) -> None:
        self._lock = threading.Lock()
        self.default_terms = default_terms
        self.terms: dict[str, Terms] = {}
        self.rejections: dict[str, Rejections] = {}
        self.faults: dict[str, Faults] = {}
        self.closes: dict[tuple[str, str, date], int] = {}

    def set_closes(self, account_id: str, on: date, closes: dict[str, int]) -> None:
        with self._lock:
            for symbol, cents in closes.items():
                self.closes[(account_id, symbol, on)] = cents

    def close_of(self, account_id: str) -> CloseOf:
        """The account's closes: a price a test control set for a session, else the market's."""

        def close(symbol: str, on: date) -> int | None:
            with self._lock:
                fixed = self.closes.get((account_id, symbol, on))
            return fixed if fixed is not None else universe.close_cents(symbol, on)

        return close

    def terms_of(self, account_id: str) -> Terms:
        with self._lock:
            return self.terms.get(account_id, self.default_terms)

    def rejection_for(self, account_id: str, symbol: str) -> str | None:
        """The reason to reject this order, using up one of the next-orders rejections."""
        with self._lock:
            rejections = self.rejections.get(account_id)
            if rejections is None:
                return None
            if symbol in rejections.symbols:
                return rejections.symbols[symbol]
            if rejections.next_orders > 0:
                rejections.next_orders -= 1
                return rejections.reason
            return None

    def fault_for(self, account_id: str) -> tuple[int | None, int]:
        """(status to fail with or None, delay in ms) for the next order call."""
        with self._lock:
            faults = self.faults.get(account_id)
            if faults is None:
                return None, 0
            if faults.fail_next > 0:
                faults.fail_next -= 1
                return faults.status, faults.delay_ms
            return None, faults.delay_ms

    def outage_for(self, account_id: str) -> int | None:
        """The status every trading call of the account answers while it is down."""
        with self._lock:
            faults = self.faults.get(account_id)
            return faults.status if faults is not None and faults.outage else None

    def order_placed(self, account_id: str) -> None:
        """Count an order placed towards an outage that starts after some orders."""
        with self._lock:
            faults = self.faults.get(account_id)
            if faults is not None and faults.outage_after_orders > 0:
                faults.outage_after_orders -= 1
                faults.outage = faults.outage or faults.outage_after_orders == 0

    def loses_answer(self, account_id: str) -> int | None:
        """The status to answer an order placed with, its answer lost; None to answer it."""
        with self._lock:
            faults = self.faults.get(account_id)
            if faults is None or faults.lose_next <= 0:
                return None
            faults.lose_next -= 1
            return faults.status


def get_desk(request: Request) -> DeskState:
    return request.app.state.desk


DeskDep = Annotated[DeskState, Depends(get_desk)]


def desk_account(session: Session, account_id: str) -> DeskAccount:
    """The account's desk row, created at the first session a new account trades."""
    row = session.get(DeskAccount, account_id)
    if row is None:
        row = DeskAccount(account_id=account_id, session=universe.START_SESSION)
        session.add(row)
        session.flush()
    return row


def _position(session: Session, account_id: str, symbol: str) -> SimPosition | None:
    return session.get(SimPosition, (account_id, symbol))


def reject(order: SimOrder, reason: str, now: datetime) -> None:
    order.status = "rejected"
    order.reject_reason = reason
    order.updated_at = now


def try_fill(
    session: Session, order: SimOrder, terms: Terms, close_of: CloseOf, on: date, now: datetime
) -> None:
    """Fill what the session's close allows of ``order`` (see the module's rules)."""
    close = close_of(order.symbol, on)
    if close is None:
        if order.filled_qty == 0:
            reject(order, f"{order.symbol} has no price on {on.isoformat()}", now)
        return
    price = terms.fill_price_cents(close, order.side)
    if order.limit_price_cents is not None and (
        price > order.limit_price_cents if order.side == "buy" else price < order.limit_price_cents
    ):
        order.status = "accepted" if order.filled_qty == 0 else order.status
        order.updated_at = now
        return
    remaining = order.qty - order.filled_qty
    quantity = (
        remaining
        if terms.fill_ratio >= 1
        else int((remaining * terms.fill_ratio).to_integral_value(ROUND_FLOOR))
    )
    if quantity <= 0:
        order.status = "accepted" if order.filled_qty == 0 else order.status
        order.updated_at = now
        return
    commission = terms.commission_cents(quantity, first_fill=order.filled_qty == 0)
    account = session.get(PaperAccount, order.account_id)
    assert account is not None
    held = _position(session, order.account_id, order.symbol)
    if order.side == "buy" and quantity * price + commission > account.cash_cents:
        if order.filled_qty == 0:
            reject(order, "insufficient buying power", now)
        return
    if order.side == "sell" and (held is None or held.qty < quantity):
        if order.filled_qty == 0:
            reject(order, "insufficient quantity held: short selling is not allowed", now)
        return
    _record_fill(session, order, held, quantity, price, commission, on, now)


def _record_fill(
    session: Session,
    order: SimOrder,
    held: SimPosition | None,
    quantity: int,
    price: int,
    commission: int,
    on: date,
    now: datetime,
) -> None:
    notional = quantity * price
    change = -notional - commission if order.side == "buy" else notional - commission
    session.execute(
        update(PaperAccount)
        .where(PaperAccount.id == order.account_id)
        .values(cash_cents=PaperAccount.cash_cents + change)
    )
    if order.side == "buy":
        if held is None:
            session.add(
                SimPosition(
                    account_id=order.account_id,
                    symbol=order.symbol,
                    qty=quantity,
                    cost_cents=notional,
                )
            )
        else:
            held.qty += quantity
            held.cost_cents += notional
    else:
        assert held is not None
        # The cost of what is left keeps its average: remove the sold shares' share of it.
        held.cost_cents -= (
            held.cost_cents * quantity // held.qty if held.qty != quantity else held.cost_cents
        )
        held.qty -= quantity
        if held.qty == 0:
            session.delete(held)
    session.add(
        SimFill(
            order_id=order.id,
            account_id=order.account_id,
            qty=quantity,
            price_cents=price,
            commission_cents=commission,
            session=on,
            created_at=now,
        )
    )
    order.filled_qty += quantity
    order.filled_cents += notional
    order.commission_cents += commission
    order.status = "filled" if order.filled_qty == order.qty else "partially_filled"
    order.filled_at = now if order.status == "filled" else order.filled_at
    order.updated_at = now


def open_orders(session: Session, account_id: str) -> list[SimOrder]:
    return list(
        session.scalars(
            select(SimOrder)
            .where(SimOrder.account_id == account_id, SimOrder.status.in_(OPEN))
            .order_by(SimOrder.submitted_at, SimOrder.id)
        )
    )


def advance(
    session: Session,
    account_id: str,
    sessions: int,
    terms: Terms,
    close_of: CloseOf,
    now: datetime,
) -> DeskAccount | None:
    """Move the account's session forward, trying its open orders at each new close.

    None when that would go past the last session the desk has prices for."""
    row = desk_account(session, account_id)
    target = universe.session_after(row.session, sessions)
    if target is None:
        return None
    day = row.session
    while day < target:
        _record_close(session, account_id, day, equity_cents(session, account_id, close_of, day))
        day = universe.session_after(day, 1)  # type: ignore[assignment]
        for order in open_orders(session, account_id):
            try_fill(session, order, terms, close_of, day, now)
    row.session = target
    return row


def equity_cents(session: Session, account_id: str, close_of: CloseOf, on: date) -> int:
    """Cash and the positions valued at the closes of ``on``."""
    account = session.get(PaperAccount, account_id)
    assert account is not None
    positions = session.scalars(select(SimPosition).where(SimPosition.account_id == account_id))
    return account.cash_cents + sum(p.qty * (close_of(p.symbol, on) or 0) for p in positions)


def _record_close(session: Session, account_id: str, on: date, equity: int) -> None:
    if session.get(DeskClose, (account_id, on)) is None:
        deposits = deposits_cents(session, account_id)
        session.add(
            DeskClose(
                account_id=account_id, session=on, equity_cents=equity, deposits_cents=deposits
            )
        )


def deposits_cents(session: Session, account_id: str) -> int:
    """Everything deposited into the account so far."""
    total = session.scalar(
        select(func.coalesce(func.sum(Deposit.amount_cents), 0)).where(
            Deposit.account_id == account_id
        )
    )
    return int(total or 0)


def closes_of(session: Session, account_id: str) -> list[DeskClose]:
    """The equity at the close of each session the account has left, oldest first."""
    return list(
        session.scalars(
            select(DeskClose).where(DeskClose.account_id == account_id).order_by(DeskClose.session)
        )
    )


def last_equity_cents(session: Session, account_id: str, on: date, equity_now: int) -> int:
    """The equity at the previous session's close; an account that has not traded through
    a close yet measures from what it has now."""
    last = session.scalar(
        select(DeskClose.equity_cents)
        .where(DeskClose.account_id == account_id, DeskClose.session < on)
        .order_by(DeskClose.session.desc())
        .limit(1)
    )
    return last if last is not None else equity_now
