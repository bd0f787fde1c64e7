"""Named, versioned feature sets and chronological splits (pure).

A feature set turns bar-contract rows (see ``quantdesk.domain.bars``) into one
row per (symbol, session) of features known at that session's close, plus a label
about the *next* session. A definition never changes once published: a different
recipe is a new version (``momentum_v2``), so a trained model can always name the exact
features it was trained on.

``momentum_v1``
---------------
========================  ================================================================
column                    definition (at session t, from closes up to and including t)
========================  ================================================================
``return_1d``             close[t] / close[t-1] - 1
``return_5d``             close[t] / close[t-5] - 1
``return_10d``            close[t] / close[t-10] - 1
``rsi_14``                Wilder RSI(14), 0..100
``macd_hist``             MACD(12, 26, 9) histogram, in price units
``volatility_20``         annualised 20-session volatility of daily returns (ddof=1)
``close_to_sma_20``       close[t] / SMA20[t] - 1
``label``  (the target)   ``next_up``: 1 if close[t+1] > close[t], else 0 (a flat next
                          session is 0, "not up"); <NA> on a symbol's last session
========================  ================================================================

The label is the direction (not the size) of the next session's close-to-close
return: a binary classification target, robust to the scale differences between
symbols. ``next_return`` (the value) is also returned for evaluation/backtests; it is
*not* a feature.

No look-ahead: features at t use only closes <= t (all indicators are causal), and
the label is the only column that looks at t+1. Appending later bars therefore never
changes a past row's features, and never changes a label that was already known (only
the last row's <NA> label gets filled in).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd

from quantdesk.domain import indicators as ind

KEY_COLUMNS: tuple[str, ...] = ("symbol", "session")


def _momentum_v1(close: pd.Series) -> dict[str, pd.Series]:
    values = close.to_numpy(dtype="float64")

    def trailing_return(k: int) -> np.ndarray:
        out = np.full_like(values, np.nan)
        out[k:] = values[k:] / values[:-k] - 1.0
        return out

    return {
        "return_1d": trailing_return(1),
        "return_5d": trailing_return(5),
        "return_10d": trailing_return(10),
        # The standard periods (RSI 14, MACD 12/26/9, volatility 20) are the indicators'
        # own defaults: one place defines them for the panel and the features alike.
        "rsi_14": ind.rsi(values).to_numpy(),
        "macd_hist": ind.macd(values)["macd_hist"].to_numpy(),
        "volatility_20": ind.rolling_volatility(values).to_numpy(),
        "close_to_sma_20": values / ind.sma(values, 20).to_numpy() - 1.0,
    }


@dataclass(frozen=True)
class FeatureSet:
    """A published feature recipe. ``key`` (e.g. ``momentum_v1``) names it everywhere."""

    name: str
    version: int
    features: tuple[str, ...]
    label: str
    description: str
    warmup_sessions: int
    _compute: Callable[[pd.Series], Mapping[str, np.ndarray]] = field(repr=False)

    @property
    def key(self) -> str:
        return f"{self.name}_v{self.version}"

    def build(self, bars: pd.DataFrame) -> pd.DataFrame:
        """Feature rows for bar-contract ``bars`` (any number of symbols).

        Returns one row per input bar, sorted by symbol then session, default index,
        columns ``symbol``, ``session``, each of :attr:`features` (float64, NaN during the
        warm-up of the first :attr:`warmup_sessions` sessions of a symbol), ``label``
        (``Int8``: 1 next session up, 0 otherwise, <NA> when unknown) and
        ``next_return`` (float64, NaN when unknown). Use :meth:`complete_rows` to keep only
        rows usable for training.
        """
        ordered = bars.loc[:, ["symbol", "session", "close"]].sort_values(
            list(KEY_COLUMNS), kind="stable"
        )
        parts = [self._build_one(group) for _, group in ordered.groupby("symbol", sort=True)]
        if not parts:
            return self._empty()
        return pd.concat(parts, ignore_index=True)

    def _build_one(self, one: pd.DataFrame) -> pd.DataFrame:
        close = pd.Series(one["close"].to_numpy(dtype="float64"))
        features = self._compute(close)
        values = close.to_numpy()
        next_return = np.full_like(values, np.nan)
        next_return[:-1] = values[1:] / values[:-1] - 1.0
        label = pd.array(np.where(next_return > 0, 1, 0), dtype="Int8")
        label[np.isnan(next_return)] = pd.NA
        return pd.DataFrame(
            {
                "symbol": one["symbol"].to_numpy(),
                "session": one["session"].to_numpy(),
                **{name: np.asarray(features[name], dtype="float64") for name in self.features},
                "label": label,
                "next_return": next_return,
            }
        )

    def _empty(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "symbol": pd.Series([], dtype="str"),
                "session": pd.Series([], dtype="datetime64[ns]"),
                **{name: pd.Series([], dtype="float64") for name in self.features},
                "label": pd.Series([], dtype="Int8"),
                "next_return": pd.Series([], dtype="float64"),
            }
        )

    def complete_rows(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Rows of :meth:`build` output with every feature and the label present."""
        usable = frame[list(self.features)].notna().all(axis=1) & frame["label"].notna()
        return frame.loc[usable].reset_index(drop=True)


