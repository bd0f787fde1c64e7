"""Long work the platform runs in the background (an operation), followed to its end."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import allure

from support.drivers.market_data import MarketDataDriver

# How long an operation may take before a scenario gives up.
OPERATION_DEADLINE_S = 30.0


@dataclass
class Operations:
    driver: MarketDataDriver
    # The operation of this scenario (None: every load so far completed at once).
    current: dict[str, Any] | None = None
    progress_seen: list[float] = field(default_factory=list)
    # The highest progress seen while the operation was not done yet.
    running_peak: float = 0.0

    def started(self, operation: dict[str, Any]) -> None:
        self.current = operation
        self.progress_seen, self.running_peak = [], 0.0
        self.saw(operation)

    def saw(self, operation: dict[str, Any]) -> None:
        percent = operation["progress"]["percent"]
        self.progress_seen.append(percent)
        if not operation["done"]:
            self.running_peak = max(self.running_peak, percent)

    def percent_while_running(self) -> float:
        """The highest progress the operation showed before it was done."""
        return self.running_peak

    def result_of(self, operation: dict[str, Any]) -> dict[str, Any]:
        """Follow ``operation`` until it is done; what it made, which must have succeeded."""
        self.current = operation
        done = self.await_done()
        assert done["status"] == "succeeded", f"the load did not succeed: {done}"
        return done["result"]

    def cancel(self) -> dict[str, Any]:
        assert self.current is not None, "no operation was started"
        with allure.step("Cancel the operation"):
            self.driver.cancel_operation(self.current["id"])
            return self.await_done()

    def await_progress(self, message: str, deadline_s: float = OPERATION_DEADLINE_S) -> dict:
        """Poll the current operation until its progress message starts with ``message``
        (or it is done); the operation as last seen."""
        assert self.current is not None, "no operation was started"
        deadline, interval = time.monotonic() + deadline_s, 0.01
        while True:
            operation = self.driver.operation(self.current["id"])
            self.saw(operation)
            shown = operation["progress"]["message"] or ""
            if operation["done"] or shown.startswith(message):
                return operation
            assert time.monotonic() < deadline, f"no progress {message!r} in time: {operation}"
            time.sleep(interval)  # poll interval, bounded by the deadline above
            interval = min(0.05, interval * 2)

    def await_done(self, deadline_s: float = OPERATION_DEADLINE_S) -> dict[str, Any]:
        """Poll the current operation until it is done (deadline; interval 20..200 ms)."""
        assert self.current is not None, "no load was started"
        operation_id = self.current["id"]
        deadline = time.monotonic() + deadline_s
        interval = 0.02
        with allure.step(f"Wait for operation {operation_id}"):
            operation = self.driver.operation(operation_id)
            self.saw(operation)
            while not operation["done"]:
                if time.monotonic() > deadline:
                    raise AssertionError(
                        f"operation {operation_id} not done within {deadline_s:.0f} s; last "
                        f"seen: {operation['status']} at {operation['progress']}"
                    )
                time.sleep(interval)  # poll interval, bounded by the deadline above
                interval = min(0.2, interval * 2)
                operation = self.driver.operation(operation_id)
                self.saw(operation)
        self.current = operation
        return operation
