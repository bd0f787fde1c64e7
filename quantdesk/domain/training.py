"""Model training rules (pure): what a training request may ask for, the walk-forward
folds a model is evaluated on, the backtest of its signal and the promotion policy.

Algorithms
----------
``logistic_regression`` and ``hist_gradient_boosting`` are scikit-learn classifiers of
the feature set's label (next session up); ``linear_q`` is a reinforcement-learning agent
(``quantdesk.domain.q_learning``) that learns whether to hold a symbol (long) or not
(flat) from the same features. Each has named hyper-parameters with bounds; anything
else is refused.

Walk-forward evaluation
-----------------------
The distinct sessions of the training range, oldest first, are cut as scikit-learn's
``TimeSeriesSplit(n_splits=folds, gap=gap)`` cuts samples: ``folds`` test windows of
``sessions // (folds + 1)`` sessions each, the last one ending at the last session; fold
k trains on every session before its test window except the ``gap`` sessions just before
it. No fold ever trains on a session at or after its test window. Every fold must test
and train on at least :data:`MIN_FOLD_SESSIONS` sessions.

Backtest
--------
The out-of-sample signal (the test windows, in time order) holds each symbol long (1)
or flat (0) for the next session; a session's return is the average over the symbols of
position x next-session return, against buy-and-hold (always long). Metrics follow
empyrical's definitions (daily returns, 252 sessions a year, risk-free rate 0): total
return, annual return, annualised Sharpe ratio (sample standard deviation) and maximum
drawdown (a negative fraction).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from quantdesk.domain.clients import FieldProblem

SESSIONS_PER_YEAR = 252
MIN_FOLD_SESSIONS = 20
FOLDS = (2, 10)  # inclusive bounds
GAP_SESSIONS = (0, 20)
SEED = (0, 2**32 - 1)
MODEL_NAME_PATTERN = r"[a-z0-9][a-z0-9._-]{0,63}"
MODEL_NAME_RULE = (
    "a model name is 1 to 64 characters: lower-case letters, digits, '.', '_' or '-', "
    "starting with a letter or a digit"
)
ALIAS_PATTERN = r"[a-z][a-z0-9_-]{0,31}"
ALIAS_RULE = (
    "an alias is 1 to 32 characters: lower-case letters, digits, '_' or '-', starting with a letter"
)
PROMOTION_METRIC = "sharpe"
# Algorithms that learn the label, and so need sessions of both kinds (up and not up).
CLASSIFIERS = frozenset({"logistic_regression", "hist_gradient_boosting"})
LONG, FLAT = "long", "flat"

_MODEL_NAME = re.compile(MODEL_NAME_PATTERN)
_ALIAS = re.compile(ALIAS_PATTERN)


@dataclass(frozen=True)
class Bound:
    """A hyper-parameter: its type, its inclusive or exclusive bounds and its default."""

    kind: type
    low: float
    high: float
    default: float
    low_open: bool = False  # the low bound itself is refused

    def problem(self, name: str, value: Any) -> FieldProblem | None:
        field = f"hyperparameters.{name}"
        if isinstance(value, bool) or not isinstance(value, int | float):
            return FieldProblem(field, "invalid_type", f"{name} must be a number.")
        if self.kind is int and not float(value).is_integer():
            return FieldProblem(field, "invalid_type", f"{name} must be a whole number.")
        if not math.isfinite(value):
            return FieldProblem(field, "out_of_range", f"{name} must be a finite number.")
        below = value <= self.low if self.low_open else value < self.low
        if below or value > self.high:
            opening = "(" if self.low_open else "["
            return FieldProblem(
                field,
                "out_of_range",
                f"{name} must be in {opening}{_num(self.low)}, {_num(self.high)}].",
            )
        return None


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


ALGORITHMS: Mapping[str, Mapping[str, Bound]] = {
    "logistic_regression": {
        "c": Bound(float, 0.0, 1000.0, 1.0, low_open=True),
        "max_iter": Bound(int, 10, 10_000, 200),
    },
    "hist_gradient_boosting": {
        "learning_rate": Bound(float, 0.0, 1.0, 0.1, low_open=True),
        "max_iter": Bound(int, 1, 2_000, 100),
        "max_depth": Bound(int, 1, 32, 3),
        "l2_regularization": Bound(float, 0.0, 100.0, 0.0),
    },
    "linear_q": {
        "episodes": Bound(int, 1, 500, 20),
        "learning_rate": Bound(float, 0.0, 1.0, 0.05, low_open=True),
    },
}


def valid_model_name(name: Any) -> bool:
    return isinstance(name, str) and _MODEL_NAME.fullmatch(name) is not None


def valid_alias(alias: Any) -> bool:
    return isinstance(alias, str) and _ALIAS.fullmatch(alias) is not None


def hyperparameter_problems(
    algorithm: str, given: Mapping[str, Any] | None
) -> tuple[dict[str, float | int], list[FieldProblem]]:
    """The algorithm's hyper-parameters (defaults filled in) and every problem found."""
    bounds = ALGORITHMS[algorithm]
    given = dict(given or {})
    problems = [
        FieldProblem(
            f"hyperparameters.{name}",
            "unknown_field",
            f"{algorithm} has no hyper-parameter {name!r} (it has: {', '.join(bounds)}).",
        )
        for name in sorted(set(given) - set(bounds))
    ]
    values: dict[str, float | int] = {}
    for name, bound in bounds.items():
        value = given.get(name, bound.default)
        problem = bound.problem(name, value)
        if problem is not None:
            problems.append(problem)
        else:
            values[name] = bound.kind(value)
    return values, problems


