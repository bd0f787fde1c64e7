"""Target weights: capped, never above 1 minus the buffer, ordered like the scores."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quantdesk.domain.recommendations import WEIGHT_STEP, capped_weights, equal_weight

D = Decimal
fractions = st.decimals(min_value=D("0.01"), max_value=D("1"), places=2)
buffers = st.decimals(min_value=D("0"), max_value=D("0.5"), places=2)
scores = st.dictionaries(
    st.from_regex(r"[A-Z]{1,4}", fullmatch=True),
    st.decimals(min_value=D("0"), max_value=D("1000"), places=3),
    min_size=1,
    max_size=60,
)


def test_equal_weight_shares_what_the_buffer_leaves():
    weights = equal_weight(["A", "B", "C", "D"], max_position_weight=D("0.5"), cash_buffer=D("0.2"))
    assert weights == dict.fromkeys("ABCD", D("0.2"))


def test_equal_weight_is_capped_and_the_rest_stays_cash():
    weights = equal_weight(["A", "B"], max_position_weight=D("0.25"), cash_buffer=D("0.05"))
    assert weights == {"A": D("0.25"), "B": D("0.25")}


def test_a_weight_exactly_at_the_cap_is_kept():
    weights = equal_weight(["A", "B"], max_position_weight=D("0.5"), cash_buffer=D("0"))
    assert weights == {"A": D("0.5"), "B": D("0.5")}


def test_thirds_are_rounded_down_so_the_sum_stays_within():
    weights = equal_weight(["A", "B", "C"], max_position_weight=D("1"), cash_buffer=D("0"))
    assert weights == dict.fromkeys("ABC", D("0.333333"))


def test_what_a_capped_symbol_cannot_take_goes_to_the_others():
    weights = capped_weights(
        {"A": D(8), "B": D(1), "C": D(1)}, max_position_weight=D("0.5"), cash_buffer=D("0")
    )
    assert weights == {"A": D("0.5"), "B": D("0.25"), "C": D("0.25")}


def test_a_zero_score_gets_no_weight():
    weights = capped_weights({"A": D(1), "B": D(0)}, max_position_weight=D(1), cash_buffer=D(0))
    assert weights == {"A": D("1.000000"), "B": D("0")}


@pytest.mark.parametrize(
    ("cap", "buffer"), [(D("0"), D("0")), (D("1.01"), D("0")), (D("0.5"), D("1")), (D(1), D(-1))]
)
def test_limits_outside_their_range_are_refused(cap, buffer):
    with pytest.raises(ValueError):
        equal_weight(["A"], max_position_weight=cap, cash_buffer=buffer)


def test_a_negative_score_is_refused():
    with pytest.raises(ValueError):
        capped_weights({"A": D(-1)}, max_position_weight=D(1), cash_buffer=D(0))


@given(scores, fractions, buffers)
def test_weights_are_capped_and_never_sum_above_what_the_buffer_leaves(raw, cap, buffer):
    weights = capped_weights(raw, max_position_weight=cap, cash_buffer=buffer)
    assert set(weights) == set(raw)
    assert all(D(0) <= w <= cap for w in weights.values())
    assert sum(weights.values()) <= 1 - buffer


@given(scores, fractions, buffers)
def test_a_higher_score_never_gets_a_lower_weight(raw, cap, buffer):
    weights = capped_weights(raw, max_position_weight=cap, cash_buffer=buffer)
    for a in raw:
        for b in raw:
            if raw[a] > raw[b]:
                assert weights[a] >= weights[b]


@given(scores, fractions, buffers)
def test_everything_the_caps_allow_is_invested_up_to_rounding(raw, cap, buffer):
    weights = capped_weights(raw, max_position_weight=cap, cash_buffer=buffer)
    positive = sum(1 for s in raw.values() if s > 0)
    reachable = min(1 - buffer, positive * cap)
    assert sum(weights.values()) >= reachable - len(raw) * WEIGHT_STEP
