"""Technical indicators of one symbol's daily bars (pure; TA-Lib underneath).

Conventions (all agree with StockCharts ChartSchool, see tests/domain/test_indicators.py):

- ``sma(n)``: simple mean of the last ``n`` closes; first value at the n-th close.
- ``ema(n)``: multiplier ``2 / (n + 1)``, seeded with the SMA of the first ``n`` closes
  (TA-Lib's default, as in StockCharts' worked example); first value at the n-th close.
- ``rsi(14)``: Wilder. The first average gain/loss is the simple mean of the first 14
  changes, then ``avg = (prev * 13 + current) / 14``; first value at the 15th close.
  A window with no change at all (gains and losses both 0) is 50, not TA-Lib's 0.
- ``macd(12, 26, 9)``: ``macd = ema(12) - ema(26)`` (each seeded independently, first
  value at the 26th close), ``signal = ema(9)`` of the macd line (first at the 34th
  close), ``histogram = macd - signal``. TA-Lib's own ``MACD`` seeds the 12-EMA at the
  26th bar instead, which differs from the textbook for the first ~50 bars, so it is
  composed from ``EMA`` here.
- ``bollinger(20, 2)``: middle = sma(20), upper/lower = middle +/- 2 population
  (ddof=0) standard deviations of the last 20 closes (as StockCharts).
- ``daily_returns``: simple return ``close[t] / close[t-1] - 1``.
- ``rolling_volatility(20)``: sample (ddof=1) standard deviation of the last 20 daily
  returns, annualised by ``sqrt(252)``; first value at the 21st close.

Warm-up values are NaN. Every indicator is causal: the value at a session uses only
closes up to that session, so appending bars never changes earlier values.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import talib

TRADING_DAYS_PER_YEAR = 252

INDICATOR_COLUMNS: tuple[str, ...] = (
    "close",
    "sma_20",
    "sma_50",
    "ema_12",
    "ema_26",
    "rsi_14",
    "macd",
    "macd_signal",
    "macd_hist",
    "bb_upper",
    "bb_middle",
    "bb_lower",
    "return_1d",
    "volatility_20",
)


def _closes(close: pd.Series | np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(close, dtype="float64"))


def _like(values: np.ndarray, close: pd.Series | np.ndarray, name: str) -> pd.Series:
    index = close.index if isinstance(close, pd.Series) else None
    return pd.Series(values, index=index, name=name, dtype="float64")


def _talib_window(values: np.ndarray, n: int) -> bool:
    """TA-Lib raises on too-short input; a too-short series is simply all warm-up."""
    finite = np.flatnonzero(~np.isnan(values))
    return finite.size > 0 and values.size - finite[0] >= n


def _moving_average(
    function: Callable[..., np.ndarray], close: pd.Series | np.ndarray, n: int, name: str
) -> pd.Series:
    values = _closes(close)
    out = (
        function(values, timeperiod=n) if _talib_window(values, n) else np.full_like(values, np.nan)
    )
    return _like(out, close, name)


def sma(close: pd.Series | np.ndarray, n: int) -> pd.Series:
    """Simple moving average of ``n`` closes (same index as ``close``)."""
    return _moving_average(talib.SMA, close, n, f"sma_{n}")


def ema(close: pd.Series | np.ndarray, n: int) -> pd.Series:
    """Exponential moving average, SMA-seeded, multiplier 2/(n+1)."""
    return _moving_average(talib.EMA, close, n, f"ema_{n}")


def rsi(close: pd.Series | np.ndarray, n: int = 14) -> pd.Series:
    """Wilder's relative strength index (0..100)."""
    values = _closes(close)
    if not _talib_window(values, n + 1):
        return _like(np.full_like(values, np.nan), close, f"rsi_{n}")
    out = talib.RSI(values, timeperiod=n)
    # TA-Lib answers 0 when there has been no move at all; "no gains, no losses" is neutral.
    moved = np.cumsum(np.abs(np.diff(values, prepend=values[0])) > 0) > 0
    out = np.where(~np.isnan(out) & ~moved, 50.0, out)
    return _like(out, close, f"rsi_{n}")


