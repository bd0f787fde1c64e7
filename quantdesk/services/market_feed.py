"""The platform's client of the brokerage's market-data feed (daily bars by symbol).

The feed is public at the broker (no OAuth token): ``GET /v1/market-data/bars/{symbol}
?start=&end=`` answers ``{symbol, timeframe, bars: [{t, o, h, l, c, v}]}`` (Alpaca's bar
field names). Bars come back as raw columns for ``quantdesk.domain
.bar_validation.validate_bars``: the platform validates a broker's bars like any vendor's file.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

import httpx
import pandas as pd

from quantdesk.errors import BrokerageUnavailable, UnknownSymbol


def bars_path(broker_symbol: str) -> str:
    """The feed's path of a symbol's bars: the symbol is one percent-encoded path segment
    (``SPX?x=1`` -> ``SPX%3Fx%3D1``), so no symbol can add a query, a fragment or another
    segment to the brokerage's URL. ``.`` and ``..`` are encoded too: left as they are, a
    client would resolve them as "this" and "the parent" segment."""
    segment = quote(broker_symbol, safe="")
    if segment in (".", ".."):
        segment = segment.replace(".", "%2E")
    return "/v1/market-data/bars/" + segment


class MarketFeed:
    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def daily_bars(self, broker_symbol: str, start: date, end: date, symbol: str) -> pd.DataFrame:
        """Raw bars of ``broker_symbol`` in ``start``..``end``, named ``symbol``."""
        try:
            response = self.http.get(
                bars_path(broker_symbol),
                params={"start": start.isoformat(), "end": end.isoformat()},
            )
        except httpx.HTTPError as exc:
            raise BrokerageUnavailable(
                "The brokerage's market-data feed did not answer.",
                details={"reason": f"the brokerage is unavailable ({type(exc).__name__})"},
            ) from None
        if response.status_code == 404:
            raise UnknownSymbol(
                f"The brokerage has no market data for {broker_symbol}.",
                details={"broker_symbol": broker_symbol},
            )
        if response.status_code != 200:
            raise BrokerageUnavailable(
                "The brokerage's market-data feed is unavailable.",
                details={"reason": f"the brokerage is unavailable (status {response.status_code})"},
            )
        try:
            bars = response.json()["bars"]
            return pd.DataFrame(
                {
                    "symbol": symbol,
                    "session": [b["t"] for b in bars],
                    "open": [b["o"] for b in bars],
                    "high": [b["h"] for b in bars],
                    "low": [b["l"] for b in bars],
                    "close": [b["c"] for b in bars],
                    "volume": [b["v"] for b in bars],
                },
                dtype=object,
            )
        except (ValueError, KeyError, TypeError):
            raise BrokerageUnavailable(
                "The brokerage's market-data feed answered something that is not bars.",
                details={"reason": "the brokerage answered an unreadable feed"},
            ) from None
