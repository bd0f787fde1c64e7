"""The suite's oracle: textbook indicator definitions, checked against StockCharts'
worked examples and against broken values."""

import numpy as np
import pandas as pd

from support import oracles

# StockCharts ChartSchool, cs-rsi.xls: closes of days 1..20 and RSI(14) of days 15..20.
RSI_CLOSES = [
    44.3389, 44.0902, 44.1497, 43.6124, 44.3278, 44.8264, 45.0955, 45.4245, 45.8433,
    46.0826, 45.8931, 46.0328, 45.6140, 46.2820, 46.2820, 46.0028, 46.0328, 46.4116,
    46.2222, 45.6439,
]  # fmt: skip
RSI_VALUES = [70.53, 66.32, 66.55, 69.41, 66.36, 57.97]


def test_rsi_agrees_with_the_stockcharts_example():
    values = oracles.rsi(np.array(RSI_CLOSES), 14)
    assert np.isnan(values[:14]).all()
    assert [round(v, 2) for v in values[14:]] == RSI_VALUES


def test_ema_is_sma_seeded():
    closes = np.arange(1.0, 13.0)
    values = oracles.ema(closes, 10)
    assert np.isnan(values[:9]).all()
    assert values[9] == closes[:10].mean()
    assert values[10] == (11 - values[9]) * 2 / 11 + values[9]


def test_rsi_of_a_flat_series_is_neutral_and_of_a_rising_one_is_100():
    assert oracles.rsi(np.full(20, 5.0))[14:].tolist() == [50.0] * 6
    assert oracles.rsi(np.arange(20.0))[14:].tolist() == [100.0] * 6


def test_the_momentum_label_is_up_only_when_the_next_close_is_higher():
    defined = oracles.expected("momentum_v1", np.array([1.0, 2.0, 2.0, 1.0]))
    assert defined["label"].tolist()[:3] == [1.0, 0.0, 0.0]
    assert np.isnan(defined["label"].iloc[3])


def test_disagreements_name_the_column_and_the_first_row():
    closes = pd.Series(np.linspace(100, 130, 60))
    defined = oracles.expected("indicators", closes)
    assert oracles.disagreements(defined, defined) == {}
    served = defined.copy()
    served.loc[40, "sma_20"] *= 1.0001
    served.loc[5, "return_1d"] = np.nan
    problems = oracles.disagreements(served, defined)
    assert set(problems) == {"sma_20", "return_1d"}
    assert "row 41" in problems["sma_20"]
    assert "row 6" in problems["return_1d"]
    assert oracles.disagreements(served.drop(columns="macd"), defined)["macd"] == "not served"
