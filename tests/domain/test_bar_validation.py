"""Validation with quarantine, in the bar contract (quantdesk.domain.bar_validation)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quantdesk.domain.bar_csv import parse_csv
from quantdesk.domain.bar_validation import BARS_SCHEMA, validate_bars
from quantdesk.domain.bars import BAR_COLUMNS, RULES, MalformedBarsError
from tests.conftest import BARS_TODAY, GOOD_CSV, bar_frame, good_row, rules_of


def test_validate_bars_refuses_a_frame_without_the_columns_or_rows():
    with pytest.raises(MalformedBarsError, match="missing required column"):
        validate_bars(pd.DataFrame({"close": [1.0]}), today=BARS_TODAY)
    with pytest.raises(MalformedBarsError, match="no bars"):
        validate_bars(pd.DataFrame(columns=list(BAR_COLUMNS)), today=BARS_TODAY)


def test_good_rows_are_normalised_and_sorted():
    result = validate_bars(parse_csv(GOOD_CSV), today=BARS_TODAY)
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
    frame = bar_frame(good_row(symbol=" spx ", session="2024-01-02T16:00:00"))
    valid = validate_bars(frame, today=BARS_TODAY).valid
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
    result = validate_bars(bar_frame(good_row(session="2024-01-03"), row), today=BARS_TODAY)
    assert result.valid_count == 1
    assert rules_of(result, 1) == expected


def test_a_row_lists_every_rule_it_breaks_in_rule_order():
    row = good_row(session="2030-01-02", high=8.0, volume=-1.5)
    result = validate_bars(bar_frame(row), today=BARS_TODAY)
    assert rules_of(result, 0) == [
        "high_below_open_or_close",
        "high_below_low",
        "negative_volume",
        "non_integer_volume",
        "future_session",
    ]
    assert all(rule in RULES for rule in rules_of(result, 0))


def test_every_copy_of_a_duplicated_session_is_quarantined():
    frame = bar_frame(
        good_row(), good_row(close=10.6), good_row(session="2024-01-03"), good_row(symbol="NDX")
    )
    result = validate_bars(frame, today=BARS_TODAY)
    assert sorted(result.quarantined["row"]) == [0, 1]
    assert rules_of(result, 0) == ["duplicate_session"]
    assert result.valid["symbol"].tolist() == ["NDX", "SPX"]


def test_today_itself_is_not_the_future():
    result = validate_bars(bar_frame(good_row(session=BARS_TODAY.isoformat())), today=BARS_TODAY)
    assert result.quarantined_count == 0


def test_quarantined_rows_keep_the_values_as_given():
    result = validate_bars(
        bar_frame(good_row(), good_row(session="2024-01-03", close="abc")), today=BARS_TODAY
    )
    row = result.quarantined.iloc[0]
    assert row["row"] == 1
    assert row["close"] == "abc"
    assert row["session"] == "2024-01-03"
    assert result.rule_counts() == {"missing_value": 1}


def test_zero_volume_is_allowed_for_indexes():
    assert validate_bars(bar_frame(good_row(volume=0)), today=BARS_TODAY).valid_count == 1


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
    result = validate_bars(frame, today=BARS_TODAY)
    assert result.valid_count + result.quarantined_count == len(frame)
    assert all(len(rules) > 0 for rules in result.quarantined["rules"])
    if result.valid_count:
        BARS_SCHEMA.validate(result.valid)
        valid = result.valid
        assert (valid["high"] >= valid[["open", "close", "low"]].max(axis=1)).all()
        assert (valid["low"] <= valid[["open", "close"]].min(axis=1)).all()


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
