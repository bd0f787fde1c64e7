"""QuantDesk's contract for deposits into a client's linked brokerage account."""

from __future__ import annotations

from typing import Any

from support.drivers.http import PlatformApi


class FundingDriver(PlatformApi):
    def deposit(
        self,
        client_id: str,
        amount: str,
        *,
        idempotency_key: str | None = None,
        token: str | None = None,
        again: bool = False,
    ) -> dict[str, Any]:
        """A deposit: 201 when it is made, 200 when ``again`` (the same request key and body
        answer the deposit already made)."""
        headers = self._as(token)
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        return self.http.json(
            "POST",
            f"/v1/clients/{client_id}/deposits",
            json={"amount": amount},
            headers=headers,
            expect=200 if again else 201,
        )

    def deposits_of(self, client_id: str, *, token: str | None = None) -> list[dict[str, Any]]:
        return self.http.json("GET", f"/v1/clients/{client_id}/deposits", headers=self._as(token))[
            "items"
        ]
