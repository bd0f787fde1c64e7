"""Exchange sessions and gaps in a symbol's history (pure; exchange-calendars).

Sessions are the exchange's real trading days (XNYS: weekends, NYSE holidays and
special closures such as 2001-09-11..14 or 2012-10-29..30 are not sessions), not
weekdays. Dates in and out are :class:`datetime.date`.

Building an ``ExchangeCalendar`` costs about 0.1 s, so each (calendar, span) is built
lazily on first use and cached for the life of the process; every span is widened to
at least :data:`CALENDAR_FIRST_YEAR`..:data:`CALENDAR_LAST_YEAR`, so ordinary requests
share one object.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from exchange_calendars import ExchangeCalendar

DEFAULT_CALENDAR = "XNYS"
CALENDAR_FIRST_YEAR = 1990
CALENDAR_LAST_YEAR = 2035


@lru_cache(maxsize=16)
def _calendar(name: str, first_year: int, last_year: int) -> ExchangeCalendar:
    import exchange_calendars as xcals  # deferred: importing costs ~0.3 s

    with warnings.catch_warnings():
        # exchange-calendars 4.13 reads tz-aware Series.values, deprecated by pandas 3.1.
        warnings.filterwarnings("ignore", message=r"Series\.values returning an ndarray")
        return xcals.get_calendar(name, start=f"{first_year}-01-01", end=f"{last_year}-12-31")


def get_calendar(
    name: str = DEFAULT_CALENDAR, *, start: date | None = None, end: date | None = None
) -> ExchangeCalendar:
    """The cached calendar covering at least ``start``..``end``."""
    first = min(CALENDAR_FIRST_YEAR, start.year if start else CALENDAR_FIRST_YEAR)
    last = max(CALENDAR_LAST_YEAR, end.year if end else CALENDAR_LAST_YEAR)
    return _calendar(name, first, last)


def _session_index(start: date, end: date, calendar: str) -> pd.DatetimeIndex:
    if end < start:
        return pd.DatetimeIndex([])
    cal = get_calendar(calendar, start=start, end=end)
    # A calendar built from January 1st starts at its first *session*: clamp to it, or
    # exchange-calendars raises DateOutOfBounds for a range that starts on a holiday.
    first, last = cal.first_session, cal.last_session
    clamped_start, clamped_end = max(pd.Timestamp(start), first), min(pd.Timestamp(end), last)
    if clamped_end < clamped_start:
        return pd.DatetimeIndex([])
    return cal.sessions_in_range(clamped_start, clamped_end)


def _as_dates(index: pd.DatetimeIndex) -> list[date]:
    return [d.date() for d in index]


def expected_sessions(start: date, end: date, calendar: str = DEFAULT_CALENDAR) -> list[date]:
    """Every session of ``calendar`` from ``start`` to ``end``, both included, ascending."""
    return _as_dates(_session_index(start, end, calendar))


def missing_sessions(
    symbol_sessions: Iterable[date | datetime | pd.Timestamp] | pd.Series | pd.Index,
    start: date,
    end: date,
    calendar: str = DEFAULT_CALENDAR,
) -> list[date]:
    """Sessions of ``calendar`` in ``start``..``end`` with no bar in ``symbol_sessions``.

    ``symbol_sessions`` is one symbol's session dates (e.g. the ``session`` column of the
    bar contract); times of day are ignored, dates outside the range and non-session
    dates (a bar on a holiday) do not matter here. Result ascending.
    """
    expected = _session_index(start, end, calendar)
    if expected.empty:
        return []
    have = pd.DatetimeIndex(pd.to_datetime(pd.Index(symbol_sessions))).normalize()
    if have.tz is not None:
        have = have.tz_localize(None)
    absent = ~np.isin(expected.asi8, have.as_unit(expected.unit).asi8)
    return _as_dates(expected[absent])


def is_session(day: date, calendar: str = DEFAULT_CALENDAR) -> bool:
    """Whether ``day`` is a trading session of ``calendar``."""
    return bool(get_calendar(calendar, start=day, end=day).is_session(pd.Timestamp(day)))
