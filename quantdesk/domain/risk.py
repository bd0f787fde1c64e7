"""Pre-trade risk checks (pure): the platform's own limits, applied before an order
leaves for the brokerage.

A denied order is the platform's decision and never reaches the brokerage; a rejected
order is the brokerage's. Each denial names the limit it broke. Every limit is
inclusive: an order exactly at a limit passes.

Checks, in the order they are applied:

1. ``short_sale``: a sell of more shares than are held;
2. ``halted``: any buy while the account's trading is halted;
3. ``outside_universe``: a buy of a symbol outside the client's tradable universe;
4. ``max_order_notional``: an order worth more than the largest order allowed;
5. ``buying_power``: a buy whose cost and commission exceed the cash available;
6. ``max_position_weight``: a buy after which the position would weigh more than the
   client's maximum position weight of the portfolio's value.

A sell that does not sell short only reduces risk and always passes, halted or not.

A daily loss limit halts an account whose loss since the previous session's close is
more than the limit: a loss exactly at the limit does not halt it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from quantdesk.domain.rebalancing import BUY, SELL, ProposedOrder

LIMITS = (
    "short_sale",
    "halted",
    "outside_universe",
    "max_order_notional",
    "buying_power",
    "max_position_weight",
)


@dataclass(frozen=True)
class RiskLimits:
    max_position_weight: Decimal
    max_order_notional: Decimal
    universe: frozenset[str]


@dataclass(frozen=True)
class Denial:
    limit: str
    message: str


@dataclass(frozen=True)
class Exposure:
    """What the checks need to know of the portfolio when an order is checked."""

    held: int
    cash: Decimal
    value: Decimal


def check_order(
    order: ProposedOrder, exposure: Exposure, limits: RiskLimits, *, halted: bool = False
) -> Denial | None:
    """The first limit ``order`` breaks, or None when it may be sent."""
    if order.side not in (BUY, SELL) or order.quantity <= 0:
        raise ValueError("an order buys or sells at least one share")
    if order.side == SELL:
        if order.quantity > exposure.held:
            return Denial("short_sale", f"selling {order.quantity} would sell short")
        return None  # a sell only reduces risk
    if halted:
        return Denial("halted", "trading is halted: only orders that reduce risk are sent")
    if order.symbol not in limits.universe:
        return Denial("outside_universe", f"{order.symbol} is not in the client's universe")
    if order.notional > limits.max_order_notional:
        return Denial(
            "max_order_notional",
            f"the order is worth {order.notional}, above the limit of {limits.max_order_notional}",
        )
    cost = order.notional + order.commission
    if cost > exposure.cash:
        return Denial("buying_power", f"the order costs {cost}, more than the cash {exposure.cash}")
    weight = (
        (exposure.held + order.quantity) * order.price / exposure.value if exposure.value > 0 else 1
    )
    if weight > limits.max_position_weight:
        return Denial(
            "max_position_weight",
            f"{order.symbol} would weigh {weight:.4%} of the portfolio, above "
            f"{limits.max_position_weight:.2%}",
        )
    return None


def daily_loss(last_equity: Decimal, equity: Decimal) -> Decimal:
    """What the account lost since the previous session's close (negative: a gain)."""
    return last_equity - equity


def breaches_daily_loss(loss: Decimal, limit: Decimal | None) -> bool:
    """True when ``loss`` is more than ``limit``; no limit never halts."""
    return limit is not None and loss > limit
