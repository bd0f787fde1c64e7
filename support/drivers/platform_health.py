"""QuantDesk's health and readiness, and how it answers requests it has no place for."""

from __future__ import annotations

from typing import Any

import httpx

from support.drivers.http import PlatformApi


def health_at(base_url: str) -> dict[str, Any]:
    """The health a platform at ``base_url`` reports, before any scenario runs; an
    ``httpx.HTTPError`` or ``ValueError`` when nothing sensible answers."""
    response = httpx.get(f"{base_url}/v1/health", timeout=5.0)
    response.raise_for_status()
    return response.json()


class PlatformHealthDriver(PlatformApi):
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
