"""The circuit breaker in front of the brokerage's trading desk (pybreaker).

After ``failures`` failed calls in a row (the brokerage unavailable: an error status, a
time-out, no connection) the circuit opens: calls fail fast with ``brokerage_unavailable``
without reaching the brokerage, for ``cooldown`` seconds. Then one trial call goes
through: success closes the circuit, failure opens it for another cool-down. A refusal
(4xx) is an answer from a working brokerage and counts as a success.

pybreaker measures the cool-down on the wall clock; the storage below hands it the time
as the platform's clock tells it, so a stopped clock (a test control) holds the circuit
open and moving it decides the cool-down to the second.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pybreaker

from quantdesk.clock import SystemClock, utc_text
from quantdesk.errors import BrokerageUnavailable

T = TypeVar("T")


class _PlatformClockStorage(pybreaker.CircuitMemoryStorage):
    """pybreaker's memory storage, with the moment the circuit opened on the platform's
    clock: read back as the wall-clock instant that is as long ago."""

    def __init__(self, clock: SystemClock) -> None:
        super().__init__(pybreaker.STATE_CLOSED)
        self._clock = clock
        self.opened_on: datetime | None = None

    @property  # type: ignore[override]
    def opened_at(self) -> datetime | None:
        if self.opened_on is None:
            return None
        return datetime.now(UTC) - (self._clock.now() - self.opened_on)

    @opened_at.setter
    def opened_at(self, _wall: datetime) -> None:
        self.opened_on = self._clock.now()


class _ForgetOpeningOnClose(pybreaker.CircuitBreakerListener):
    def __init__(self, storage: _PlatformClockStorage) -> None:
        self._storage = storage

    def state_change(self, cb: Any, old_state: Any, new_state: Any) -> None:
        if new_state.name == pybreaker.STATE_CLOSED:
            self._storage.opened_on = None


class BrokerageCircuit:
    def __init__(self, clock: SystemClock, *, failures: int, cooldown_seconds: int) -> None:
        self.failures, self.cooldown_seconds = failures, cooldown_seconds
        self._storage = _PlatformClockStorage(clock)
        self._breaker = pybreaker.CircuitBreaker(
            fail_max=failures,
            reset_timeout=cooldown_seconds,
            exclude=[lambda error: not isinstance(error, BrokerageUnavailable)],
            state_storage=self._storage,
            listeners=[_ForgetOpeningOnClose(self._storage)],
            name="brokerage trading desk",
        )

    def call(self, what: str, action: Callable[[], T]) -> T:
        """``action``'s answer, unless the circuit is open (or this failure opens it):
        then 503 ``brokerage_unavailable`` with ``details.retry_at``, when the cool-down
        ends."""
        try:
            return self._breaker.call(action)
        except pybreaker.CircuitBreakerError:
            opened = self._storage.opened_on
            assert opened is not None  # an open circuit knows when it opened
            retry_at = utc_text(opened + timedelta(seconds=self.cooldown_seconds))
            raise BrokerageUnavailable(
                "The brokerage has failed repeatedly; the platform is not calling it until "
                f"{retry_at}. Nothing was changed: try again then.",
                details={"during": what, "circuit": "open", "retry_at": retry_at},
            ) from None

    def view(self) -> dict[str, Any]:
        """What an operator sees of the circuit."""
        opened = self._storage.opened_on
        return {
            "state": self._breaker.current_state.replace("-", "_"),
            "failures_in_a_row": self._breaker.fail_counter,
            "failures_to_open": self.failures,
            "cooldown_seconds": self.cooldown_seconds,
            "opened_at": utc_text(opened) if opened is not None else None,
        }
