"""behave's closing summary with the real wall time of the run.

behave 1.3's summary adds up the features' durations, and a feature's duration leaves
out the scenarios under its ``Rule:`` blocks, the hooks and the system's start: a run of
22 s closed with ``Took 0min 0.008s``. This reporter prints the same counts and the time
from the start of the behave process (its start time on Linux, else the moment the
suite's hooks were loaded) to the end of the run.
"""

from __future__ import annotations

import os
import time
from typing import Any

from behave.reporter.summary import SummaryReporter


def process_start() -> float:
    """When this process started (epoch seconds). On Linux the kernel knows: the start
    in clock ticks after boot (``/proc/self/stat``, field 22) against the time since boot
    now; elsewhere, now (the moment the suite's hooks are loaded)."""
    try:
        with open("/proc/self/stat") as stat:
            after_name = stat.read().rsplit(")", 1)[1].split()
        started_after_boot = int(after_name[19]) / os.sysconf("SC_CLK_TCK")
        age = time.clock_gettime(time.CLOCK_BOOTTIME) - started_after_boot
    except (OSError, ValueError, IndexError, AttributeError):
        return time.time()
    return time.time() - max(age, 0.0)


STARTED = process_start()


class WallClockSummary(SummaryReporter):
    def __init__(self, config: Any, started: float = STARTED) -> None:
        super().__init__(config)
        self.started = started

    @property
    def duration(self) -> float:
        return time.time() - self.started

    @duration.setter
    def duration(self, value: float) -> None:
        # behave adds each feature's own duration; the wall clock already counts it.
        pass


def use_wall_clock(config: Any, started: float = STARTED) -> None:
    """Replace behave's summary reporter of this run (if it has one) with ours."""
    config.reporters = [
        WallClockSummary(config, started) if type(reporter) is SummaryReporter else reporter
        for reporter in config.reporters
    ]
