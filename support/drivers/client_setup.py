"""QuantDesk's contract for a client's portfolio preferences and strategy."""

from __future__ import annotations

from typing import Any

from support.drivers.http import PlatformApi


class ClientSetupDriver(PlatformApi):
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
