"""The whole acceptance suite serial and in parallel, measured in one run.

Run: ``.venv/bin/python -m benchmarks.bench_parallel [--workers N] [--rounds R]``
(also part of ``make bench``, never of ``make test``).

Each round runs ``behave`` (serial, the embedded system started by the suite) and then
``python -m support.parallel --workers N`` (one embedded system, N behave processes, the
``@exclusive`` scenarios alone at the end), wall time from the command's start to its
exit, reports included. The figure is the ratio serial / parallel of the medians; the
issue's target is at least 1.6 on this 2-core machine.

Writes benchmarks/results/parallel.json.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import write_results

ROOT = Path(__file__).resolve().parent.parent
TARGET_SPEED_UP = 1.6


def _timed(command: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, check=False)
    return time.perf_counter() - started, done.returncode


def run(workers: int = 2, rounds: int = 1) -> dict[str, Any]:
    serial, parallel, failures = [], [], 0
    for _ in range(rounds):
        seconds, code = _timed(
            [sys.executable, "-m", "behave", "-f", "progress", "-o", "/dev/null"]
        )
        serial.append(seconds)
        failures += code != 0
        seconds, code = _timed(
            [sys.executable, "-m", "support.parallel", "--workers", str(workers)]
        )
        parallel.append(seconds)
        failures += code != 0
    report = {
        "benchmark": "parallel",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "workers": workers,
        "rounds": rounds,
        "serial_s": [round(s, 1) for s in serial],
        "parallel_s": [round(s, 1) for s in parallel],
        "speed_up": round(statistics.median(serial) / statistics.median(parallel), 2),
        "failed_runs": failures,
    }
    report["checks"] = {
        f"speed_up_at_least_{TARGET_SPEED_UP}": report["speed_up"] >= TARGET_SPEED_UP,
        "no_failed_run": failures == 0,
    }
    print(
        f"serial {statistics.median(serial):.1f} s, {workers} workers "
        f"{statistics.median(parallel):.1f} s: x{report['speed_up']:.2f}, "
        f"{failures} failed runs"
    )
    write_results("parallel.json", report)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    report = run(args.workers, args.rounds)
    return 0 if all(report["checks"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
