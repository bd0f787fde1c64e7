"""What the simulated brokerage's trading desk can trade, and at what price each session.

Two kinds of symbols:

- **real history** replayed from data shipped in PyPI packages (``SPX``, ``NDX``: see
  ``market_data.py``), at their real closes;
- a **synthetic universe** of ``SYNTHETIC_COUNT`` symbols (``SYN000`` ... ``SYN199``):
  correlated random walks, one market factor plus a symbol's own noise, from a fixed
  seed, so every machine gets the same bars. Enough symbols to trade portfolios of 50+.

Sessions are the NYSE's (exchange-calendars XNYS) from ``FIRST_SESSION`` to
``LAST_SESSION``; a paper account starts at ``START_SESSION`` and its simulated date
only moves forward. Prices are in cents.
"""

from __future__ import annotations

import warnings
from datetime import date
from functools import cache

import numpy as np
import pandas as pd

from quantdesk.broker_sim.market_data import history

SYNTHETIC_COUNT = 200
SYNTHETIC_PREFIX = "SYN"
SEED = 20_260_101
FIRST_SESSION = date(2015, 1, 2)
LAST_SESSION = date(2018, 12, 31)
START_SESSION = date(2018, 1, 2)
REAL_SYMBOLS = ("SPX", "NDX")
SYNTHETIC_SYMBOLS = tuple(f"{SYNTHETIC_PREFIX}{i:03d}" for i in range(SYNTHETIC_COUNT))


@cache
def sessions() -> tuple[date, ...]:
    import exchange_calendars  # about 0.1 s: only when the desk first needs it

    with warnings.catch_warnings():
        # exchange-calendars 4.13 reads tz-aware Series.values, deprecated by pandas 3.1.
        warnings.filterwarnings("ignore", message=r"Series\.values returning an ndarray")
        calendar = exchange_calendars.get_calendar(
            "XNYS", start=FIRST_SESSION.isoformat(), end=LAST_SESSION.isoformat()
        )
    return tuple(s.date() for s in calendar.sessions)


@cache
def _synthetic_cents() -> pd.DataFrame:
    """Closes in cents, one column per synthetic symbol, one row per session."""
    days = sessions()
    rng = np.random.default_rng(SEED)
    start = rng.uniform(20.0, 300.0, SYNTHETIC_COUNT)
    beta = rng.uniform(0.5, 1.5, SYNTHETIC_COUNT)
    market = rng.normal(0.0003, 0.01, len(days))
    own = rng.normal(0.0, 0.015, (len(days), SYNTHETIC_COUNT))
    returns = market[:, None] * beta[None, :] + own
    returns[0] = 0.0
    closes = start[None, :] * np.exp(np.cumsum(returns, axis=0))
    cents = np.maximum(np.round(closes * 100), 1).astype(np.int64)
    return pd.DataFrame(cents, index=list(days), columns=list(SYNTHETIC_SYMBOLS))


@cache
def _real_cents(symbol: str) -> dict[date, int]:
    frame = history(symbol)
    if frame is None:
        return {}
    return {
        date.fromisoformat(t): round(float(c) * 100)
        for t, c in zip(frame["t"], frame["c"], strict=True)
    }


def tradable(symbol: str) -> bool:
    return symbol in SYNTHETIC_SYMBOLS or (symbol in REAL_SYMBOLS and bool(_real_cents(symbol)))


def close_cents(symbol: str, session: date) -> int | None:
    """The close of ``symbol`` at ``session`` in cents; None if it did not trade then."""
    if symbol in SYNTHETIC_SYMBOLS:
        frame = _synthetic_cents()
        return int(frame.at[session, symbol]) if session in frame.index else None
    if symbol in REAL_SYMBOLS:
        return _real_cents(symbol).get(session)
    return None


def session_after(session: date, count: int) -> date | None:
    """The session ``count`` sessions after ``session``; None past the last one."""
    days = sessions()
    index = days.index(session) + count
    return days[index] if 0 <= index < len(days) else None