def macd(
    close: pd.Series | np.ndarray, fast: int = 12, slow: int = 26, signal: int = 9
) -> pd.DataFrame:
    """Columns ``macd``, ``macd_signal``, ``macd_hist`` (same index as ``close``)."""
    line = ema(close, fast).to_numpy() - ema(close, slow).to_numpy()
    trigger = ema(line, signal).to_numpy()
    index = close.index if isinstance(close, pd.Series) else None
    return pd.DataFrame(
        {"macd": line, "macd_signal": trigger, "macd_hist": line - trigger}, index=index
    )


def bollinger(close: pd.Series | np.ndarray, n: int = 20, k: float = 2.0) -> pd.DataFrame:
    """Columns ``bb_upper``, ``bb_middle``, ``bb_lower``: sma(n) +/- k population std."""
    values = _closes(close)
    index = close.index if isinstance(close, pd.Series) else None
    if _talib_window(values, n):
        upper, middle, lower = talib.BBANDS(
            values, timeperiod=n, nbdevup=k, nbdevdn=k, matype=talib.MA_Type.SMA
        )
    else:
        upper = middle = lower = np.full_like(values, np.nan)
    return pd.DataFrame({"bb_upper": upper, "bb_middle": middle, "bb_lower": lower}, index=index)


def daily_returns(close: pd.Series | np.ndarray) -> pd.Series:
    """Simple daily return ``close[t] / close[t-1] - 1`` (first value NaN)."""
    values = _closes(close)
    out = np.full_like(values, np.nan)
    out[1:] = values[1:] / values[:-1] - 1.0
    return _like(out, close, "return_1d")


def rolling_volatility(
    close: pd.Series | np.ndarray, n: int = 20, periods_per_year: int = TRADING_DAYS_PER_YEAR
) -> pd.Series:
    """Annualised volatility: sample std (ddof=1) of the last ``n`` daily returns x sqrt(252)."""
    returns = pd.Series(daily_returns(close).to_numpy())
    out = returns.rolling(n, min_periods=n).std(ddof=1).to_numpy() * np.sqrt(periods_per_year)
    return _like(out, close, f"volatility_{n}")


def compute_indicators(bars: pd.DataFrame) -> pd.DataFrame:
    """The standard indicator panel of one symbol.

    ``bars``: bar-contract rows of a single symbol (see ``quantdesk.domain.bars``;
    only ``session`` and ``close`` are read; at least ``symbol`` must hold one value if
    present). Rows are sorted by session here.

    Returns a DataFrame indexed by ``session`` (datetime64, ascending, named "session")
    with float64 columns :data:`INDICATOR_COLUMNS`: ``close``, ``sma_20``, ``sma_50``,
    ``ema_12``, ``ema_26``, ``rsi_14``, ``macd``, ``macd_signal``, ``macd_hist``,
    ``bb_upper``, ``bb_middle``, ``bb_lower``, ``return_1d``, ``volatility_20``; NaN
    during each indicator's warm-up.

    Raises ``ValueError`` if the bars hold more than one symbol or repeat a session.
    """
    if "symbol" in bars.columns and bars["symbol"].nunique(dropna=False) > 1:
        raise ValueError("compute_indicators takes the bars of one symbol")
    ordered = bars.sort_values("session", kind="stable")
    sessions = pd.DatetimeIndex(ordered["session"], name="session")
    if sessions.has_duplicates:
        raise ValueError("compute_indicators needs one bar per session")
    close = pd.Series(ordered["close"].to_numpy(dtype="float64"), index=sessions)
    frame = pd.concat(
        [
            close.rename("close"),
            sma(close, 20),
            sma(close, 50),
            ema(close, 12),
            ema(close, 26),
            rsi(close),
            macd(close),
            bollinger(close),
            daily_returns(close),
            rolling_volatility(close),
        ],
        axis=1,
    )
    return frame.loc[:, list(INDICATOR_COLUMNS)]
