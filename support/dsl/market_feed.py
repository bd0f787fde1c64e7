"""Loading real history from the brokerage's market-data feed, in business terms: a load of
one history completes at once, a longer one runs in the background as an operation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import allure

from support import datasets
from support.dsl.market_data import MarketData
from support.dsl.operations import Operations
from support.dsl.outcomes import Outcomes
from support.reporting import attach_json


@dataclass
class MarketFeed:
    market_data: MarketData
    operations: Operations
    outcomes: Outcomes

    def _feed_symbols(self, sources: list[str]) -> list[dict[str, str]]:
        return [{"broker_symbol": s, "symbol": self.market_data.aliases.symbol(s)} for s in sources]

    def load_from_broker(self, sources: list[str], period: str) -> dict[str, Any]:
        """Load real history from the brokerage's feed; wait for it if it is an operation."""
        start, end = datasets.parse_period(period)
        with allure.step(f"Load the {', '.join(sources)} history of {period} from the brokerage"):
            is_operation, body = self.market_data.driver.ingest_from_broker(
                self._feed_symbols(sources), start, end
            )
            if is_operation:
                body = self.operations.result_of(body)
            self.market_data.record(body)
        return body

    def attempt_load_from_broker(self, source: str, period: str) -> None:
        self.outcomes.attempt(lambda: self.load_from_broker([source], period))

    def start_load_from_broker(self, sources: list[str], period: str) -> dict[str, Any]:
        """Start a load as an operation and return at once."""
        start, end = datasets.parse_period(period)
        with allure.step(f"Start loading {', '.join(sources)} of {period} from the brokerage"):
            is_operation, body = self.market_data.driver.ingest_from_broker(
                self._feed_symbols(sources), start, end, as_operation=True
            )
        assert is_operation, f"the load did not run as an operation: {body}"
        self.operations.started(body)
        return body

    def symbol_refusal(self) -> list[dict[str, str]]:
        """The problems of the last refused load that are broken symbol rules."""
        refusal = self.outcomes.last_refusal("the load")
        attach_json("the refusal", {"code": refusal.code, "details": refusal.details})
        return [f for f in refusal.details.get("fields", []) if f["code"] == "invalid_symbol"]

    def nothing_stored_for(self, symbol: str) -> list[str]:
        """What the last refused load left behind for ``symbol``: a recorded run, stored
        bars (empty when nothing)."""
        left = []
        refusal = self.outcomes.refusal
        if refusal is not None and "run_id" in refusal.details:
            left.append(f"run {refusal.details['run_id']}")
        left.extend(f"bar of {d.isoformat()}" for d in self.market_data.stored_sessions(symbol))
        return left
