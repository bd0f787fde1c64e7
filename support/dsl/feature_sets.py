"""Feature sets for learning, in business terms: the momentum rows of stored history, what
each row knew at its session, and their split in time order."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import allure
import pandas as pd

from support import datasets
from support.dsl.indicators import against_definitions
from support.dsl.market_data import MarketData
from support.dsl.outcomes import Outcomes
from support.reporting import attach_json

# The published feature set the scenarios use (``momentum`` in Gherkin).
FEATURE_SET = "momentum_v1"
FEATURE_LABELS = {
    "1-session return": "return_1d", "5-session return": "return_5d",
    "10-session return": "return_10d", "RSI(14)": "rsi_14", "MACD histogram": "macd_hist",
    "volatility(20)": "volatility_20", "distance from SMA(20)": "close_to_sma_20",
    "next session up": "label", "next session return": "next_return",
}  # fmt: skip


@dataclass
class FeatureSets:
    market_data: MarketData
    outcomes: Outcomes
    feature_rows_read: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    last_split: dict[str, Any] | None = None

    def feature_rows_over(self, symbols: list[str], period: str) -> list[dict[str, Any]] | None:
        """The momentum rows of ``symbols`` over ``period``; None (refusal kept) if refused.
        "N symbols" names N made-up symbols, the first being SPX."""
        count = re.fullmatch(r"(\d+) symbols", symbols[0]) if len(symbols) == 1 else None
        if count:
            symbols = ["SPX", *(f"NONE{i}" for i in range(1, int(count[1])))]
        start, end = datasets.parse_period(period)
        real = [self.market_data.aliases.symbol(s) for s in symbols]
        with allure.step(f"Read the {FEATURE_SET} rows of {len(symbols)} symbols, {period}"):
            return self.outcomes.attempt(
                lambda: self.market_data.driver.feature_rows(FEATURE_SET, real, start, end)
            )

    def _features(self, symbol: str) -> list[dict[str, Any]]:
        with allure.step(f"Read the {FEATURE_SET} features of {symbol}"):
            return self.market_data.driver.feature_rows(
                FEATURE_SET, [self.market_data.aliases.symbol(symbol)]
            )

    def read_features(self, symbol: str) -> list[dict[str, Any]]:
        """Read and remember the rows, to compare with later reads."""
        self.feature_rows_read[symbol] = self._features(symbol)
        return self.feature_rows_read[symbol]

    def feature_changes(self, symbol: str, until: date) -> list[dict[str, Any]]:
        """Rows up to ``until`` that differ now from when they were first read."""
        before = {r["session"]: r for r in self.feature_rows_read[symbol]}
        after = {r["session"]: r for r in self._features(symbol)}
        changed = [
            {"session": day, "before": row, "after": after.get(day)}
            for day, row in before.items()
            if day <= until.isoformat() and after.get(day) != row
        ]
        attach_json(f"{symbol} feature rows changed since first read", changed)
        return changed

    def labels(self, symbol: str) -> dict[str, int | None]:
        """``{session: label}`` of every momentum row of ``symbol``."""
        return {row["session"]: row["label"] for row in self._features(symbol)}

    def feature_label(self, symbol: str, session: date, *, fresh: bool = False) -> Any:
        rows = self._features(symbol) if fresh else self.feature_rows_read[symbol]
        matching = [r for r in rows if r["session"] == session.isoformat()]
        assert matching, f"no {FEATURE_SET} row of {symbol} on {session}"
        return matching[0]["label"]

    def split(
        self, symbols: list[str], fractions: dict[str, float], *, gap: int = 0
    ) -> dict[str, Any]:
        words = f"{fractions}, {gap} sessions left out between parts"
        with allure.step(f"Split the {FEATURE_SET} rows of {', '.join(symbols)} {words}"):
            self.last_split = self.market_data.driver.feature_split(
                FEATURE_SET, [self.market_data.aliases.symbol(s) for s in symbols], fractions, gap
            )
        attach_json("chronological split", self.last_split)
        return self.last_split

    def sessions_between_parts(self, symbol: str) -> list[int]:
        """Stored sessions of ``symbol`` strictly between training and validation, and
        between validation and test, of the last split."""
        parts = self.last_split["parts"]
        sessions = self.market_data.stored_sessions(symbol)

        def between(earlier: str, later: str) -> int:
            low = date.fromisoformat(parts[earlier]["last_session"])
            high = date.fromisoformat(parts[later]["first_session"])
            return sum(1 for s in sessions if low < s < high)

        return [between("train", "validation"), between("validation", "test")]

    def against_definitions(
        self, symbol: str, period: str
    ) -> tuple[dict[str, str], dict[str, str]]:
        """The momentum features of ``symbol`` over ``period``: see
        :func:`support.dsl.indicators.against_definitions`."""
        start, end = datasets.parse_period(period)
        real = self.market_data.aliases.symbol(symbol)
        with allure.step(f"Read the momentum features of {symbol} over {period}"):
            items = self.market_data.driver.feature_rows(FEATURE_SET, [real], start, end)
        served = pd.DataFrame(items).drop(columns=["symbol", "session"]).astype("float64")
        stored = self.market_data.stored_closes(symbol, period)
        closes = pd.Series([float(c) for c in stored])
        return against_definitions(served, closes, FEATURE_LABELS, FEATURE_SET)