MOMENTUM_V1 = FeatureSet(
    name="momentum",
    version=1,
    features=(
        "return_1d",
        "return_5d",
        "return_10d",
        "rsi_14",
        "macd_hist",
        "volatility_20",
        "close_to_sma_20",
    ),
    label="next_up",
    description="Trailing 1/5/10-session returns, RSI(14), MACD(12,26,9) histogram, "
    "20-session annualised volatility and distance to SMA(20); label: next session up.",
    warmup_sessions=33,  # the MACD signal line needs 34 closes
    _compute=_momentum_v1,
)

FEATURE_SETS: Mapping[str, FeatureSet] = MappingProxyType({MOMENTUM_V1.key: MOMENTUM_V1})


def get_feature_set(key: str) -> FeatureSet:
    """The feature set published as ``key`` (e.g. ``"momentum_v1"``); KeyError if unknown."""
    try:
        return FEATURE_SETS[key]
    except KeyError:
        known = ", ".join(sorted(FEATURE_SETS))
        raise KeyError(f"unknown feature set {key!r} (known: {known})") from None


@dataclass(frozen=True)
class Split:
    """Three disjoint, time-ordered parts of a frame (each with a default index)."""

    train: pd.DataFrame
    validation: pd.DataFrame
    test: pd.DataFrame


def chronological_split(
    frame: pd.DataFrame,
    *,
    train: float = 0.7,
    validation: float = 0.15,
    test: float = 0.15,
    gap: int = 0,
) -> Split:
    """Split rows by session, oldest first: no shuffling, no session in two parts.

    Rows keep their input order within each part.

    The fractions (>= 0, summing to 1) apply to the *distinct sessions* of ``frame``
    (column ``session``), so with several symbols every symbol's bars of one day land in
    the same part and every train session precedes every validation session, which
    precedes every test session. Counts are ``floor(fraction x sessions)`` for train and
    validation, test gets the rest. ``gap`` sessions are dropped before validation and
    before test (``gap=1`` removes the one-session overlap between the last training
    label, which looks at the next close, and the first validation session).
    """
    fractions = (train, validation, test)
    if any(f < 0 for f in fractions) or not np.isclose(sum(fractions), 1.0, atol=1e-9):
        raise ValueError(f"split fractions must be >= 0 and sum to 1, got {fractions}")
    if gap < 0:
        raise ValueError("gap must be >= 0")
    sessions = np.sort(pd.unique(frame["session"].to_numpy()))
    n = len(sessions)
    n_train = int(np.floor(train * n + 1e-9))
    n_validation = int(np.floor(validation * n + 1e-9))
    train_end = n_train
    validation_start = min(n, train_end + gap)
    validation_end = min(n, validation_start + n_validation)
    test_start = min(n, validation_end + gap) if test > 0 else n
    position = np.searchsorted(sessions, frame["session"].to_numpy())

    def part(lo: int, hi: int) -> pd.DataFrame:
        return frame.loc[(position >= lo) & (position < hi)].reset_index(drop=True)

    return Split(
        train=part(0, train_end),
        validation=part(validation_start, validation_end),
        test=part(test_start, n),
    )
