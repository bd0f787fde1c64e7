"""QuantDesk's market-data contract (/v1/market-data), as the suite uses it."""

from __future__ import annotations

from datetime import date
from typing import Any

from support.drivers.http import PlatformApi


class MarketDataDriver(PlatformApi):
    def ingest_csv(self, content: bytes, *, kind: str, source: str) -> dict[str, Any]:
        """The run; a refused file raises ``ApiError`` (``details.run_id`` names the run)."""
        return self.http.json(
            "POST",
            "/v1/market-data/ingestions",
            params={"kind": kind, "source": source},
            content=content,
            headers={**self._operator(), "Content-Type": "text/csv"},
        )

    def run(self, run_id: str) -> dict[str, Any]:
        return self.http.json(
            "GET", f"/v1/market-data/ingestions/{run_id}", headers=self._operator()
        )

    def quarantine(self, run_id: str) -> list[dict[str, Any]]:
        return self.http.json(
            "GET", f"/v1/market-data/ingestions/{run_id}/quarantine", headers=self._operator()
        )["items"]

    def quality_report(self, run_id: str) -> dict[str, Any]:
        return self.http.json(
            "GET", f"/v1/market-data/ingestions/{run_id}/quality-report", headers=self._operator()
        )

    def bars(self, symbol: str, start: date | None = None, end: date | None = None) -> list[dict]:
        return self.http.json(
            "GET",
            "/v1/market-data/bars",
            params=_range(symbol, start, end),
            headers=self._operator(),
        )["items"]

    def indicators(
        self, symbol: str, names: list[str], start: date | None = None, end: date | None = None
    ) -> list[dict[str, Any]]:
        params = {**_range(symbol, start, end), "indicators": ",".join(names)}
        return self.http.json(
            "GET", "/v1/market-data/indicators", params=params, headers=self._operator()
        )["items"]

    # -- the brokerage's feed, operations, limits, feature sets ----------------------------

    def ingest_from_broker(
        self,
        symbols: list[dict[str, str]],
        start: date,
        end: date,
        *,
        kind: str = "full",
        as_operation: bool = False,
    ) -> tuple[bool, dict[str, Any]]:
        """``(is_operation, body)``: the run (201), or the operation of a large load (202)."""
        response = self.http.request(
            "POST",
            "/v1/market-data/ingestions",
            json={
                "source": "broker",
                "kind": kind,
                "symbols": symbols,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "as_operation": as_operation,
            },
            headers=self._operator(),
        )
        return response.status_code == 202, response.json()

    def operation(self, operation_id: str) -> dict[str, Any]:
        return self.http.json("GET", f"/v1/operations/{operation_id}", headers=self._operator())

    def cancel_operation(self, operation_id: str) -> dict[str, Any]:
        return self.http.json(
            "POST", f"/v1/operations/{operation_id}:cancel", headers=self._operator()
        )

    def limits(self) -> dict[str, Any]:
        return self.http.json("GET", "/v1/market-data/limits", headers=self._operator())

    def feature_rows(
        self, key: str, symbols: list[str], start: date | None = None, end: date | None = None
    ) -> list[dict[str, Any]]:
        params = {"symbols": ",".join(symbols)}
        params.update({k: v.isoformat() for k, v in (("start", start), ("end", end)) if v})
        return self.http.json(
            "GET",
            f"/v1/market-data/feature-sets/{key}/rows",
            params=params,
            headers=self._operator(),
        )["items"]

    def feature_split(
        self, key: str, symbols: list[str], fractions: dict[str, float], gap: int = 0
    ) -> dict[str, Any]:
        return self.http.json(
            "GET",
            f"/v1/market-data/feature-sets/{key}/split",
            params={"symbols": ",".join(symbols), **fractions, "gap": gap},
            headers=self._operator(),
        )


def _range(symbol: str, start: date | None, end: date | None) -> dict[str, str]:
    params = {"symbol": symbol}
    if start is not None:
        params["start"] = start.isoformat()
    if end is not None:
        params["end"] = end.isoformat()
    return params
