"""Test data: real market history shipped in PyPI packages, exchange sessions, CSV files.

The history comes from ``quantdesk.market_history`` (files inside the installed ``arch``
and ``matplotlib`` packages, nothing downloaded). Expected sessions come straight from
exchange-calendars, independently of the platform's own calendar code.
"""

from __future__ import annotations

import re
import warnings
from datetime import UTC, date, datetime, timedelta
from functools import cache

import pandas as pd

from quantdesk.market_history import load_history

BAR_COLUMNS = ["symbol", "session", "open", "high", "low", "close", "volume"]


def parse_period(text: str) -> tuple[date, date]:
    """``"2018"``, ``"January 2018"``, ``"2018-01-02 to 2018-03-29"`` or ``"2005 to 2007"``
    -> (first, last) day."""
    text = text.strip()
    if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2}) to (\d{4}-\d{2}-\d{2})", text):
        return date.fromisoformat(m[1]), date.fromisoformat(m[2])
    if m := re.fullmatch(r"(.+?) to (.+)", text):
        return parse_period(m[1])[0], parse_period(m[2])[1]
    freq = "Y" if re.fullmatch(r"\d{4}", text) else "M"
    period = pd.Period(pd.Timestamp(text), freq=freq)
    return period.start_time.date(), period.end_time.date()


def history(source: str, start: date, end: date, *, symbol: str) -> pd.DataFrame:
    """Real daily bars of ``source`` (e.g. ``SPX``) in ``start``..``end``, named ``symbol``."""
    bars = load_history([source], start=start, end=end)
    return bars.assign(symbol=symbol)


@cache
def _xnys():
    import exchange_calendars as xcals

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return xcals.get_calendar("XNYS", start="1990-01-01", end="2035-12-31")


def exchange_sessions(start: date, end: date) -> list[date]:
    """NYSE trading sessions in ``start``..``end`` (both included)."""
    index = _xnys().sessions_in_range(pd.Timestamp(start), pd.Timestamp(end))
    return [d.date() for d in index]


def sessions_from(first: date, count: int) -> list[date]:
    """``count`` consecutive NYSE sessions starting on (or after) ``first``."""
    return exchange_sessions(first, date(first.year + 1 + count // 200, 12, 31))[:count]


def to_csv(frame: pd.DataFrame) -> bytes:
    """Bars as the CSV a data vendor would send (dates ISO, values as given)."""
    out = frame.loc[:, BAR_COLUMNS].copy()
    if pd.api.types.is_datetime64_any_dtype(out["session"]):
        out["session"] = out["session"].dt.strftime("%Y-%m-%d")
    return out.to_csv(index=False).encode()


def symbol_list(text: str) -> list[str]:
    """``"SPX, NDX and GOOG"`` -> ``["SPX", "NDX", "GOOG"]``."""
    return [s for s in re.split(r"\s*,\s*|\s+and\s+", text.strip()) if s]


# Dates the specification describes instead of spelling out ("18 years ago today",
# "tomorrow"): the platform's dates, which it counts in UTC.
_DAY = re.compile(r"^(?:(\d+) years ago )?(yesterday|today|tomorrow)$")
_SHIFT = {"yesterday": -1, "today": 0, "tomorrow": 1}


def platform_today() -> date:
    return datetime.now(UTC).date()


def date_described(text: str, today: date) -> date | None:
    """``18 years ago today`` is the 18th birthday being today; None if not such a text.

    A 29 February that the earlier year lacks becomes 28 February, the last day on which
    that person is still the age the text names.
    """
    match = _DAY.match(text.strip())
    if not match:
        return None
    day = today + timedelta(days=_SHIFT[match[2]])
    years = int(match[1] or 0)
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def session_text(words: str) -> str:
    """A session as the specification writes it: an ISO date, "today" or "tomorrow"."""
    described = date_described(words, platform_today())
    return described.isoformat() if described is not None else words
