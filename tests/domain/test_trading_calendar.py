"""Exchange sessions and gaps (quantdesk.domain.trading_calendar)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from quantdesk.domain.trading_calendar import (
    expected_sessions,
    get_calendar,
    is_session,
    missing_sessions,
)


def test_sessions_follow_the_exchange_not_weekdays():
    # 2001-09-11..14 closed after the attacks; 2024-07-04 Independence Day.
    assert expected_sessions(date(2001, 9, 7), date(2001, 9, 18)) == [
        date(2001, 9, 7),
        date(2001, 9, 10),
        date(2001, 9, 17),
        date(2001, 9, 18),
    ]
    assert date(2024, 7, 4) not in expected_sessions(date(2024, 7, 1), date(2024, 7, 5))
    assert not is_session(date(2024, 7, 4))
    assert is_session(date(2024, 7, 5))


def test_missing_sessions_lists_the_sessions_without_a_bar():
    have = [date(2024, 1, 2), date(2024, 1, 4)]
    assert missing_sessions(have, date(2024, 1, 1), date(2024, 1, 8)) == [
        date(2024, 1, 3),
        date(2024, 1, 5),
        date(2024, 1, 8),
    ]


def test_missing_sessions_accepts_the_session_column_of_the_bar_contract():
    column = pd.Series(pd.to_datetime(["2024-01-02", "2024-01-03"])).astype("datetime64[ns]")
    assert missing_sessions(column, date(2024, 1, 2), date(2024, 1, 3)) == []
    assert missing_sessions(
        pd.Series([], dtype="datetime64[ns]"), date(2024, 1, 2), date(2024, 1, 2)
    ) == [date(2024, 1, 2)]


def test_a_bar_on_a_holiday_or_outside_the_range_does_not_matter():
    have = [date(2024, 7, 4), date(2023, 12, 29), date(2024, 7, 5)]
    assert missing_sessions(have, date(2024, 7, 4), date(2024, 7, 5)) == []


def test_an_empty_or_reversed_range_has_no_sessions():
    assert expected_sessions(date(2024, 1, 6), date(2024, 1, 7)) == []  # a weekend
    assert missing_sessions([], date(2024, 1, 8), date(2024, 1, 2)) == []


def test_the_calendar_is_built_once_and_reused():
    calendar = get_calendar()
    for _ in range(3):
        missing_sessions([], date(1999, 1, 4), date(2018, 12, 31))
    assert get_calendar(start=date(2000, 1, 1), end=date(2030, 1, 1)) is calendar
    assert get_calendar(start=date(1980, 1, 1)) is not calendar  # wider span, its own object


def test_twenty_years_of_nyse_sessions():
    assert len(expected_sessions(date(1999, 1, 4), date(2018, 12, 31))) == 5031


def test_a_range_starting_on_the_calendars_first_day_is_not_an_error():
    # Regression: bars from 1990-01-01 (a holiday, the day the cached calendar
    # starts) made exchange-calendars raise DateOutOfBounds, and the upload answer 500.
    assert missing_sessions([date(1990, 1, 2)], date(1990, 1, 1), date(1990, 1, 3)) == [
        date(1990, 1, 3)
    ]
    assert expected_sessions(date(1989, 12, 30), date(1990, 1, 2))[-1] == date(1990, 1, 2)
