"""The platform's clock, a test control of the targets that offer them."""

from __future__ import annotations

from typing import Any

from support.drivers.http import PlatformApi


class PlatformClockDriver(PlatformApi):
    def clock(self) -> dict[str, Any]:
        return self.http.json("GET", "/v1/controls/clock", headers=self._operator())

    def stop_clock(self, at: str | None) -> dict[str, Any]:
        """Stop the platform's clock at ``at`` (ISO 8601), or let it run with None."""
        return self.http.json(
            "PUT", "/v1/controls/clock", json={"stopped_at": at}, headers=self._operator()
        )
