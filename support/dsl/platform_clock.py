"""The platform's clock, stopped and moved by scenarios that probe a lifetime to the second."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import allure

from support.drivers.platform_clock import PlatformClockDriver

_DURATION = re.compile(r"^(\d+) (second|minute|hour|day)s?$")


def duration_of(words: str) -> timedelta:
    """``"10 minutes"`` -> ``timedelta(minutes=10)``."""
    match = _DURATION.match(words.strip())
    assert match, f"not a duration: {words!r} (say e.g. 10 minutes, 1 hour)"
    return timedelta(**{f"{match[2]}s": int(match[1])})


def instant(text: str) -> datetime:
    """An instant as the contract writes it (ISO 8601, ``Z`` for UTC)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass
class PlatformClock:
    """The platform's clock, stopped by a scenario to probe a lifetime to the second.

    Stopping it changes the whole shared platform: scenarios doing so are @exclusive.
    ``lifetimes`` says how long each kind of thing lasts ("sign-in": a client's sign-in)
    or when it ends, for a client, as the platform announced it.
    """

    driver: PlatformClockDriver
    cleanups: list[Callable[[], None]]
    lifetimes: dict[str, Callable[[str], timedelta | str]] = field(default_factory=dict)
    stopped_at: datetime | None = None

    def stop(self) -> datetime:
        with allure.step("The platform's clock is stopped"):
            now = instant(self.driver.clock()["now"]).replace(microsecond=0)
            self.driver.stop_clock(now.isoformat())
        self.cleanups.append(lambda: self.driver.stop_clock(None))
        self.stopped_at = now
        return now

    def expiry(self, what: str) -> datetime:
        """When ``what`` ("Alice's sign-in") ends: a lifetime counts from the stopped instant."""
        name, _, kind = what.partition("'s ")
        assert kind in self.lifetimes, f"no lifetime of {kind!r}; known: {sorted(self.lifetimes)}"
        assert self.stopped_at is not None, "stop the platform's clock first"
        ends = self.lifetimes[kind](name)
        return self.stopped_at + ends if isinstance(ends, timedelta) else instant(ends)

    def lifetime(self, what: str) -> timedelta:
        """How long ``what`` lasts from the stopped instant it began at."""
        assert self.stopped_at is not None, "stop the platform's clock first"
        return self.expiry(what) - self.stopped_at

    def reach(self, what: str, *, seconds_before: int = 0) -> None:
        moment = self.expiry(what) - timedelta(seconds=seconds_before)
        with allure.step(f"The platform's clock reaches {moment.isoformat()}"):
            self.driver.stop_clock(moment.isoformat())
