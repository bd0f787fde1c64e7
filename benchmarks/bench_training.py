"""Model training through HTTP, on the embedded platform (SQLite unless
``--database-url`` names PostgreSQL).

Run: ``.venv/bin/python -m benchmarks.bench_training [--quick] [--database-url URL]``
(also part of ``make bench``, never of ``make test``).

1. **Smoke training**: a logistic regression on one year of S&P 500 daily bars (2018,
   three folds), end to end: the request, the job in its worker, the version registered,
   polled every 5 ms. The first job of a process also pays scikit-learn's import (shown
   apart, "cold"); the figure is the median of the next ones. Target < 2 s.
2. **150,000 rows**: 38 synthetic symbols (seeded random walks) over the NYSE sessions
   of 2003-2018, about 150,700 usable momentum rows; gradient boosting (100 iterations,
   five folds) and a logistic regression. Wall time from the request to the registered
   version (target < 20 s), the request's own time (it reads and checks the data), and
   the longest wait between two changes of the job's progress, polled every 50 ms
   (target <= 1 s: progress visible at least every second).
3. **Cancellation latency**: a long boosting job over twenty years of S&P 500 history,
   cancelled once it is running; the time from the cancel request to the job seen
   `cancelled` (polled every 5 ms). Median of several; target < 0.5 s.

The reference is the import floor measured in the same run (``bench_startup``): ratios
to it are compared with the baselines, not the absolute seconds.

Writes benchmarks/results/training.json (training_postgresql.json on PostgreSQL).
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import time
from datetime import date
from typing import Any

import httpx
import numpy as np
import pandas as pd

from benchmarks import write_results
from benchmarks.bench_startup import reference_seconds
from quantdesk.market_history import load_history
from support.datasets import exchange_sessions
from support.drivers.launcher import EmbeddedSystem

SMOKE_TARGET_S = 2.0
LARGE_TARGET_S = 20.0
PROGRESS_GAP_TARGET_S = 1.0
CANCEL_TARGET_S = 0.5
LARGE_SYMBOLS = 38


class Bench:
    def __init__(self, system: EmbeddedSystem) -> None:
        self.http = httpx.Client(
            base_url=system.base_url, timeout=120, headers={"X-API-Key": system.operator_key}
        )
        self.jobs = 0
        self.run = secrets.token_hex(4)  # model names of this run only (a kept database)

    def load(self, bars: pd.DataFrame) -> None:
        """Upload per symbol (the embedded system's upload limit is 1 MiB)."""
        for _, one in bars.groupby("symbol"):
            answer = self.http.post(
                "/v1/market-data/ingestions",
                content=one.to_csv(index=False).encode(),
                params={"kind": "full", "source": "bench"},
                headers={"Content-Type": "text/csv"},
            )
            answer.raise_for_status()

    def start(self, **request: Any) -> tuple[dict[str, Any], float]:
        self.jobs += 1
        body = {"model": f"bench-{self.run}-{self.jobs}", "feature_set": "momentum_v1", **request}
        started = time.perf_counter()
        answer = self.http.post("/v1/models/training-jobs", json=body)
        elapsed = time.perf_counter() - started
        assert answer.status_code == 202, answer.text
        return answer.json(), elapsed

    def operation(self, operation_id: str) -> dict[str, Any]:
        return self.http.get(f"/v1/operations/{operation_id}").json()

    def follow(self, operation: dict[str, Any], interval: float) -> tuple[dict, float]:
        """Poll to the end: the last answer and the longest wait between progress changes."""
        last_change, longest = time.perf_counter(), 0.0
        shown = (operation["progress"]["percent"], operation["progress"]["message"])
        while not operation["done"]:
            time.sleep(interval)  # poll interval of the benchmark
            operation = self.operation(operation["id"])
            now = time.perf_counter()
            current = (operation["progress"]["percent"], operation["progress"]["message"])
            if current != shown:
                longest, last_change, shown = max(longest, now - last_change), now, current
        return operation, longest


def _synthetic(symbols: int) -> pd.DataFrame:
    days = exchange_sessions(date(2003, 1, 2), date(2018, 12, 31))
    rng = np.random.default_rng(20_260_102)
    frames = []
    for i in range(symbols):
        close = 50 * np.exp(np.cumsum(rng.normal(0.0002, 0.012, len(days))))
        frames.append(
            pd.DataFrame(
                {
                    "symbol": f"BENCH{i:02d}",
                    "session": [d.isoformat() for d in days],
                    "open": close.round(2),
                    "high": (close * 1.01).round(2),
                    "low": (close * 0.99).round(2),
                    "close": close.round(2),
                    "volume": 1000,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def smoke(bench: Bench, runs: int) -> dict[str, Any]:
    request = {"algorithm": "logistic_regression", "symbols": ["BSPX"], "start": "2018-01-02",
               "end": "2018-12-31", "folds": 3, "gap_sessions": 1}  # fmt: skip
    samples = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        operation, _ = bench.start(**request)
        done, _ = bench.follow(operation, 0.005)
        assert done["status"] == "succeeded", done
        samples.append(time.perf_counter() - started)
    return {"cold_s": round(samples[0], 3), "median_s": round(statistics.median(samples[1:]), 3)}


def large(bench: Bench) -> dict[str, Any]:
    symbols = [f"BENCH{i:02d}" for i in range(LARGE_SYMBOLS)]
    out = {}
    for algorithm in ("hist_gradient_boosting", "logistic_regression"):
        started = time.perf_counter()
        span = {"start": "2003-01-02", "end": "2018-12-31", "folds": 5}
        operation, request_s = bench.start(algorithm=algorithm, symbols=symbols, **span)
        done, longest = bench.follow(operation, 0.05)
        total = time.perf_counter() - started
        assert done["status"] == "succeeded", done
        version = bench.http.get(f"/v1/models/{operation['request']['model']}/versions/1").json()
        out[algorithm] = {
            "rows": version["rows"],
            "total_s": round(total, 3),
            "request_s": round(request_s, 3),
            "longest_progress_gap_s": round(longest, 3),
        }
    return out


def cancel_latency(bench: Bench, runs: int) -> dict[str, Any]:
    samples = []
    for _ in range(runs):
        operation, _ = bench.start(algorithm="hist_gradient_boosting", symbols=["BSPX"],
                                   start="2000-01-03", end="2018-12-31", folds=5,
                                   hyperparameters={"max_iter": 2000, "max_depth": 6})  # fmt: skip
        while operation["status"] != "running":
            time.sleep(0.005)  # poll interval of the benchmark
            operation = bench.operation(operation["id"])
        time.sleep(0.2)  # let it be well into its first fold
        started = time.perf_counter()
        bench.http.post(f"/v1/operations/{operation['id']}:cancel").raise_for_status()
        while operation["status"] != "cancelled":
            operation = bench.operation(operation["id"])
            assert operation["status"] in ("running", "cancelled"), operation
        samples.append(time.perf_counter() - started)
    return {"median_s": round(statistics.median(samples), 3), "max_s": round(max(samples), 3),
            "samples": len(samples)}  # fmt: skip


def run(quick: bool = False, database_url: str | None = None) -> dict[str, Any]:
    reference = reference_seconds()
    system = EmbeddedSystem(database_url=database_url).start()
    try:
        bench = Bench(system)
        real = load_history(["SPX"], start=date(1999, 1, 4), end=date(2018, 12, 31))
        bench.load(real.assign(symbol="BSPX"))
        bench.load(_synthetic(LARGE_SYMBOLS))
        first = smoke(bench, runs=3 if quick else 7)
        print(f"smoke training, one year: cold {first['cold_s']:.3f} s, "
              f"median {first['median_s']:.3f} s")  # fmt: skip
        big = large(bench)
        for algorithm, figures in big.items():
            print(f"150k rows, {algorithm}: {figures['rows']} rows in {figures['total_s']:.2f} s "
                  f"(request {figures['request_s']:.2f} s), longest progress gap "
                  f"{figures['longest_progress_gap_s']:.2f} s")  # fmt: skip
        cancel = cancel_latency(bench, runs=3 if quick else 7)
        print(f"cancellation: median {cancel['median_s']:.3f} s, max {cancel['max_s']:.3f} s")
    finally:
        system.stop()
    worst_large = max(f["total_s"] for f in big.values())
    checks = {
        "smoke_under_2s": first["median_s"] < SMOKE_TARGET_S,
        "large_under_20s": worst_large < LARGE_TARGET_S,
        "progress_every_second": all(
            f["longest_progress_gap_s"] <= PROGRESS_GAP_TARGET_S for f in big.values()
        ),
        "cancel_median_under_0.5s": cancel["median_s"] < CANCEL_TARGET_S,
    }
    for check, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {check}")
    report = {
        "benchmark": "training",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "database": "postgresql" if database_url else "sqlite",
        "quick": quick,
        "reference_import_floor_s": round(reference, 3),
        "smoke": {**first, "ratio_to_reference": round(first["median_s"] / reference, 3)},
        "large": {**big, "ratio_to_reference": round(worst_large / reference, 3)},
        "cancel": {**cancel, "ratio_to_reference": round(cancel["median_s"] / reference, 3)},
        "checks": checks,
    }
    name = "training_postgresql.json" if database_url else "training.json"
    print(f"wrote {write_results(name, report)}")
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    report = run(quick=args.quick, database_url=args.database_url)
    return 0 if all(report["checks"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
