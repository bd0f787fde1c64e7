"""Textbook definitions of the indicators and features the platform serves, written
independently of the platform (plain numpy and pandas, no TA-Lib): the suite's oracle.

Each function takes one symbol's closes in session order and returns one value per
session, NaN while the definition has too few closes. The definitions are the ones the
contract states (docs/contract.md, "Market data"):

- SMA(n): the mean of the last n closes.
- EMA(n): multiplier 2 / (n + 1), seeded with the SMA of the first n closes.
- RSI(n): Wilder's; first averages are the means of the first n gains and losses, then
  ``avg = (prev * (n - 1) + current) / n``; RSI = 100 - 100 / (1 + gain / loss)
  (100 with no loss, 50 with no move at all).
- MACD(12, 26, 9): EMA(12) - EMA(26); signal = EMA(9) of that line; histogram = line -
  signal.
- Bollinger(20, 2): SMA(20) plus and minus 2 population standard deviations.
- daily return: close[t] / close[t-1] - 1; volatility(20): the sample standard deviation
  of the last 20 daily returns times sqrt(252).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

TRADING_DAYS_PER_YEAR = 252


def sma(close: np.ndarray, n: int) -> np.ndarray:
    return pd.Series(close).rolling(n, min_periods=n).mean().to_numpy()


def ema(close: np.ndarray, n: int) -> np.ndarray:
    out = np.full(len(close), np.nan)
    finite = np.flatnonzero(~np.isnan(close))
    if finite.size == 0 or len(close) - finite[0] < n:
        return out
    first = finite[0] + n - 1
    out[first] = close[finite[0] : first + 1].mean()
    alpha = 2.0 / (n + 1)
    for t in range(first + 1, len(close)):
        out[t] = (close[t] - out[t - 1]) * alpha + out[t - 1]
    return out


def rsi(close: np.ndarray, n: int = 14) -> np.ndarray:
    out = np.full(len(close), np.nan)
    if len(close) <= n:
        return out
    change = np.diff(close)
    gains, losses = np.clip(change, 0, None), np.clip(-change, 0, None)
    gain, loss = gains[:n].mean(), losses[:n].mean()
    for t in range(n, len(close)):
        if t > n:
            gain = (gain * (n - 1) + gains[t - 1]) / n
            loss = (loss * (n - 1) + losses[t - 1]) / n
        if gain == 0 and loss == 0:
            out[t] = 50.0
        elif loss == 0:
            out[t] = 100.0
        else:
            out[t] = 100.0 - 100.0 / (1.0 + gain / loss)
    return out


def macd(close: np.ndarray) -> dict[str, np.ndarray]:
    line = ema(close, 12) - ema(close, 26)
    signal = ema(line, 9)
    return {"macd": line, "macd_signal": signal, "macd_hist": line - signal}


def bollinger(close: np.ndarray, n: int = 20, k: float = 2.0) -> dict[str, np.ndarray]:
    middle = sma(close, n)
    spread = pd.Series(close).rolling(n, min_periods=n).std(ddof=0).to_numpy()
    return {"bb_upper": middle + k * spread, "bb_middle": middle, "bb_lower": middle - k * spread}


def trailing_return(close: np.ndarray, k: int = 1) -> np.ndarray:
    out = np.full(len(close), np.nan)
    out[k:] = close[k:] / close[:-k] - 1.0
    return out


def volatility(close: np.ndarray, n: int = 20) -> np.ndarray:
    returns = pd.Series(trailing_return(close))
    return (
        returns.rolling(n, min_periods=n).std(ddof=1) * np.sqrt(TRADING_DAYS_PER_YEAR)
    ).to_numpy()


def _panel(close: np.ndarray) -> dict[str, np.ndarray]:
    return {
        "close": close,
        "sma_20": sma(close, 20),
        "sma_50": sma(close, 50),
        "ema_12": ema(close, 12),
        "ema_26": ema(close, 26),
        "rsi_14": rsi(close, 14),
        **macd(close),
        **bollinger(close),
        "return_1d": trailing_return(close),
        "volatility_20": volatility(close),
    }


def _momentum(close: np.ndarray) -> dict[str, np.ndarray]:
    next_return = np.full(len(close), np.nan)
    next_return[:-1] = close[1:] / close[:-1] - 1.0
    label = np.where(next_return > 0, 1.0, 0.0)
    label[np.isnan(next_return)] = np.nan
    return {
        "return_1d": trailing_return(close, 1),
        "return_5d": trailing_return(close, 5),
        "return_10d": trailing_return(close, 10),
        "rsi_14": rsi(close, 14),
        "macd_hist": macd(close)["macd_hist"],
        "volatility_20": volatility(close),
        "close_to_sma_20": close / sma(close, 20) - 1.0,
        "label": label,
        "next_return": next_return,
    }


DEFINITIONS: dict[str, Callable[[np.ndarray], dict[str, np.ndarray]]] = {
    "indicators": _panel,
    "momentum_v1": _momentum,
}


def expected(kind: str, close: pd.Series | np.ndarray) -> pd.DataFrame:
    """Every column of ``kind`` ("indicators" or "momentum_v1") by its definition."""
    values = np.asarray(close, dtype="float64")
    index = close.index if isinstance(close, pd.Series) else None
    return pd.DataFrame(DEFINITIONS[kind](values), index=index)


def disagreements(
    served: pd.DataFrame, defined: pd.DataFrame, *, relative: float = 1e-9
) -> dict[str, str]:
    """Columns where the served values differ from the definition (a value where there
    should be none, or the other way round, or apart by more than ``relative``)."""
    if len(served) != len(defined):
        return {"rows": f"{len(served)} served for the {len(defined)} sessions defined"}
    problems: dict[str, str] = {}
    for column in defined.columns:
        if column not in served.columns:
            problems[column] = "not served"
            continue
        want = defined[column].to_numpy(dtype="float64")
        got = served[column].to_numpy(dtype="float64")
        holes = np.isnan(want) != np.isnan(got)
        if holes.any():
            where = int(np.flatnonzero(holes)[0])
            problems[column] = f"a value where none is defined, or none, first at row {where + 1}"
            continue
        both = ~np.isnan(want)
        apart = ~np.isclose(got[both], want[both], rtol=relative, atol=1e-12)
        if apart.any():
            where = int(np.flatnonzero(apart)[0])
            problems[column] = (
                f"{got[both][where]!r} where the definition gives {want[both][where]!r} "
                f"(row {int(np.flatnonzero(both)[where]) + 1})"
            )
    return problems


# -- models trained by the book (docs/contract.md, "Models") --------------------------------


def linear_q_advantage(
    train: np.ndarray,
    next_return: np.ndarray,
    asked: np.ndarray,
    *,
    episodes: int,
    learning_rate: float,
    seed: int,
) -> np.ndarray:
    """Q(long) - Q(flat) for the ``asked`` feature rows, from one-step linear Q-learning
    as the contract states it: features standardised by the training rows' mean and
    population standard deviation (1 where it is 0) plus a bias; rewards 0 (flat) and the
    next session's return in percent (long); every episode visits the rows in
    ``numpy.random.default_rng(seed).permutation`` order, 256 at a time, moving both
    actions' weights by ``learning_rate`` x the mean of (reward - Q) x features."""
    mean = train.mean(axis=0)
    scale = train.std(axis=0)
    scale = np.where(scale == 0, 1.0, scale)

    def features(x: np.ndarray) -> np.ndarray:
        return np.column_stack([(x - mean) / scale, np.ones(len(x))])

    phi = features(train)
    reward_long = next_return * 100.0
    weights = np.zeros((2, train.shape[1] + 1))
    rng = np.random.default_rng(seed)
    for _ in range(episodes):
        order = rng.permutation(len(train))
        for start in range(0, len(order), 256):
            rows = order[start : start + 256]
            target = np.column_stack([np.zeros(len(rows)), reward_long[rows]])
            error = target - phi[rows] @ weights.T
            weights = weights + learning_rate * (error.T @ phi[rows]) / len(rows)
    q = features(asked) @ weights.T
    return q[:, 1] - q[:, 0]
