"""QuantDesk's HTTP contract, as the suite uses it."""

from __future__ import annotations

from typing import Any

from support.drivers.http import RecordingClient


class PlatformDriver:
    def __init__(self, http: RecordingClient, operator_key: str | None) -> None:
        self.http = http
        self.operator_key = operator_key
        http.redactor.remember(operator_key)

    def _operator(self, key: str | None = None) -> dict[str, str]:
        key = self.operator_key if key is None else key
        return {"X-API-Key": key} if key else {}

    # -- health -------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        return self.http.json("GET", "/v1/health")

    def readiness(self) -> dict[str, Any]:
        return self.http.json("GET", "/v1/ready")

    def unknown_address(self, name: str) -> tuple[str, str]:
        """(method, path) of an address the contract does not have."""
        return "GET", f"/v1/no-such-thing-{name}"

    def delete_health(self) -> tuple[str, str]:
        """(method, path) of a method the health address does not take."""
        return "DELETE", "/v1/health"

    def send(self, method: str, path: str) -> Any:
        return self.http.json(method, path)

    # -- test controls (targets that offer them) ----------------------------
    def clock(self) -> dict[str, Any]:
        return self.http.json("GET", "/v1/controls/clock", headers=self._operator())

    def stop_clock(self, at: str | None) -> dict[str, Any]:
        """Stop the platform's clock at ``at`` (ISO 8601), or let it run with None."""
        return self.http.json(
            "PUT", "/v1/controls/clock", json={"stopped_at": at}, headers=self._operator()
        )

    # -- clients ------------------------------------------------------------
    def register_client(
        self, fields: dict[str, Any], *, operator_key: str | None = None
    ) -> dict[str, Any]:
        return self.http.json(
            "POST",
            "/v1/clients",
            json=fields,
            headers=self._operator(operator_key),
            expect=201,
        )

    def register_client_text(self, text: str) -> dict[str, Any]:
        """A registration whose body is ``text`` as it is, said to be JSON."""
        return self.http.json(
            "POST",
            "/v1/clients",
            content=text.encode(),
            headers={**self._operator(), "Content-Type": "application/json"},
        )

    def get_client(self, client_id: str, *, token: str | None = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else self._operator()
        return self.http.json("GET", f"/v1/clients/{client_id}", headers=headers)

    # -- client sessions ----------------------------------------------------
    def sign_in(self, email: str, password: str) -> dict[str, Any]:
        session = self.http.json(
            "POST", "/v1/sessions", json={"email": email, "password": password}, expect=201
        )
        self.http.redactor.remember(session.get("access_token"))
        return session

    def own_record(self, token: str) -> dict[str, Any]:
        return self.http.json("GET", "/v1/me", headers={"Authorization": f"Bearer {token}"})

    def find_clients(self, email: str) -> list[dict[str, Any]]:
        return self.http.json(
            "GET", "/v1/clients", params={"email": email}, headers=self._operator()
        )["items"]

    # -- brokerage link -----------------------------------------------------------------
    def _as(self, token: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"} if token else self._operator()

    def start_link(self, client_id: str, *, token: str | None = None) -> dict[str, Any]:
        return self.http.json(
            "POST", f"/v1/clients/{client_id}/brokerage-link", headers=self._as(token), expect=201
        )

    def follow_redirect(self, url: str) -> dict[str, Any]:
        """The browser arriving where the brokerage redirected it (QuantDesk's callback)."""
        return self.http.json("GET", url)

    def link_of(self, client_id: str, *, token: str | None = None) -> dict[str, Any]:
        return self.http.json(
            "GET", f"/v1/clients/{client_id}/brokerage-link", headers=self._as(token)
        )

    def broker_account_of(self, client_id: str, *, token: str | None = None) -> dict[str, Any]:
        return self.http.json(
            "GET", f"/v1/clients/{client_id}/brokerage-account", headers=self._as(token)
        )

    # -- preferences, strategy, funding, status -----------------------------------------
    def set_preferences(
        self, client_id: str, preferences: dict[str, Any], *, token: str | None = None
    ) -> dict[str, Any]:
        return self.http.json(
            "PUT",
            f"/v1/clients/{client_id}/preferences",
            json=preferences,
            headers=self._as(token),
        )

    def preferences_of(self, client_id: str, *, token: str | None = None) -> dict[str, Any]:
        return self.http.json(
            "GET", f"/v1/clients/{client_id}/preferences", headers=self._as(token)
        )

    def choose_strategy(
        self, client_id: str, choice: dict[str, Any], *, token: str | None = None
    ) -> dict[str, Any]:
        return self.http.json(
            "PUT", f"/v1/clients/{client_id}/strategy", json=choice, headers=self._as(token)
        )

    def strategy_of(self, client_id: str, *, token: str | None = None) -> dict[str, Any]:
        return self.http.json("GET", f"/v1/clients/{client_id}/strategy", headers=self._as(token))

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

    def onboarding_of(self, client_id: str, *, token: str | None = None) -> dict[str, Any]:
        return self.http.json("GET", f"/v1/clients/{client_id}/onboarding", headers=self._as(token))
