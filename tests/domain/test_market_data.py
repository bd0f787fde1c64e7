"""Bar parsing, validation with quarantine, and upsert diffs (quantdesk.domain.market_data)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quantdesk.domain.market_data import (
    BAR_COLUMNS,
    BARS_SCHEMA,
    RULES,
    MalformedBarsError,
    diff_bars,
    parse_csv,
    validate_bars,
)

TODAY = date(2024, 6, 28)

GOOD_CSV = b"""symbol,session,open,high,low,close,volume
SPX,2024-01-03,10,11,9,10.5,100
SPX,2024-01-02,10,11,9,10.5,100
NDX,2024-01-02,20,21,19,20.5,0
"""


def bars(*rows: tuple, **overrides: object) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=list(BAR_COLUMNS))
    return frame.assign(**overrides)


def good_row(session: str = "2024-01-02", symbol: str = "SPX", **values: object) -> tuple:
    row = {"open": 10.0, "high": 11.0, "low": 9.0, "close": 10.5, "volume": 100, **values}
    return (symbol, session, row["open"], row["high"], row["low"], row["close"], row["volume"])


def rules_of(result, row: int) -> list[str]:
    found = result.quarantined.loc[result.quarantined["row"] == row, "rules"]
    assert len(found) == 1, f"row {row} is not quarantined"
    return found.iloc[0]


# ------------------------------------------------------------------------------ parse_csv


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
    result = validate_bars(frame, today=TODAY)
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
    assert validate_bars(frame, today=TODAY).valid_count == 1


def test_a_short_row_is_quarantined_not_fatal():
    data = b"symbol,session,open,high,low,close,volume\nA,2024-01-02,1,2\n"
    result = validate_bars(parse_csv(data), today=TODAY)
    assert rules_of(result, 0) == ["missing_value"]


def test_a_ticker_called_NA_is_not_a_missing_value():
    data = b"symbol,date,open,high,low,close,volume\nNA,2024-01-02,10,11,9,10.5,100\n"
    result = validate_bars(parse_csv(data), today=TODAY)
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


def test_validate_bars_refuses_a_frame_without_the_columns_or_rows():
    with pytest.raises(MalformedBarsError, match="missing required column"):
        validate_bars(pd.DataFrame({"close": [1.0]}), today=TODAY)
    with pytest.raises(MalformedBarsError, match="no bars"):
        validate_bars(pd.DataFrame(columns=list(BAR_COLUMNS)), today=TODAY)


# -------------------------------------------------------------------------- validate_bars


def test_good_rows_are_normalised_and_sorted():
    result = validate_bars(parse_csv(GOOD_CSV), today=TODAY)
    assert result.quarantined_count == 0
    valid = result.valid
    assert valid[["symbol", "session"]].astype(str).values.tolist() == [
        ["NDX", "2024-01-02"],
        ["SPX", "2024-01-02"],
        ["SPX", "2024-01-03"],
    ]
    assert dict(valid.dtypes.astype(str)) == {
        "symbol": "str",
        "session": "datetime64[ns]",
        "open": "float64",
        "high": "float64",
        "low": "float64",
        "close": "float64",
        "volume": "int64",
    }
    BARS_SCHEMA.validate(valid)


def test_symbols_are_trimmed_and_upper_cased_and_times_dropped():
    frame = bars(good_row(symbol=" spx ", session="2024-01-02T16:00:00"))
    valid = validate_bars(frame, today=TODAY).valid
    assert valid.loc[0, "symbol"] == "SPX"
    assert valid.loc[0, "session"] == pd.Timestamp("2024-01-02")


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (good_row(close=None), ["missing_value"]),
        (good_row(close="abc"), ["missing_value"]),
        (good_row(close=float("inf")), ["missing_value"]),
        (good_row(symbol=""), ["missing_value"]),
        (good_row(session="not a date"), ["missing_value"]),
        (good_row(open=0.0, low=0.0), ["non_positive_price"]),
        (good_row(open=-1.0, low=-2.0, high=-0.5, close=-1.0), ["non_positive_price"]),
        (good_row(high=10.2), ["high_below_open_or_close"]),
        (good_row(low=10.2), ["low_above_open_or_close"]),
        (good_row(high=8.0), ["high_below_open_or_close", "high_below_low"]),
        (good_row(volume=-5), ["negative_volume"]),
        (good_row(volume=100.5), ["non_integer_volume"]),
        (good_row(session="2024-07-01"), ["future_session"]),
    ],
)
def test_each_rule_quarantines_the_row_that_breaks_it(row, expected):
    result = validate_bars(bars(good_row(session="2024-01-03"), row), today=TODAY)
    assert result.valid_count == 1
    assert rules_of(result, 1) == expected


def test_a_row_lists_every_rule_it_breaks_in_rule_order():
    row = good_row(session="2030-01-02", high=8.0, volume=-1.5)
    result = validate_bars(bars(row), today=TODAY)
    assert rules_of(result, 0) == [
        "high_below_open_or_close",
        "high_below_low",
        "negative_volume",
        "non_integer_volume",
        "future_session",
    ]
    assert all(rule in RULES for rule in rules_of(result, 0))


def test_every_copy_of_a_duplicated_session_is_quarantined():
    frame = bars(
        good_row(), good_row(close=10.6), good_row(session="2024-01-03"), good_row(symbol="NDX")
    )
    result = validate_bars(frame, today=TODAY)
    assert sorted(result.quarantined["row"]) == [0, 1]
    assert rules_of(result, 0) == ["duplicate_session"]
    assert result.valid["symbol"].tolist() == ["NDX", "SPX"]


def test_today_itself_is_not_the_future():
    result = validate_bars(bars(good_row(session=TODAY.isoformat())), today=TODAY)
    assert result.quarantined_count == 0


def test_quarantined_rows_keep_the_values_as_given():
    result = validate_bars(
        bars(good_row(), good_row(session="2024-01-03", close="abc")), today=TODAY
    )
    row = result.quarantined.iloc[0]
    assert row["row"] == 1
    assert row["close"] == "abc"
    assert row["session"] == "2024-01-03"
    assert result.rule_counts() == {"missing_value": 1}


def test_zero_volume_is_allowed_for_indexes():
    assert validate_bars(bars(good_row(volume=0)), today=TODAY).valid_count == 1


price = st.one_of(st.floats(min_value=-5, max_value=50), st.just(float("nan")))


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["SPX", "NDX"]),
            st.integers(0, 9),
            price,
            price,
            price,
            price,
            st.one_of(st.integers(-3, 1000), st.floats(-3, 1000)),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_every_row_is_either_valid_or_quarantined_with_reasons(rows):
    frame = pd.DataFrame(
        [
            (s, (pd.Timestamp("2024-01-01") + pd.Timedelta(days=d)).date().isoformat(), *v)
            for s, d, *v in rows
        ],
        columns=list(BAR_COLUMNS),
    )
    result = validate_bars(frame, today=TODAY)
    assert result.valid_count + result.quarantined_count == len(frame)
    assert all(len(rules) > 0 for rules in result.quarantined["rules"])
    if result.valid_count:
        BARS_SCHEMA.validate(result.valid)
        valid = result.valid
        assert (valid["high"] >= valid[["open", "close", "low"]].max(axis=1)).all()
        assert (valid["low"] <= valid[["open", "close"]].min(axis=1)).all()


# ------------------------------------------------------------------------------ diff_bars


def test_diff_bars_splits_inserted_updated_unchanged():
    existing = validate_bars(
        bars(good_row("2024-01-02"), good_row("2024-01-03"), good_row("2024-01-04")),
        today=TODAY,
    ).valid
    incoming = validate_bars(
        bars(
            good_row("2024-01-02"),
            good_row("2024-01-03", close=10.75),
            good_row("2024-01-04", volume=101),
            good_row("2024-01-05"),
        ),
        today=TODAY,
    ).valid
    inserted, updated, unchanged = diff_bars(existing, incoming)
    assert inserted["session"].dt.day.tolist() == [5]
    assert updated["session"].dt.day.tolist() == [3, 4]
    assert updated["close"].tolist() == [10.75, 10.5]
    assert unchanged["session"].dt.day.tolist() == [2]
    for part in (inserted, updated, unchanged):
        assert list(part.columns) == list(BAR_COLUMNS)
        assert part["volume"].dtype == np.int64


def test_resending_the_same_bars_changes_nothing():
    existing = validate_bars(parse_csv(GOOD_CSV), today=TODAY).valid
    inserted, updated, unchanged = diff_bars(existing, existing.copy())
    assert inserted.empty and updated.empty
    assert len(unchanged) == len(existing)


def test_diff_against_nothing_stored_inserts_everything():
    incoming = validate_bars(parse_csv(GOOD_CSV), today=TODAY).valid
    inserted, updated, unchanged = diff_bars(incoming.iloc[0:0], incoming)
    assert len(inserted) == 3 and updated.empty and unchanged.empty


def test_a_storage_round_trip_rounding_is_not_an_update():
    existing = validate_bars(bars(good_row()), today=TODAY).valid
    incoming = existing.assign(close=existing["close"] + 1e-12)
    _, updated, unchanged = diff_bars(existing, incoming)
    assert updated.empty and len(unchanged) == 1


@pytest.mark.parametrize("column", ["open", "high", "low", "close", "volume"])
@pytest.mark.parametrize("direction", [-1, 1])
def test_a_correction_in_either_direction_is_an_update(column, direction):
    # Regression (issue 4): every correction in the suite went *up*, so a one-sided
    # comparison ("incoming - stored <= tolerance") that missed downward corrections
    # passed every test and scenario.
    existing = validate_bars(
        bars(good_row(open=10.0, high=12.0, low=8.0, close=10.0, volume=100)), today=TODAY
    ).valid
    step = 1 if column == "volume" else 0.5
    incoming = existing.assign(**{column: existing[column] + direction * step})
    _, updated, unchanged = diff_bars(existing, incoming)
    assert (len(updated), len(unchanged)) == (1, 0)


def test_a_rounding_error_is_unchanged_in_either_direction():
    existing = validate_bars(bars(good_row()), today=TODAY).valid
    for delta in (-1e-12, 1e-12):
        _, updated, unchanged = diff_bars(existing, existing.assign(low=existing["low"] + delta))
        assert updated.empty and len(unchanged) == 1


def test_a_negative_price_tolerance_is_refused():
    # np.isclose(a, b, atol<0) is still True for identical values, so a negative
    # tolerance looked harmless everywhere except on rounding errors.
    existing = validate_bars(bars(good_row()), today=TODAY).valid
    with pytest.raises(ValueError, match="price_tolerance"):
        diff_bars(existing, existing, price_tolerance=-1e-9)


def test_sessions_outside_the_nanosecond_range_are_quarantined_not_a_crash():
    # Regression: "5th March" parses (format="mixed") as year 1 and 2999-03-05 is after
    # 2262; both overflowed the datetime64[ns] cast and raised OutOfBoundsDatetime.
    raw = parse_csv(
        b"symbol,session,open,high,low,close,volume\n"
        b"A,2024-03-04,1,2,0.5,1,1\nA,5th March,1,2,0.5,1,1\nA,2999-03-05,1,2,0.5,1,1\n"
    )
    result = validate_bars(raw, today=date(2026, 1, 1))
    assert result.valid_count == 1
    assert list(result.quarantined["rules"]) == [["missing_value"], ["future_session"]]
