"""QuantDesk's contract for linking a client's brokerage account, and reading it."""

from __future__ import annotations

from typing import Any

from support.drivers.http import PlatformApi


class BrokerageLinkDriver(PlatformApi):
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

    def account_of(self, client_id: str, *, token: str | None = None) -> dict[str, Any]:
        return self.http.json(
            "GET", f"/v1/clients/{client_id}/brokerage-account", headers=self._as(token)
        )
