"""Rebalance proposals: whole shares, sells first, and never cash that is not there."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from quantdesk.domain.rebalancing import (
    BUY,
    SELL,
    Commission,
    RebalanceRules,
    cents_up,
    portfolio_value,
    propose,
)
from quantdesk.domain.recommendations import equal_weight

D = Decimal
RULES = RebalanceRules(cash_buffer=D("0.05"))


def orders_of(proposal):
    return [(o.side, o.symbol, o.quantity) for o in proposal.orders]


def test_cash_only_is_spread_over_the_targets_leaving_the_buffer():
    proposal = propose(
        {}, D("10000"), {"A": D("100"), "B": D("50")}, {"A": D("0.5"), "B": D("0.45")}, RULES
    )
    assert orders_of(proposal) == [(BUY, "A", 50), (BUY, "B", 90)]
    assert proposal.cash_after == D("500")
    assert proposal.positions_after == {"A": 50, "B": 90}


def test_a_symbol_no_longer_targeted_is_sold_before_anything_is_bought():
    proposal = propose({"OLD": 10}, D("0"), {"OLD": D("100"), "A": D("10")}, {"A": D("0.9")}, RULES)
    assert orders_of(proposal) == [(SELL, "OLD", 10), (BUY, "A", 90)]
    assert proposal.cash_after == D("100")


def test_a_position_inside_its_drift_band_is_left_alone():
    prices = {"A": D("10"), "B": D("10")}
    rules = RebalanceRules(cash_buffer=D("0"), drift_band=D("0.05"))
    # A weighs 0.55 against a target of 0.50: exactly at the band, no order.
    proposal = propose({"A": 55, "B": 45}, D("0"), prices, {"A": D("0.5"), "B": D("0.5")}, rules)
    assert proposal.orders == ()


def test_a_position_one_share_outside_its_drift_band_is_traded():
    prices = {"A": D("10"), "B": D("10")}
    rules = RebalanceRules(cash_buffer=D("0"), drift_band=D("0.05"))
    proposal = propose({"A": 56, "B": 44}, D("0"), prices, {"A": D("0.5"), "B": D("0.5")}, rules)
    assert orders_of(proposal) == [(SELL, "A", 6), (BUY, "B", 6)]


@pytest.mark.parametrize(("cash", "bought"), [(D("99.99"), 0), (D("100"), 1), (D("100.01"), 1)])
def test_the_minimum_notional_is_inclusive(cash, bought):
    rules = RebalanceRules(cash_buffer=D("0"), min_notional=D("100"))
    proposal = propose({}, cash, {"A": D("100")}, {"A": D("1")}, rules)
    assert sum(o.quantity for o in proposal.orders) == bought


def test_a_buy_is_cut_to_what_cash_pays_for_with_its_commission():
    rules = RebalanceRules(cash_buffer=D("0"), commission=Commission(minimum=D("1")))
    proposal = propose({}, D("1000"), {"A": D("100")}, {"A": D("1")}, rules)
    # Ten shares cost 1,000.00 and the commission 1.00 more than there is.
    assert orders_of(proposal) == [(BUY, "A", 9)]
    assert proposal.cash_after == D("99")


def test_the_most_under_weight_symbol_is_bought_first_when_cash_is_short():
    rules = RebalanceRules(cash_buffer=D("0"))
    prices = {"A": D("60"), "B": D("60")}
    proposal = propose({"B": 1}, D("100"), prices, {"A": D("0.6"), "B": D("0.4")}, rules)
    assert orders_of(proposal) == [(BUY, "A", 1)]


def test_commission_is_per_share_with_a_minimum_plus_per_order_rounded_up_to_the_cent():
    commission = Commission(per_share=D("0.005"), minimum=D("1"), per_order=D("0.001"))
    assert commission.of(100) == D("1.01")
    assert commission.of(201) == D("1.01")
    assert commission.of(1000) == D("5.01")


def test_a_held_symbol_without_a_price_is_refused():
    with pytest.raises(ValueError, match="HELD"):
        portfolio_value({"HELD": 1}, D("0"), {})


def test_a_target_without_a_price_is_refused():
    with pytest.raises(ValueError, match="A"):
        propose({}, D("100"), {}, {"A": D("1")}, RULES)


def test_an_empty_portfolio_proposes_nothing():
    assert propose({}, D("0"), {"A": D("1")}, {"A": D("1")}, RULES).orders == ()


symbols = st.sampled_from([f"S{i}" for i in range(12)])
prices = st.dictionaries(symbols, st.decimals(min_value=D("0.5"), max_value=D("900"), places=2))


@st.composite
def portfolios(draw):
    price = draw(prices.filter(bool))
    held = draw(st.dictionaries(st.sampled_from(sorted(price)), st.integers(0, 400)))
    cash = draw(st.decimals(min_value=D("0"), max_value=D("200000"), places=2))
    chosen = draw(st.lists(st.sampled_from(sorted(price)), min_size=1, unique=True))
    cap = draw(st.decimals(min_value=D("0.05"), max_value=D("1"), places=2))
    buffer = draw(st.decimals(min_value=D("0"), max_value=D("0.5"), places=2))
    rules = RebalanceRules(
        cash_buffer=buffer,
        min_notional=draw(st.decimals(min_value=D("0"), max_value=D("500"), places=2)),
        drift_band=draw(st.decimals(min_value=D("0"), max_value=D("0.1"), places=3)),
        commission=Commission(
            per_share=draw(st.decimals(min_value=D("0"), max_value=D("0.01"), places=3)),
            minimum=draw(st.decimals(min_value=D("0"), max_value=D("2"), places=2)),
        ),
    )
    targets = equal_weight(chosen, max_position_weight=cap, cash_buffer=buffer)
    return held, cash, price, targets, rules


@given(portfolios())
def test_rounding_never_spends_cash_that_is_not_there(case):
    held, cash, price, targets, rules = case
    proposal = propose(held, cash, price, targets, rules)
    buys = [o for o in proposal.orders if o.side == BUY]
    if buys:
        assert proposal.cash_after >= cents_up(rules.cash_buffer * proposal.value)
    assert proposal.cash_after == cash + sum(o.cash_change for o in proposal.orders)


@given(portfolios())
def test_orders_are_whole_shares_sells_first_never_short_and_never_below_the_minimum(case):
    held, cash, price, targets, rules = case
    proposal = propose(held, cash, price, targets, rules)
    sides = [o.side for o in proposal.orders]
    assert sides == sorted(sides, key=lambda side: side != SELL)
    for order in proposal.orders:
        assert isinstance(order.quantity, int) and order.quantity > 0
        assert order.notional >= rules.min_notional
        if order.side == SELL:
            assert order.quantity <= held.get(order.symbol, 0)
    assert all(q > 0 for q in proposal.positions_after.values())


@given(portfolios())
def test_a_buy_never_lifts_a_position_above_its_target(case):
    held, cash, price, targets, rules = case
    assume(portfolio_value(held, cash, price) > 0)
    proposal = propose(held, cash, price, targets, rules)
    weights = {s: q * price[s] / proposal.value for s, q in proposal.positions_after.items()}
    for order in proposal.orders:
        if order.side == BUY:
            assert weights[order.symbol] <= targets[order.symbol]


@given(portfolios())
def test_a_target_inside_its_drift_band_gets_no_order(case):
    held, cash, price, targets, rules = case
    value = portfolio_value(held, cash, price)
    assume(value > 0)
    proposal = propose(held, cash, price, targets, rules)
    traded = {o.symbol for o in proposal.orders}
    for symbol, weight in targets.items():
        if abs(held.get(symbol, 0) * price[symbol] / value - weight) <= rules.drift_band:
            assert symbol not in traded
