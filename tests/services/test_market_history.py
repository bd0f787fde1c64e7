"""Real daily history shipped in installed packages (quantdesk.market_history)."""

from __future__ import annotations

from datetime import date

import pytest

from quantdesk.domain.bar_validation import BARS_SCHEMA
from quantdesk.domain.trading_calendar import missing_sessions
from quantdesk.market_history import HistoryUnavailable, available_symbols, load_history


def test_the_universe_holds_the_two_indexes_at_least():
    assert {"SPX", "NDX"} <= set(available_symbols())


def test_history_is_in_the_bar_contract_and_real():
    bars = load_history(["spx", "NDX"])
    BARS_SCHEMA.validate(bars)
    assert sorted(bars["symbol"].unique()) == ["NDX", "SPX"]
    spx = bars[bars["symbol"] == "SPX"]
    assert len(spx) == 5031
    first = spx.iloc[0]
    assert first["session"].date() == date(1999, 1, 4)
    assert first["close"] == pytest.approx(1228.099976)
    assert first["volume"] == 877_000_000


def test_the_index_history_has_every_nyse_session():
    spx = load_history(["SPX"])
    assert missing_sessions(spx["session"], date(1999, 1, 4), date(2018, 12, 31)) == []


def test_history_can_be_trimmed_and_callers_get_their_own_copy():
    bars = load_history(["SPX"], start=date(2008, 9, 1), end=date(2008, 9, 30))
    assert bars["session"].min().date() >= date(2008, 9, 1)
    assert bars["session"].max().date() <= date(2008, 9, 30)
    bars.loc[:, "close"] = -1.0
    assert (load_history(["SPX"], start=date(2008, 9, 1))["close"] > 0).all()


def test_google_shares_from_matplotlib_when_installed():
    if "GOOG" not in available_symbols():
        pytest.skip("matplotlib sample data not installed")
    goog = load_history(["GOOG"])
    assert len(goog) == 1047
    assert goog["session"].iloc[0].date() == date(2004, 8, 19)


def test_unknown_symbols_are_refused():
    with pytest.raises(HistoryUnavailable, match="ZZZZ"):
        load_history(["ZZZZ"])
