"""Whether the platform is alive and ready, and how it answers what it has no place for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import allure

from support.drivers.http import Unavailable
from support.drivers.platform_health import PlatformHealthDriver
from support.dsl.outcomes import Outcomes


@dataclass
class PlatformHealth:
    driver: PlatformHealthDriver
    outcomes: Outcomes
    asked: tuple[str, str] | None = None  # (method, path) of the last request refused

    def ask_unknown_address(self, tag: str) -> None:
        self._refused(self.driver.unknown_address(tag))

    def try_delete_health(self) -> None:
        self._refused(self.driver.delete_health())

    def _refused(self, request: tuple[str, str]) -> None:
        """Send ``request`` (method, path), which the platform must refuse."""
        method, path = request
        self.asked = request
        with allure.step(f"Send {method} {path}"):
            self.outcomes.attempt(
                lambda: self.driver.send(method, path),
                expect="refused",
                what=f"{method} {path}, an address that does not exist,",
            )

    def refusal_names(self, *parts: str) -> bool:
        """Whether the last refusal's message names the ``parts`` ("method", "path") of
        the request refused."""
        assert self.asked is not None, "no request has been refused yet"
        method, path = self.asked
        named = {"method": method, "path": path}
        message = self.outcomes.last_refusal().message
        return all(named[part] in message for part in parts)

    def check(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """Liveness, and readiness as ``{status, checks}`` whether ready or not."""
        with allure.step("Ask the platform whether it is alive and ready"):
            health = self.driver.health()
            ready = self.outcomes.attempt(self.driver.readiness, what="the readiness check")
        if ready is not None:
            return health, ready
        refused = self.outcomes.last_refusal()
        if not isinstance(refused, Unavailable):  # not ready is 503; anything else is wrong
            raise refused
        return health, {"status": refused.code, "checks": refused.details.get("checks")}
