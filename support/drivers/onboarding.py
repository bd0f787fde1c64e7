"""QuantDesk's contract for registering clients, their sign-in and their onboarding checklist."""

from __future__ import annotations

from typing import Any

from support.drivers.http import PlatformApi


class OnboardingDriver(PlatformApi):
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
        return self.http.json("GET", f"/v1/clients/{client_id}", headers=self._as(token))

    def find_clients(self, email: str) -> list[dict[str, Any]]:
        return self.http.json(
            "GET", "/v1/clients", params={"email": email}, headers=self._operator()
        )["items"]

    def sign_in(self, email: str, password: str) -> dict[str, Any]:
        session = self.http.json(
            "POST", "/v1/sessions", json={"email": email, "password": password}, expect=201
        )
        self.http.redactor.remember(session.get("access_token"))
        return session

    def own_record(self, token: str) -> dict[str, Any]:
        return self.http.json("GET", "/v1/me", headers={"Authorization": f"Bearer {token}"})

    def checklist_of(self, client_id: str, *, token: str | None = None) -> dict[str, Any]:
        return self.http.json("GET", f"/v1/clients/{client_id}/onboarding", headers=self._as(token))
