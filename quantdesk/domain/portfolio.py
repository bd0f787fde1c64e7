"""A portfolio kept from the brokerage's fills, exact to the cent (pure).

- A buy fill spends ``quantity x price + commission``; a sell fill brings in
  ``quantity x price - commission``. Cash is exact to the cent.
- The average cost of a position is the average price paid for the shares held
  (commissions are not part of it, as at the brokerage); a sell leaves it unchanged.
- Realised P&L is ``(sell price - average cost) x quantity`` of every sell; unrealised
  P&L is ``(price - average cost) x quantity`` of what is held. Commissions are kept
  apart, so total P&L = realised + unrealised - commissions.
- A reconciliation lists every difference between the platform's book and the
  brokerage's (positions by symbol and quantity, and cash).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_EVEN, Decimal

from quantdesk.domain.rebalancing import BUY, SELL

CENT = Decimal("0.01")
COST_STEP = Decimal("0.000001")


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class Fill:
    symbol: str
    side: str
    quantity: int
    price: Decimal
    commission: Decimal = Decimal(0)


@dataclass(frozen=True)
class Position:
    quantity: int
    average_cost: Decimal


@dataclass(frozen=True)
class Book:
    cash: Decimal
    positions: dict[str, Position] = field(default_factory=dict)
    realised_pnl: Decimal = Decimal(0)
    commissions: Decimal = Decimal(0)

    def apply(self, fill: Fill) -> Book:
        """The book after ``fill``; a sell of more than is held is refused."""
        if fill.quantity <= 0 or fill.price <= 0 or fill.commission < 0:
            raise ValueError("a fill has a positive quantity and price")
        held = self.positions.get(fill.symbol, Position(0, Decimal(0)))
        positions = dict(self.positions)
        notional = fill.quantity * fill.price
        if fill.side == BUY:
            quantity = held.quantity + fill.quantity
            cost = (held.quantity * held.average_cost + notional) / quantity
            positions[fill.symbol] = Position(quantity, cost.quantize(COST_STEP, ROUND_HALF_EVEN))
            cash = self.cash - notional - fill.commission
            realised = self.realised_pnl
        elif fill.side == SELL:
            if fill.quantity > held.quantity:
                raise ValueError(f"cannot sell {fill.quantity} {fill.symbol}: {held.quantity} held")
            quantity = held.quantity - fill.quantity
            if quantity:
                positions[fill.symbol] = replace(held, quantity=quantity)
            else:
                positions.pop(fill.symbol, None)
            cash = self.cash + notional - fill.commission
            realised = self.realised_pnl + (fill.price - held.average_cost) * fill.quantity
        else:
            raise ValueError(f"a fill buys or sells, not {fill.side!r}")
        return Book(cents(cash), positions, realised, self.commissions + fill.commission)

    def market_value(self, prices: Mapping[str, Decimal]) -> Decimal:
        return cents(sum((p.quantity * prices[s] for s, p in self.positions.items()), Decimal(0)))

    def equity(self, prices: Mapping[str, Decimal]) -> Decimal:
        return self.cash + self.market_value(prices)

    def unrealised_pnl(self, prices: Mapping[str, Decimal]) -> Decimal:
        return cents(
            sum(
                ((prices[s] - p.average_cost) * p.quantity for s, p in self.positions.items()),
                Decimal(0),
            )
        )


@dataclass(frozen=True)
class Difference:
    what: str
    symbol: str | None
    platform: str
    brokerage: str


def reconcile(
    book: Book, brokerage_positions: Mapping[str, int], brokerage_cash: Decimal
) -> list[Difference]:
    """Every way the platform's book differs from the brokerage's account."""
    differences = []
    symbols = sorted(set(book.positions) | {s for s, q in brokerage_positions.items() if q})
    for symbol in symbols:
        ours = book.positions[symbol].quantity if symbol in book.positions else 0
        theirs = brokerage_positions.get(symbol, 0)
        if ours != theirs:
            differences.append(Difference("position", symbol, str(ours), str(theirs)))
    if cents(book.cash) != cents(brokerage_cash):
        differences.append(
            Difference("cash", None, str(cents(book.cash)), str(cents(brokerage_cash)))
        )
    return differences


@dataclass(frozen=True)
class DayPnl:
    """One session of a portfolio's history: its value at the close, the day's gain and
    the gain since the start, both net of the money deposited."""

    session: str
    equity: Decimal
    deposits: Decimal
    day_pnl: Decimal
    total_pnl: Decimal


def pnl_over_days(points: list[tuple[str, Decimal, Decimal]]) -> list[DayPnl]:
    """``(session, equity, deposits to date)`` per session, oldest first -> each day's
    gain (the change of equity less what was deposited that day) and the total gain."""
    days: list[DayPnl] = []
    for session, equity, deposits in points:
        total = equity - deposits
        day = total - days[-1].total_pnl if days else total
        days.append(DayPnl(session, equity, deposits, day, total))
    return days
