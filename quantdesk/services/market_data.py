"""Stored daily bars read back: a symbol's bars, indicators of its closes, and bars in the
bar contract for other services (feature sets)."""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session, sessionmaker

from quantdesk.domain import indicators as ind
from quantdesk.domain.symbols import parse_symbol, symbol_problem
from quantdesk.errors import ValidationFailed
from quantdesk.store import bars as bar_store
from quantdesk.store.models import DailyBarRow

_EXTRA_INDICATOR = re.compile(r"^(sma|ema|rsi)_(\d{1,3})$")


def decimal_text(value: float | None) -> str | None:
    """A float as a plain decimal string (shortest round-trip digits, never exponent)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return format(Decimal(repr(float(value))), "f")


def bar_view(row: DailyBarRow) -> dict[str, Any]:
    return {
        "symbol": row.symbol,
        "session": row.session.isoformat(),
        **{name: decimal_text(getattr(row, name)) for name in ("open", "high", "low", "close")},
        "volume": str(row.volume),
    }


def query_symbols(field: str, symbols: list[str]) -> list[str]:
    """The stored form of symbols a caller asked for; 422 ``invalid_symbol`` naming the
    rule if any breaks it."""
    problem = symbol_problem(field, symbols)
    if problem:
        raise ValidationFailed([problem])
    return [parse_symbol(s) or "" for s in symbols]


class MarketDataService:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def stored_bars(
        self, symbols: list[str], start: date | None = None, end: date | None = None
    ) -> pd.DataFrame:
        """Stored bars of ``symbols`` in the bar contract (for feature sets and the like)."""
        with self.sessions() as session:
            return bar_store.stored_frame(session, query_symbols("symbols", symbols), start, end)

    def bars(self, symbol: str, start: date | None, end: date | None) -> dict[str, Any]:
        symbol = _check_query(symbol, start, end)
        with self.sessions() as session:
            rows = bar_store.bars_of(session, symbol, start, end)
            return {"symbol": symbol, "items": [bar_view(r) for r in rows]}

    def indicators(
        self,
        symbol: str,
        start: date | None,
        end: date | None,
        names: list[str] | None = None,
    ) -> dict[str, Any]:
        """Indicators of the stored closes in ``start``..``end``.

        Warm-up: every stored bar of the symbol before ``start`` is used, so a value at a
        session does not depend on the range asked for. ``names``: the standard panel
        (``quantdesk.domain.indicators.INDICATOR_COLUMNS``) by default; ``sma_<n>``,
        ``ema_<n>`` and ``rsi_<n>`` may be asked for too.
        """
        symbol = _check_query(symbol, start, end)
        wanted = _indicator_names(names)
        with self.sessions() as session:
            bars = bar_store.stored_frame(session, [symbol], None, end)
        items: list[dict[str, Any]] = []
        if len(bars):
            panel = ind.compute_indicators(bars)
            close = panel["close"]
            for name in wanted:
                if name not in panel.columns:
                    kind, n = _EXTRA_INDICATOR.match(name).groups()  # type: ignore[union-attr]
                    panel[name] = getattr(ind, kind)(close, int(n)).to_numpy()
            if start is not None:
                panel = panel.loc[panel.index >= pd.Timestamp(start)]
            sessions = panel.index.strftime("%Y-%m-%d").tolist()
            columns = [
                [decimal_text(v) for v in panel[name].to_numpy(dtype="float64").tolist()]
                for name in wanted
            ]
            items = [
                {"session": day, **dict(zip(wanted, values, strict=True))}
                for day, values in zip(sessions, zip(*columns, strict=True), strict=True)
            ]
        return {"symbol": symbol, "indicators": wanted, "items": items}


def _indicator_names(names: list[str] | None) -> list[str]:
    if not names:
        return list(ind.INDICATOR_COLUMNS)
    wanted = [n.strip().lower() for n in names if n.strip()]
    bad = [
        n
        for n in wanted
        if n not in ind.INDICATOR_COLUMNS
        and not (_EXTRA_INDICATOR.match(n) and 1 <= int(n.rsplit("_", 1)[1]) <= 500)
    ]
    if bad:
        raise ValidationFailed(
            [
                {
                    "field": "indicators",
                    "code": "invalid_choice",
                    "message": f"unknown indicator(s) {', '.join(bad)}; use "
                    f"{', '.join(ind.INDICATOR_COLUMNS)}, sma_<n>, ema_<n> or rsi_<n>",
                }
            ]
        )
    return list(dict.fromkeys(wanted))


def _check_query(symbol: str, start: date | None, end: date | None) -> str:
    """The stored form of a queried symbol, once the symbol and the range are valid (every
    problem reported at once)."""
    problems = []
    symbol_refused = symbol_problem("symbol", [symbol])
    if symbol_refused:
        problems.append(symbol_refused)
    if start is not None and end is not None and end < start:
        problems.append({"field": "end", "code": "before_start", "message": "end is before start"})
    if problems:
        raise ValidationFailed(problems)
    return parse_symbol(symbol) or ""
