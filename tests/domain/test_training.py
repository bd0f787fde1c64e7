"""Training rules: the walk-forward cut against scikit-learn's TimeSeriesSplit, the backtest
metrics against empyrical, the promotion policy, and the request's bounds."""

from __future__ import annotations

import math
from datetime import date

import empyrical
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.model_selection import TimeSeriesSplit

from quantdesk.domain.training import (
    ALGORITHMS,
    MIN_FOLD_SESSIONS,
    backtest_metrics,
    folds_fit,
    hyperparameter_problems,
    promotion_check,
    request_problems,
    sessions_needed,
    valid_alias,
    valid_model_name,
    walk_forward,
)


@settings(max_examples=200, deadline=None)
@given(
    sessions=st.integers(min_value=30, max_value=2000),
    folds=st.integers(min_value=2, max_value=10),
    gap=st.integers(min_value=0, max_value=20),
)
def test_the_folds_cut_sessions_as_time_series_split_does(sessions, folds, gap):
    if sessions // (folds + 1) == 0 or sessions - folds * (sessions // (folds + 1)) - gap <= 0:
        return  # scikit-learn refuses these; so does folds_fit
    expected = list(TimeSeriesSplit(n_splits=folds, gap=gap).split(np.arange(sessions)))
    for fold, (train, test) in zip(walk_forward(sessions, folds, gap), expected, strict=True):
        assert (fold.train_end, fold.test_start, fold.test_end) == (
            train[-1] + 1,
            test[0],
            test[-1] + 1,
        )
        assert fold.train_end + gap == fold.test_start  # never trains on the test window


@pytest.mark.parametrize(("folds", "gap", "needed"), [(2, 0, 60), (3, 1, 81), (5, 0, 120)])
def test_the_fewest_sessions_are_needed_exactly(folds, gap, needed):
    assert sessions_needed(folds, gap) == needed
    assert folds_fit(needed, folds, gap)
    assert not folds_fit(needed - 1, folds, gap)


def test_every_fold_trains_and_tests_on_at_least_the_minimum():
    for fold in walk_forward(sessions_needed(4, 3), 4, 3):
        assert fold.test_end - fold.test_start >= MIN_FOLD_SESSIONS
        assert fold.train_end >= MIN_FOLD_SESSIONS


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(min_value=-0.2, max_value=0.2), min_size=2, max_size=300))
def test_the_backtest_metrics_agree_with_empyrical(returns):
    values = np.asarray(returns)
    if values.std(ddof=1) < 1e-6:
        return  # no variation: the ratio is a division by (almost) zero either way
    mine = backtest_metrics(returns)
    assert mine["total_return"] == close(empyrical.cum_returns_final(values))
    assert mine["annual_return"] == close(empyrical.annual_return(values))
    assert mine["sharpe"] == close(empyrical.sharpe_ratio(values))
    assert mine["max_drawdown"] == close(empyrical.max_drawdown(values))


def close(value: float):
    return pytest.approx(value, rel=1e-9, abs=1e-9)


def test_a_backtest_without_returns_is_undefined():
    assert all(math.isnan(v) for v in backtest_metrics([]).values())


def test_a_version_doing_worse_is_refused_by_the_shortfall():
    check = promotion_check({"sharpe": "0.5"}, {"sharpe": "0.75"})
    assert not check.allowed
    assert check.shortfall == pytest.approx(0.25)


@pytest.mark.parametrize(
    ("mine", "theirs", "allowed"),
    [
        ("0.5", "0.5", True),
        ("0.500001", "0.5", True),
        ("0.499999", "0.5", False),
        (None, "0.1", False),
        ("0.1", None, True),
        (None, None, True),
    ],
)
def test_equal_is_not_worse_and_no_number_is_worst(mine, theirs, allowed):
    assert promotion_check({"sharpe": mine}, {"sharpe": theirs}).allowed is allowed


def test_the_first_version_of_an_alias_is_always_allowed():
    assert promotion_check({"sharpe": "-3"}, None).allowed


def test_hyperparameters_get_their_defaults_and_bounds():
    values, problems = hyperparameter_problems("hist_gradient_boosting", {"max_iter": 5})
    assert problems == []
    assert values == {"learning_rate": 0.1, "max_iter": 5, "max_depth": 3, "l2_regularization": 0}
    _, problems = hyperparameter_problems("logistic_regression", {"c": 0, "gamma": 1})
    assert {(p.field, p.code) for p in problems} == {
        ("hyperparameters.gamma", "unknown_field"),
        ("hyperparameters.c", "out_of_range"),
    }


@pytest.mark.parametrize("value", [True, "1", 1.5, float("nan"), float("inf")])
def test_a_whole_number_hyperparameter_refuses_other_values(value):
    _, problems = hyperparameter_problems("linear_q", {"episodes": value})
    assert [p.field for p in problems] == ["hyperparameters.episodes"]


def test_every_problem_of_a_request_is_listed():
    problems = request_problems(
        model="Bad Name",
        algorithm="magic",
        folds=1,
        gap_sessions=21,
        seed=-1,
        start=date(2018, 2, 1),
        end=date(2018, 1, 1),
    )
    assert [p.field for p in problems] == ["model", "algorithm", "folds", "gap_sessions",
                                           "seed", "end"]  # fmt: skip


def test_names_and_aliases_follow_their_rules():
    assert valid_model_name("direction-3f9c2a1b")
    assert not valid_model_name("Direction")
    assert not valid_model_name("a" * 65)
    assert valid_alias("production")
    assert not valid_alias("1st")
    assert set(ALGORITHMS) == {"logistic_regression", "hist_gradient_boosting", "linear_q"}
