"""Reading CSV uploads into raw bar columns (quantdesk.domain.bar_csv)."""

from __future__ import annotations

import pandas as pd
import pytest

from quantdesk.domain.bar_csv import parse_csv
from quantdesk.domain.bar_validation import validate_bars
from quantdesk.domain.bars import BAR_COLUMNS, MalformedBarsError
from tests.conftest import BARS_TODAY, GOOD_CSV, rules_of


def test_parse_csv_reads_the_contract_columns():
    frame = parse_csv(GOOD_CSV)
    assert list(frame.columns) == list(BAR_COLUMNS)
    assert len(frame) == 3


def test_parse_csv_accepts_yahoo_headers_ignores_adj_close_and_takes_the_symbol():
    data = b"""\xef\xbb\xbfDate,Open,High,Low,Close,Adj Close,Volume
1/4/1999,1229.22998,1248.810059,1219.099976,1228.099976,1228.099976,877000000
"""
    frame = parse_csv(data, symbol="SPX")
    assert list(frame.columns) == list(BAR_COLUMNS)
    assert frame.loc[0, "symbol"] == "SPX"
    result = validate_bars(frame, today=BARS_TODAY)
    assert result.valid.loc[0, "session"] == pd.Timestamp("1999-01-04")
    assert result.valid.loc[0, "volume"] == 877_000_000


def test_parse_csv_headers_are_case_insensitive_with_aliases():
    data = b"TICKER,DATE,OPEN,HIGH,LOW,CLOSE,VOL\nspx,2024-01-02,10,11,9,10.5,100\n"
    assert list(parse_csv(data).columns) == list(BAR_COLUMNS)


def test_parse_csv_tolerates_spaces_after_commas_and_extra_columns():
    data = (
        b"Symbol, Date, Open, High, Low, Close, Volume, Notes, Notes\n"
        b"A, 2024-01-02, 1, 2, 1, 1, 1, x, y\n"
    )
    frame = parse_csv(data)
    assert frame.loc[0, "session"] == "2024-01-02"
    assert validate_bars(frame, today=BARS_TODAY).valid_count == 1


def test_a_short_row_is_quarantined_not_fatal():
    data = b"symbol,session,open,high,low,close,volume\nA,2024-01-02,1,2\n"
    result = validate_bars(parse_csv(data), today=BARS_TODAY)
    assert rules_of(result, 0) == ["missing_value"]


def test_a_ticker_called_NA_is_not_a_missing_value():
    data = b"symbol,date,open,high,low,close,volume\nNA,2024-01-02,10,11,9,10.5,100\n"
    result = validate_bars(parse_csv(data), today=BARS_TODAY)
    assert result.valid["symbol"].tolist() == ["NA"]


@pytest.mark.parametrize(
    ("data", "reason_part"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"symbol,session,open,high,low,close,volume\n", "no bars"),
        (b"session,open,high,low,close\n2024-01-02,1,1,1,1\n", "symbol, volume"),
        (b'{"bars": [1, 2, 3]}', "missing required column"),
        (b"name,email\nAlice,a@example.test\n", "found: name, email"),
        (b"date,session,open,high,low,close,volume,symbol\n", "both mean 'session'"),
        (b"symbol,session,open,high,low,close,volume\nA,2024-01-02,1,2,1,1,1,9\n", "more fields"),
        (
            b"symbol,session,open,high,low,close,volume\nA,2024-01-02,1,2,1,1,1\n"
            b"A,2024-01-03,1,2,1,1,1,000\n",
            "line 3",
        ),
    ],
)
def test_parse_csv_refuses_what_is_not_ohlcv(data, reason_part):
    with pytest.raises(MalformedBarsError) as raised:
        parse_csv(data)
    assert reason_part in raised.value.reason