def _whole_in(field: str, value: Any, low: int, high: int) -> FieldProblem | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return FieldProblem(field, "invalid_type", f"{field} must be a whole number.")
    if not low <= value <= high:
        return FieldProblem(field, "out_of_range", f"{field} must be from {low} to {high}.")
    return None


def request_problems(
    *,
    model: Any,
    algorithm: Any,
    folds: Any,
    gap_sessions: Any,
    seed: Any,
    start: date | None,
    end: date | None,
) -> list[FieldProblem]:
    """Problems of a training request that need no data (hyper-parameters aside)."""
    problems: list[FieldProblem] = []
    if not valid_model_name(model):
        problems.append(FieldProblem("model", "invalid_name", MODEL_NAME_RULE + "."))
    if algorithm not in ALGORITHMS:
        problems.append(
            FieldProblem(
                "algorithm",
                "unknown_algorithm",
                f"algorithm must be one of: {', '.join(ALGORITHMS)}.",
            )
        )
    for field, value, (low, high) in (
        ("folds", folds, FOLDS),
        ("gap_sessions", gap_sessions, GAP_SESSIONS),
        ("seed", seed, SEED),
    ):
        problem = _whole_in(field, value, low, high)
        if problem is not None:
            problems.append(problem)
    if start is None:
        problems.append(FieldProblem("start", "required", "start is required."))
    if end is None:
        problems.append(FieldProblem("end", "required", "end is required."))
    if start is not None and end is not None and end < start:
        problems.append(FieldProblem("end", "before_start", "end is before start."))
    return problems


# -- walk-forward folds ----------------------------------------------------------------


@dataclass(frozen=True)
class Fold:
    """Session positions (0 = oldest): train on ``[0, train_end)``, test on
    ``[test_start, test_end)``."""

    number: int
    train_end: int
    test_start: int
    test_end: int


def walk_forward(sessions: int, folds: int, gap: int) -> list[Fold]:
    """The folds over ``sessions`` distinct sessions (TimeSeriesSplit's cut)."""
    test_size = sessions // (folds + 1)
    out = []
    for k in range(folds):
        test_start = sessions - (folds - k) * test_size
        out.append(Fold(k + 1, test_start - gap, test_start, test_start + test_size))
    return out


def folds_fit(sessions: int, folds: int, gap: int) -> bool:
    """Every fold tests and trains on at least :data:`MIN_FOLD_SESSIONS` sessions."""
    cut = walk_forward(sessions, folds, gap)
    return all(
        f.test_end - f.test_start >= MIN_FOLD_SESSIONS and f.train_end >= MIN_FOLD_SESSIONS
        for f in cut
    )


def sessions_needed(folds: int, gap: int) -> int:
    """The fewest distinct sessions :func:`folds_fit` accepts."""
    n = MIN_FOLD_SESSIONS * (folds + 1)
    while not folds_fit(n, folds, gap):
        n += 1
    return n


# -- backtest --------------------------------------------------------------------------


def backtest_metrics(returns: Sequence[float]) -> dict[str, float]:
    """Total and annual return, annualised Sharpe and maximum drawdown of daily returns
    (empyrical's definitions; NaN where a metric is undefined)."""
    n = len(returns)
    if n == 0:
        nan = float("nan")
        return {"total_return": nan, "annual_return": nan, "sharpe": nan, "max_drawdown": nan}
    growth = 1.0
    peak = 1.0  # the money put in is the first peak: a first-day loss is a drawdown
    drawdown = 0.0
    for r in returns:
        growth *= 1.0 + r
        peak = max(peak, growth)
        drawdown = min(drawdown, growth / peak - 1.0)
    total = growth - 1.0
    # Growth stays above 0: long or flat in a price above 0 never loses more than it holds.
    annual = growth ** (SESSIONS_PER_YEAR / n) - 1.0
    mean = sum(returns) / n
    if n > 1:
        variance = sum((r - mean) ** 2 for r in returns) / (n - 1)
        deviation = math.sqrt(variance)
    else:
        deviation = float("nan")
    sharpe = (
        mean / deviation * math.sqrt(SESSIONS_PER_YEAR)
        if deviation and math.isfinite(deviation)
        else float("nan")
    )
    return {
        "total_return": total,
        "annual_return": annual,
        "sharpe": sharpe,
        "max_drawdown": drawdown,
    }


# -- promotion -------------------------------------------------------------------------


@dataclass(frozen=True)
class PromotionCheck:
    allowed: bool
    candidate: float
    current: float | None
    shortfall: float


def promotion_check(
    candidate: Mapping[str, Any], current: Mapping[str, Any] | None
) -> PromotionCheck:
    """A version may take an alias unless it does worse than the version there now on
    :data:`PROMOTION_METRIC` (equal is not worse; a metric that is not a number is worst)."""
    mine = _metric(candidate)
    if current is None:
        return PromotionCheck(True, mine, None, 0.0)
    theirs = _metric(current)
    if mine >= theirs:
        return PromotionCheck(True, mine, theirs, 0.0)
    return PromotionCheck(False, mine, theirs, theirs - mine)


def _metric(metrics: Mapping[str, Any]) -> float:
    value = metrics.get(PROMOTION_METRIC)
    number = float(value) if value is not None else float("nan")
    return number if math.isfinite(number) else -math.inf
