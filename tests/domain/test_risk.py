"""Pre-trade risk checks: each limit inclusive, each denial names its limit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from quantdesk.domain.rebalancing import BUY, SELL, ProposedOrder
from quantdesk.domain.risk import (
    LIMITS,
    Exposure,
    RiskLimits,
    breaches_daily_loss,
    check_order,
    daily_loss,
)

D = Decimal
LIMITS_ = RiskLimits(
    max_position_weight=D("0.25"), max_order_notional=D("5000"), universe=frozenset({"A", "B"})
)
ROOMY = Exposure(held=0, cash=D("100000"), value=D("100000"))


def buy(quantity: int, price: str = "100", symbol: str = "A", commission: str = "0"):
    return ProposedOrder(symbol, BUY, quantity, D(price), D(commission))


def denial(order, exposure=ROOMY):
    found = check_order(order, exposure, LIMITS_)
    return found and found.limit


@pytest.mark.parametrize(
    ("quantity", "limit"), [(49, None), (50, None), (51, "max_order_notional")]
)
def test_the_order_notional_is_limited_at_the_limit_inclusive(quantity, limit):
    assert denial(buy(quantity)) == limit


@pytest.mark.parametrize(
    ("cash", "limit"), [("2000.99", "buying_power"), ("2001.00", None), ("2001.01", None)]
)
def test_buying_power_counts_the_commission(cash, limit):
    exposure = Exposure(held=0, cash=D(cash), value=D("100000"))
    assert denial(buy(20, commission="1.00"), exposure) == limit


@pytest.mark.parametrize(("held", "limit"), [(0, None), (1, "max_position_weight")])
def test_a_position_may_reach_its_maximum_weight_but_not_pass_it(held, limit):
    exposure = Exposure(held=held, cash=D("10000"), value=D("10000"))
    assert denial(buy(25), exposure) == limit


def test_a_symbol_outside_the_universe_is_denied():
    assert denial(buy(1, symbol="Z")) == "outside_universe"


def test_a_sell_that_does_not_sell_short_always_passes():
    sell = ProposedOrder("A", SELL, 1, D("100"), D("0"))
    assert denial(sell, Exposure(held=1, cash=D(0), value=D(100))) is None


def test_selling_more_than_is_held_is_denied():
    sell = ProposedOrder("A", SELL, 2, D("100"), D("0"))
    assert denial(sell, Exposure(held=1, cash=D(0), value=D(100))) == "short_sale"


def test_a_denial_says_which_limit_and_why():
    found = check_order(buy(51), ROOMY, LIMITS_)
    assert found is not None and found.limit in LIMITS
    assert "5100" in found.message and "5000" in found.message


def test_a_halted_account_sends_sells_but_no_buy():
    halted = Exposure(held=10, cash=D("100000"), value=D("100000"))
    sell = ProposedOrder("A", SELL, 10, D("100"), D("0"))
    assert check_order(sell, halted, LIMITS_, halted=True) is None
    found = check_order(buy(1), halted, LIMITS_, halted=True)
    assert found is not None and found.limit == "halted"
    assert check_order(buy(1), halted, LIMITS_, halted=False) is None


@pytest.mark.parametrize(
    ("equity", "breached"),
    [("98800.01", False), ("98800.00", False), ("98799.99", True), ("100500.00", False)],
)
def test_a_daily_loss_halts_only_beyond_the_limit(equity, breached):
    loss = daily_loss(D("100000.00"), D(equity))
    assert breaches_daily_loss(loss, D("1200.00")) is breached
    assert breaches_daily_loss(loss, None) is False
