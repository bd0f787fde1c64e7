"""The trading part of QuantDesk's contract: recommendation, rebalance batches and the
portfolio they leave. The only code of the trading scenarios that knows URLs."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from support.drivers.http import PlatformApi


def _client(client_id: str) -> str:
    return f"/v1/clients/{quote(client_id, safe='')}"


def _batch(client_id: str, batch_id: str) -> str:
    return f"{_client(client_id)}/rebalances/{quote(batch_id, safe='')}"


def is_operation(answer: dict[str, Any]) -> bool:
    """Whether an execution answered with the operation running it, not the batch."""
    return "done" in answer and "progress" in answer


class TradingDriver(PlatformApi):
    def recommendation(self, client_id: str, *, token: str | None = None) -> dict[str, Any]:
        return self.http.json(
            "GET", f"{_client(client_id)}/recommendation", headers=self._as(token)
        )

    def propose(self, client_id: str, *, token: str | None = None) -> dict[str, Any]:
        return self.http.json(
            "POST", f"{_client(client_id)}/rebalances", headers=self._as(token), expect=201
        )

    def rebalance(
        self, client_id: str, batch_id: str, *, token: str | None = None
    ) -> dict[str, Any]:
        return self.http.json("GET", _batch(client_id, batch_id), headers=self._as(token))

    def rebalances(self, client_id: str, *, token: str | None = None) -> list[dict[str, Any]]:
        answer = self.http.json("GET", f"{_client(client_id)}/rebalances", headers=self._as(token))
        return answer["items"]

    def approve(self, client_id: str, batch_id: str, reason: str | None = None) -> dict[str, Any]:
        return self.http.json(
            "POST",
            f"{_batch(client_id, batch_id)}:approve",
            json={"reason": reason},
            headers=self._operator(),
        )

    def reject(self, client_id: str, batch_id: str, reason: str | None) -> dict[str, Any]:
        return self.http.json(
            "POST",
            f"{_batch(client_id, batch_id)}:reject",
            json={"reason": reason},
            headers=self._operator(),
        )

    def execute(
        self,
        client_id: str,
        batch_id: str,
        *,
        token: str | None = None,
        key: str | None = None,
        background: bool = False,
    ) -> dict[str, Any]:
        """The batch as its execution left it, or the operation running it in the
        background (asked for with ``background``, or because the batch is large)."""
        headers = self._as(token) | ({"Idempotency-Key": key} if key else {})
        response = self.http.request(
            "POST",
            f"{_batch(client_id, batch_id)}:execute",
            headers=headers,
            params={"as_operation": "true"} if background else None,
        )
        answer = response.json()
        shown = (response.status_code, is_operation(answer))
        assert shown in (((202, True),) if background else ((200, False), (202, True))), (
            f"an execution answers 200 with the batch or 202 with its operation, not "
            f"{response.status_code} with {'an operation' if shown[1] else 'a batch'}"
        )
        return answer

    def limits(self) -> dict[str, Any]:
        return self.http.json("GET", "/v1/trading/limits", headers=self._operator())

    def dry_run(self, client_id: str, batch_id: str, *, token: str | None = None) -> dict[str, Any]:
        return self.http.json(
            "POST", f"{_batch(client_id, batch_id)}:dry-run", headers=self._as(token)
        )

    def portfolio(self, client_id: str, *, token: str | None = None) -> dict[str, Any]:
        return self.http.json("GET", f"{_client(client_id)}/portfolio", headers=self._as(token))

    def portfolio_history(self, client_id: str, *, token: str | None = None) -> dict[str, Any]:
        path = f"{_client(client_id)}/portfolio/history"
        return self.http.json("GET", path, headers=self._as(token))

    def reconciliation(self, client_id: str, *, token: str | None = None) -> dict[str, Any]:
        path = f"{_client(client_id)}/portfolio/reconciliation"
        return self.http.json("GET", path, headers=self._as(token))

    def repair(self, client_id: str) -> dict[str, Any]:
        path = f"{_client(client_id)}/portfolio/reconciliation:repair"
        return self.http.json("POST", path, headers=self._operator())

    def close_out(self, client_id: str) -> dict[str, Any]:
        path = f"{_client(client_id)}/rebalances:close-out"
        return self.http.json("POST", path, headers=self._operator(), expect=201)

    def risk(self, client_id: str, *, token: str | None = None) -> dict[str, Any]:
        return self.http.json("GET", f"{_client(client_id)}/risk", headers=self._as(token))

    def set_daily_loss_limit(
        self, client_id: str, limit: str | None, reason: str
    ) -> dict[str, Any]:
        body = {"daily_loss_limit": limit, "reason": reason}
        return self.http.json(
            "PUT", f"{_client(client_id)}/risk", json=body, headers=self._operator()
        )

    def resume_trading(self, client_id: str, reason: str) -> dict[str, Any]:
        path = f"{_client(client_id)}/risk:resume"
        return self.http.json("POST", path, json={"reason": reason}, headers=self._operator())

    def fail_recording_fills(self, client_id: str, fills: int) -> dict[str, Any]:
        """A test control: the client's next ``fills`` fail half-way through being recorded."""
        path = f"/v1/controls/clients/{quote(client_id, safe='')}/faults"
        body = {"fail_recording_fills": fills}
        return self.http.json("PUT", path, json=body, headers=self._operator())
