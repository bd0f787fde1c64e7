"""The price-and-indicators chart attached to the Allure report."""

from __future__ import annotations

from datetime import date

from quantdesk.domain.indicators import compute_indicators
from quantdesk.market_history import load_history
from support.reporting import price_chart_png


def test_a_year_of_real_history_charts_to_a_png():
    bars = load_history(["SPX"], start=date(2018, 1, 1), end=date(2018, 12, 31))
    assert price_chart_png("SPX 2018", compute_indicators(bars)).startswith(b"\x89PNG\r\n\x1a\n")


def test_a_chart_with_only_close_and_one_indicator():
    bars = load_history(["NDX"], start=date(2018, 1, 1), end=date(2018, 3, 1))
    panel = compute_indicators(bars)[["close", "ema_12"]]
    assert price_chart_png("EMA", panel).startswith(b"\x89PNG")
