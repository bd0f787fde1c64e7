"""The indicators the platform computes from stored closes, against worked examples and
against their definitions (the suite's oracle, ``support/oracles.py``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import allure
import numpy as np
import pandas as pd

from support import datasets, oracles
from support.dsl.market_data import MarketData
from support.dsl.outcomes import Outcomes
from support.reporting import attach_chart

# Indicators shown in the chart attached to the report.
CHART_INDICATORS = [
    "close", "sma_20", "sma_50", "bb_upper", "bb_lower", "rsi_14", "macd", "macd_signal",
    "macd_hist",
]  # fmt: skip
# The n-th session (1-based) of a symbol's history at which each indicator has its first
# value (quantdesk.domain.indicators documents the warm-ups).
INDICATOR_WARMUP = {
    "sma_20": 20, "sma_50": 50, "ema_12": 12, "ema_26": 26, "rsi_14": 15, "macd": 26,
    "macd_signal": 34, "macd_hist": 34, "bb_upper": 20, "bb_middle": 20, "bb_lower": 20,
    "return_1d": 2, "volatility_20": 21,
}  # fmt: skip
# The specification's names of the served indicators and momentum features.
INDICATOR_LABELS = {
    "SMA(20)": "sma_20", "SMA(50)": "sma_50", "EMA(12)": "ema_12", "EMA(26)": "ema_26",
    "RSI(14)": "rsi_14", "MACD line": "macd", "MACD signal": "macd_signal",
    "MACD histogram": "macd_hist", "Bollinger upper band": "bb_upper",
    "Bollinger middle band": "bb_middle", "Bollinger lower band": "bb_lower",
    "daily return": "return_1d", "volatility(20)": "volatility_20",
}  # fmt: skip
# Where indicator worked examples start (any NYSE session: the examples have no dates).
EXAMPLE_FIRST_SESSION = date(2024, 1, 2)


def indicator_name(label: str) -> str:
    """``"RSI(14)"`` -> ``"rsi_14"``."""
    match = re.fullmatch(r"\s*([A-Za-z]+)\s*\(\s*(\d+)\s*\)\s*", label)
    assert match, f"not an indicator like RSI(14): {label!r}"
    return f"{match[1].lower()}_{match[2]}"


def against_definitions(
    served: pd.DataFrame, closes: pd.Series, labels: dict[str, str], oracle: str
) -> tuple[dict[str, str], dict[str, str]]:
    """(the served columns by their specification name, the disagreements of the served
    values with ``oracle``'s definitions, by name)."""
    by_name = {label: column for label, column in labels.items() if column in served}
    defined = oracles.expected(oracle, closes.to_numpy()).loc[:, list(by_name.values())]
    served = served.reset_index(drop=True).loc[:, list(by_name.values())]
    problems = oracles.disagreements(served, defined)
    unnamed = set(served.columns) - set(labels.values()) - {"close"}
    by_column = {column: label for label, column in labels.items()}
    return (
        {**by_name, **{c: c for c in unnamed}},
        {by_column.get(c, c): problem for c, problem in problems.items()},
    )


@dataclass
class Indicators:
    market_data: MarketData
    outcomes: Outcomes
    worked_example: pd.DataFrame | None = None

    def load_worked_example(self, symbol: str, example: pd.DataFrame) -> dict[str, Any]:
        """The example's closes (column ``close``), one per NYSE session, flat bars."""
        self.worked_example = example.reset_index(drop=True)
        sessions = datasets.sessions_from(EXAMPLE_FIRST_SESSION, len(example))
        closes = example["close"]
        bars = pd.DataFrame(
            {
                "symbol": self.market_data.aliases.symbol(symbol),
                "session": [d.isoformat() for d in sessions],
                "open": closes,
                "high": closes,
                "low": closes,
                "close": closes,
                "volume": 0,
            }
        )
        return self.market_data.load(
            f"Load the worked example's {len(bars)} closes as {symbol}",
            datasets.to_csv(bars),
            kind="full",
            source="stockcharts-chartschool",
        )

    def indicator_vs_example(self, label: str) -> tuple[list[str], list[str]]:
        """(platform, worked example) values of ``label`` per example day, to the cent."""
        example = self.worked_example
        assert example is not None, "no worked example has been loaded"
        run = self.market_data.last_run
        name = indicator_name(label)
        with allure.step(f"Read {label} from the platform"):
            items = self.market_data.driver.indicators(run["symbols"][0], [name])
        platform = [f"{float(i[name]):.2f}" if i[name] is not None else "" for i in items]
        chart = pd.DataFrame(
            {
                "close": example["close"].astype(float).to_numpy(),
                name: [float(i[name]) if i[name] is not None else float("nan") for i in items],
            },
            index=pd.to_datetime(datasets.sessions_from(EXAMPLE_FIRST_SESSION, len(items))),
        )
        attach_chart(f"{label} of the StockCharts example, as the platform computes it", chart)
        return platform, [v.strip() for v in example[label]]

    def indicator_panel(self, symbol: str, period: str) -> pd.DataFrame:
        """The platform's standard indicators of ``symbol`` over ``period`` (NaN = none yet),
        charted into the report."""
        start, end = datasets.parse_period(period)
        with allure.step(f"Read the indicators of {symbol} over {period}"):
            items = self.market_data.driver.indicators(
                self.market_data.aliases.symbol(symbol), [], start, end
            )
        panel = pd.DataFrame(items)
        panel.index = pd.to_datetime(panel.pop("session"))
        panel = panel.apply(pd.to_numeric, errors="coerce")
        attach_chart(f"{symbol} {period}: close and indicators", panel[CHART_INDICATORS])
        return panel

    def indicator_of_period(self, symbol: str, label: str, period: str) -> dict[str, str] | None:
        """``label`` (e.g. "SMA(500)") of ``symbol`` over ``period`` against its definition
        (the disagreements), or None with the refusal kept if the platform refuses it."""
        name = indicator_name(label)
        start, end = datasets.parse_period(period)
        real = self.market_data.aliases.symbol(symbol)
        with allure.step(f"Read {label} of {symbol} over {period}"):
            items = self.outcomes.attempt(
                lambda: self.market_data.driver.indicators(real, [name], start, end)
            )
        if items is None:
            return None
        served = pd.DataFrame({name: [i[name] for i in items]}).astype("float64")
        closes = [float(c) for c in self.market_data.stored_closes(symbol, period)]
        kind, n = name.rsplit("_", 1)
        defined = getattr(oracles, kind)(np.asarray(closes), int(n))
        return oracles.disagreements(served, pd.DataFrame({name: defined}))

    def against_definitions(
        self, symbol: str, period: str
    ) -> tuple[dict[str, str], dict[str, str]]:
        """The indicators of ``symbol`` over ``period``: see :func:`against_definitions`."""
        served = self.indicator_panel(symbol, period)
        return against_definitions(served, served["close"], INDICATOR_LABELS, "indicators")

    @staticmethod
    def warmup_problems(panel: pd.DataFrame) -> dict[str, str]:
        """Indicators whose first value is not at their documented session, or that have a
        hole after it; empty when all is well."""
        problems = {}
        for name, first in INDICATOR_WARMUP.items():
            present = panel[name].notna().to_numpy()
            if not present.any():
                problems[name] = "no value at all"
                continue
            seen = int(present.argmax()) + 1
            if seen != first:
                problems[name] = f"first value at session {seen}, expected {first}"
            elif not present[seen - 1 :].all():
                problems[name] = "missing values after the warm-up"
        return problems
