"""The circuit breaker in front of the brokerage, as an operator sees it on the platform's
health, and the executions that open and close it.

The circuit is the platform's, shared by every client: scenarios that open it are
``@exclusive``, and each one that opens it closes it again afterwards (a trial call after
the cool-down, on the platform's clock), so no later scenario meets it open.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import allure

from support import glossary
from support.drivers.platform_health import PlatformHealthDriver
from support.dsl.brokerage import Brokerage
from support.dsl.platform_clock import PlatformClock, instant
from support.dsl.trading import Trading

# How many failed executions in a row a scenario asks for, against the circuit's limit.
TRIES = {
    "as often as it takes to open the circuit": 0,
    "one time fewer than it takes to open the circuit": -1,
}


@dataclass
class BrokerageCircuit:
    health: PlatformHealthDriver
    clock: PlatformClock
    brokerage: Brokerage
    trading: Trading
    cleanups: list[Callable[[], None]]
    refusals: list[str] = field(default_factory=list)

    def view(self) -> dict[str, Any]:
        with allure.step("An operator looks at the circuit to the brokerage"):
            return self.health.health()["brokerage_circuit"]

    def state(self) -> str:
        return self.view()["state"].replace("_", " ")

    def try_execute(self, name: str, tries: str) -> None:
        """``name`` executes the rebalance ``tries`` (see ``TRIES``), keeping each refusal."""
        circuit = self.view()
        count = circuit["failures_to_open"] - circuit["failures_in_a_row"] + TRIES[tries]
        self._close_afterwards(name)
        for _ in range(count):
            self.trading.execute(name, expect="refused")
            refusal = self.trading.outcomes.last_refusal()
            self.refusals.append(glossary.reasons_of(refusal, name)[0])

    def cool_down_ends(self) -> datetime:
        circuit = self.view()
        assert circuit["opened_at"], f"the circuit is not open: {circuit}"
        return instant(circuit["opened_at"]) + timedelta(seconds=circuit["cooldown_seconds"])

    def retry_at(self, refusal: Any) -> datetime | None:
        """When a refusal of the open circuit says to try again."""
        text = refusal.details.get("retry_at")
        return instant(text) if isinstance(text, str) else None

    def reach_end_of_cool_down(self, *, seconds_before: int = 0) -> None:
        moment = self.cool_down_ends() - timedelta(seconds=seconds_before)
        with allure.step(f"The platform's clock reaches {moment.isoformat()}"):
            self.clock.driver.stop_clock(moment.isoformat())

    def _close_afterwards(self, name: str) -> None:
        """After the scenario: the desk back, and one call that succeeds (after the
        cool-down if the circuit is open), so the circuit is closed with no failure
        counted towards opening it."""

        def close() -> None:
            self.brokerage.desk_back(name)
            if self.view()["state"] == "closed":
                self.trading.differences_with_brokerage(name)
                return
            self.reach_end_of_cool_down()
            try:
                self.trading.differences_with_brokerage(name)  # the trial call
            finally:
                self.clock.driver.stop_clock(None)

        self.cleanups.append(close)
