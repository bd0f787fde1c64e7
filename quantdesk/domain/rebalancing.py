"""Rebalance proposals: the orders that move a portfolio to its target weights (pure).

Given the positions and cash at the brokerage, the latest prices and the target
weights, a proposal lists whole-share orders, sells before buys, and the portfolio
expected after them at those prices:

- a symbol the targets no longer hold is sold; a target symbol already within the
  drift band of its weight is left alone;
- no order is below the minimum notional;
- buys spend at most the cash there is after the sells, minus the cash buffer and the
  estimated commissions; the most under-weight symbols are bought first, and a buy is
  cut to the shares that cash pays for. Rounding never spends cash that is not there.

Money is exact: ``Decimal`` throughout, cash to the cent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

CENT = Decimal("0.01")
BUY = "buy"
SELL = "sell"


def cents_up(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_CEILING)


@dataclass(frozen=True)
class Commission:
    """What one order costs: ``per_share`` x shares with a ``minimum``, plus ``per_order``."""

    per_share: Decimal = Decimal(0)
    minimum: Decimal = Decimal(0)
    per_order: Decimal = Decimal(0)

    def of(self, quantity: int) -> Decimal:
        return cents_up(max(self.per_share * quantity, self.minimum) + self.per_order)


@dataclass(frozen=True)
class RebalanceRules:
    cash_buffer: Decimal
    min_notional: Decimal = Decimal(0)
    drift_band: Decimal = Decimal(0)
    commission: Commission = Commission()


@dataclass(frozen=True)
class ProposedOrder:
    symbol: str
    side: str
    quantity: int
    price: Decimal
    commission: Decimal

    @property
    def notional(self) -> Decimal:
        return self.quantity * self.price

    @property
    def cash_change(self) -> Decimal:
        """What the order does to cash: proceeds of a sell, cost of a buy, net of commission."""
        if self.side == SELL:
            return self.notional - self.commission
        return -(self.notional + self.commission)


@dataclass(frozen=True)
class Proposal:
    value: Decimal
    orders: tuple[ProposedOrder, ...]
    positions_after: dict[str, int]
    cash_after: Decimal


def portfolio_value(
    positions: Mapping[str, int], cash: Decimal, prices: Mapping[str, Decimal]
) -> Decimal:
    missing = sorted(s for s, q in positions.items() if q and s not in prices)
    if missing:
        raise ValueError(f"no price for held symbols: {', '.join(missing)}")
    return cash + sum((q * prices[s] for s, q in positions.items()), Decimal(0))


def _check(
    positions: Mapping[str, int], prices: Mapping[str, Decimal], targets: Mapping[str, Decimal]
) -> None:
    if any(q < 0 for q in positions.values()):
        raise ValueError("positions must not be short")
    unpriced = sorted(s for s in targets if s not in prices)
    if unpriced:
        raise ValueError(f"no price for target symbols: {', '.join(unpriced)}")
    if any(p <= 0 for p in prices.values()):
        raise ValueError("prices must be above 0")


def _sells(
    positions: Mapping[str, int],
    prices: Mapping[str, Decimal],
    targets: Mapping[str, Decimal],
    value: Decimal,
    rules: RebalanceRules,
) -> list[ProposedOrder]:
    orders = []
    for symbol in sorted(positions):
        held = positions[symbol]
        if held <= 0:
            continue
        price = prices[symbol]
        weight = targets.get(symbol, Decimal(0))
        if symbol in targets and abs(held * price / value - weight) <= rules.drift_band:
            continue
        quantity = held - int((weight * value / price).to_integral_value(ROUND_FLOOR))
        if quantity > 0 and quantity * price >= rules.min_notional:
            orders.append(
                ProposedOrder(symbol, SELL, quantity, price, rules.commission.of(quantity))
            )
    return orders


def _affordable(budget: Decimal, wanted: int, price: Decimal, commission: Commission) -> int:
    """The most shares, up to ``wanted``, whose cost and commission fit in ``budget``."""
    if budget <= 0:
        return 0
    quantity = min(wanted, int((budget / price).to_integral_value(ROUND_FLOOR)))
    while quantity > 0 and quantity * price + commission.of(quantity) > budget:
        quantity -= 1
    return quantity


def _buys(
    positions: Mapping[str, int],
    prices: Mapping[str, Decimal],
    targets: Mapping[str, Decimal],
    value: Decimal,
    budget: Decimal,
    rules: RebalanceRules,
) -> list[ProposedOrder]:
    wanted: list[tuple[Decimal, str, int]] = []
    for symbol, weight in targets.items():
        price = prices[symbol]
        held = positions.get(symbol, 0)
        shortfall = weight - held * price / value
        if shortfall <= rules.drift_band:
            continue
        quantity = int((weight * value / price).to_integral_value(ROUND_FLOOR)) - held
        if quantity > 0:
            wanted.append((shortfall, symbol, quantity))
    orders = []
    for _, symbol, quantity in sorted(wanted, key=lambda w: (-w[0], w[1])):
        price = prices[symbol]
        quantity = _affordable(budget, quantity, price, rules.commission)
        if quantity <= 0 or quantity * price < rules.min_notional:
            continue
        order = ProposedOrder(symbol, BUY, quantity, price, rules.commission.of(quantity))
        budget += order.cash_change
        orders.append(order)
    return orders


def propose(
    positions: Mapping[str, int],
    cash: Decimal,
    prices: Mapping[str, Decimal],
    targets: Mapping[str, Decimal],
    rules: RebalanceRules,
) -> Proposal:
    """The orders that move ``positions`` and ``cash`` towards ``targets`` at ``prices``."""
    _check(positions, prices, targets)
    value = portfolio_value(positions, cash, prices)
    if value <= 0:
        return Proposal(value, (), {s: q for s, q in positions.items() if q}, cash)
    sells = _sells(positions, prices, targets, value, rules)
    cash_after_sells = cash + sum((o.cash_change for o in sells), Decimal(0))
    budget = cash_after_sells - cents_up(rules.cash_buffer * value)
    buys = _buys(positions, prices, targets, value, budget, rules)
    orders = (*sells, *buys)
    after = dict(positions)
    for order in orders:
        change = order.quantity if order.side == BUY else -order.quantity
        after[order.symbol] = after.get(order.symbol, 0) + change
    cash_after = cash + sum((o.cash_change for o in orders), Decimal(0))
    return Proposal(value, orders, {s: q for s, q in after.items() if q}, cash_after)
