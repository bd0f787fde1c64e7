"""Real daily OHLCV history shipped inside installed PyPI packages (offline, read-only).

Nothing is ever downloaded. The universe is what the installed packages carry:

======  =====================================  ======================  ====================
symbol  series                                 file                    sessions
======  =====================================  ======================  ====================
SPX     S&P 500 index (Yahoo ^GSPC)            arch: data/sp500        1999-01-04..2018-12-31
NDX     NASDAQ Composite index (Yahoo ^IXIC);  arch: data/nasdaq       1999-01-04..2018-12-31
        named NDX in QuantDesk
GOOG    Google Inc. class A shares (Yahoo,     matplotlib:             2004-08-19..2008-10-14
        unadjusted prices)                     mpl-data/sample_data/
                                               goog.npz
======  =====================================  ======================  ====================

Files are located with ``importlib.util.find_spec`` (the packages are not imported)
and read with pandas/numpy. Every source goes through
``quantdesk.domain.bar_validation.validate_bars``; the returned frame is in the bar
contract documented there (symbol, session, open, high, low, close, volume).
"""

from __future__ import annotations

import gzip
import importlib.util
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from quantdesk.domain.bar_csv import parse_csv
from quantdesk.domain.bar_validation import validate_bars
from quantdesk.domain.bars import bars_frame

# Real history ends years before any plausible "today"; used only for future_session.
_VALIDATION_TODAY = date(2100, 1, 1)


class HistoryUnavailable(LookupError):
    """The symbol is unknown, or the package that ships its history is not installed."""


@dataclass(frozen=True)
class HistorySource:
    symbol: str
    package: str
    path: str  # inside the package directory
    description: str
    reader: Callable[[Path, str], pd.DataFrame]


def _read_yahoo_csv_gz(path: Path, symbol: str) -> pd.DataFrame:
    return parse_csv(gzip.decompress(path.read_bytes()), symbol=symbol)


def _read_npz_price_data(path: Path, symbol: str) -> pd.DataFrame:
    with np.load(path, allow_pickle=False) as archive:
        data = archive["price_data"]
    return pd.DataFrame(
        {
            "symbol": symbol,
            "session": data["date"],
            **{name: data[name] for name in ("open", "high", "low", "close", "volume")},
        }
    )


SOURCES: dict[str, HistorySource] = {
    source.symbol: source
    for source in (
        HistorySource(
            "SPX",
            "arch",
            "data/sp500/sp500.csv.gz",
            "S&P 500 index, daily, Yahoo Finance (^GSPC), shipped by arch",
            _read_yahoo_csv_gz,
        ),
        HistorySource(
            "NDX",
            "arch",
            "data/nasdaq/nasdaq.csv.gz",
            "NASDAQ Composite index, daily, Yahoo Finance (^IXIC), shipped by arch",
            _read_yahoo_csv_gz,
        ),
        HistorySource(
            "GOOG",
            "matplotlib",
            "mpl-data/sample_data/goog.npz",
            "Google Inc. shares, daily, Yahoo Finance, shipped by matplotlib",
            _read_npz_price_data,
        ),
    )
}


def _package_dir(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _source_file(source: HistorySource) -> Path | None:
    root = _package_dir(source.package)
    if root is None:
        return None
    path = root / source.path
    return path if path.is_file() else None


def available_symbols() -> list[str]:
    """Symbols whose history is installed here, sorted."""
    return sorted(s for s, source in SOURCES.items() if _source_file(source) is not None)


@cache
def _load_one(symbol: str) -> pd.DataFrame:
    source = SOURCES.get(symbol)
    if source is None:
        known = ", ".join(sorted(SOURCES))
        raise HistoryUnavailable(f"no shipped history for {symbol!r} (known: {known})")
    path = _source_file(source)
    if path is None:
        raise HistoryUnavailable(
            f"history of {symbol} needs the {source.package!r} package ({source.path})"
        )
    result = validate_bars(source.reader(path, symbol), today=_VALIDATION_TODAY)
    if result.quarantined_count:  # pragma: no cover - the shipped files are clean
        raise ValueError(f"shipped history of {symbol} breaks {result.rule_counts()}")
    return result.valid


def load_history(
    symbols: Iterable[str] | None = None,
    *,
    start: date | None = None,
    end: date | None = None,
) -> pd.DataFrame:
    """Real daily bars of ``symbols`` (default: every available symbol) in the bar contract.

    Sorted by symbol then session, default index; ``start``/``end`` (inclusive) trim
    sessions. Raises :class:`HistoryUnavailable` for an unknown or uninstalled symbol.
    Each file is read once per process (cached); callers get their own copy.
    """
    wanted = available_symbols() if symbols is None else sorted({s.upper() for s in symbols})
    frames = [_load_one(symbol) for symbol in wanted]
    if not frames:
        return bars_frame()
    bars = pd.concat(frames, ignore_index=True)
    if start is not None:
        bars = bars.loc[bars["session"] >= pd.Timestamp(start)]
    if end is not None:
        bars = bars.loc[bars["session"] <= pd.Timestamp(end)]
    return bars.reset_index(drop=True).copy()
