"""The book kept from fills: exact cash, average cost, P&L and reconciliation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quantdesk.domain.portfolio import Book, Difference, Fill, pnl_over_days, reconcile
from quantdesk.domain.rebalancing import BUY, SELL

D = Decimal


def test_cash_after_a_buy_is_cash_before_minus_quantity_times_price_minus_commission():
    book = Book(D("10000.00")).apply(Fill("A", BUY, 7, D("123.45"), D("1.00")))
    assert book.cash == D("10000.00") - 7 * D("123.45") - D("1.00") == D("9134.85")


def test_average_cost_is_the_average_price_paid_and_a_sell_keeps_it():
    book = Book(D("10000")).apply(Fill("A", BUY, 10, D("100"))).apply(Fill("A", BUY, 30, D("120")))
    assert book.positions["A"].average_cost == D("115")
    book = book.apply(Fill("A", SELL, 20, D("130"), D("2")))
    assert book.positions["A"].quantity == 20
    assert book.positions["A"].average_cost == D("115")
    assert book.realised_pnl == D("300")
    assert book.commissions == D("2")


def test_unrealised_pnl_market_value_and_equity_at_a_price():
    book = Book(D("0")).apply(Fill("A", BUY, 3, D("10.00")))
    prices = {"A": D("12.34")}
    assert book.market_value(prices) == D("37.02")
    assert book.unrealised_pnl(prices) == D("7.02")
    assert book.equity(prices) == D("7.02")


def test_selling_everything_closes_the_position():
    book = Book(D("0")).apply(Fill("A", BUY, 1, D("5"))).apply(Fill("A", SELL, 1, D("6")))
    assert book.positions == {} and book.cash == D("1")


def test_selling_more_than_is_held_is_refused():
    with pytest.raises(ValueError, match="1 held"):
        Book(D("0")).apply(Fill("A", BUY, 1, D("5"))).apply(Fill("A", SELL, 2, D("6")))


def test_reconciliation_lists_every_difference():
    book = Book(D("100.00")).apply(Fill("A", BUY, 2, D("10")))
    differences = reconcile(book, {"A": 1, "B": 3}, D("80.01"))
    assert differences == [
        Difference("position", "A", "2", "1"),
        Difference("position", "B", "0", "3"),
        Difference("cash", None, "80.00", "80.01"),
    ]
    assert reconcile(book, {"A": 2}, D("80")) == []


fills = st.lists(
    st.tuples(
        st.sampled_from(["A", "B"]),
        st.integers(1, 50),
        st.decimals(min_value=D("0.01"), max_value=D("500"), places=2),
        st.decimals(min_value=D("0"), max_value=D("5"), places=2),
    ),
    max_size=30,
)


@given(fills)
def test_cash_is_exact_to_the_cent_over_any_sequence_of_fills(trades):
    book, cash = Book(D("1000000.00")), D("1000000.00")
    for symbol, quantity, price, commission in trades:
        held = book.positions[symbol].quantity if symbol in book.positions else 0
        side = SELL if held >= quantity else BUY
        book = book.apply(Fill(symbol, side, quantity, price, commission))
        cash += (quantity * price if side == SELL else -quantity * price) - commission
    assert book.cash == cash


def test_the_gain_over_days_is_net_of_deposits():
    days = pnl_over_days(
        [
            ("2018-01-02", D("10000.00"), D("10000.00")),
            ("2018-01-03", D("11180.00"), D("10000.00")),
            ("2018-01-04", D("12064.00"), D("11000.00")),  # 1,000.00 deposited that day
        ]
    )
    assert [(d.day_pnl, d.total_pnl) for d in days] == [
        (D("0.00"), D("0.00")),
        (D("1180.00"), D("1180.00")),
        (D("-116.00"), D("1064.00")),
    ]
