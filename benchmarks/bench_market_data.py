"""Benchmark of the pure market-data pipeline (parse, validate, indicators, features).

Run: ``.venv/bin/python benchmarks/bench_market_data.py [--quick]``

Measures, on synthetic random-walk bars with 0.1 % broken rows:

1. one symbol, 5,000 bars: validate_bars + compute_indicators (+ momentum_v1 build);
   target for the full pipeline: < 0.5 s;
2. parse_csv and validate_bars for 10^4, 10^5 and 10^6 bars (200 symbols x 5,000
   sessions at the top); target: 10^6 bars < 20 s and < 2 GiB.

Times are the median of several runs (one at 10^6), without tracing; peak memory is
measured in a separate traced run (tracemalloc: Python and NumPy allocations made
during the step, inputs excluded). ru_maxrss is the whole process's peak resident set.
Writes benchmarks/results/market_data.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import statistics
import time
import tracemalloc
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from quantdesk.domain.feature_sets import MOMENTUM_V1
from quantdesk.domain.indicators import compute_indicators
from quantdesk.domain.market_data import parse_csv, validate_bars

RESULTS = Path(__file__).resolve().parent / "results" / "market_data.json"
TODAY = date(2100, 1, 1)
SESSIONS_PER_SYMBOL = 5_000
BAD_FRACTION = 0.001
GIB = 1024**3


def synthetic_bars(n_symbols: int, n_sessions: int, seed: int = 7) -> pd.DataFrame:
    """Raw bars as an upload would give them: ISO text sessions, 0.1 % broken rows."""
    rng = np.random.default_rng(seed)
    n = n_symbols * n_sessions
    sessions = pd.bdate_range("1990-01-01", periods=n_sessions).strftime("%Y-%m-%d")
    close = (100 * np.exp(np.cumsum(rng.normal(0, 0.01, (n_symbols, n_sessions)), 1))).ravel()
    open_ = close * (1 + rng.normal(0, 0.003, n))
    high = np.maximum(open_, close) * (1 + rng.random(n) * 0.01)
    low = np.minimum(open_, close) * (1 - rng.random(n) * 0.01)
    frame = pd.DataFrame(
        {
            "symbol": np.repeat([f"S{i:04d}" for i in range(n_symbols)], n_sessions),
            "session": np.tile(np.asarray(sessions, dtype=object), n_symbols),
            "open": open_.round(4),
            "high": high.round(4),
            "low": low.round(4),
            "close": close.round(4),
            "volume": rng.integers(0, 10**8, n),
        }
    )
    bad = rng.choice(n, max(1, int(n * BAD_FRACTION)), replace=False)
    frame.loc[bad[0::3], "high"] = frame.loc[bad[0::3], "low"] - 1.0
    frame.loc[bad[1::3], "volume"] = -1
    frame.loc[bad[2::3], "close"] = np.nan
    return frame


def timed(step: Callable[[], object], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        step()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def traced_peak(step: Callable[[], object]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        step()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def measure(name: str, rows: int, step: Callable[[], object], repeat: int) -> dict:
    step()  # warm-up: imports, calendar/schema construction, caches
    seconds = timed(step, repeat)
    peak = traced_peak(step)
    result = {
        "name": name,
        "rows": rows,
        "seconds": round(seconds, 4),
        "rows_per_second": round(rows / seconds),
        "peak_traced_mib": round(peak / 2**20, 1),
    }
    print(
        f"{name:<38} {rows:>9,} rows  {seconds:8.3f} s  {rows / seconds:>12,.0f} rows/s"
        f"  peak {peak / 2**20:8.1f} MiB"
    )
    return result


def run(quick: bool = False) -> dict:
    """Measure, print, write the JSON result and return it (``quick``: no 10^6 case)."""
    results: list[dict] = []
    one = synthetic_bars(1, SESSIONS_PER_SYMBOL)

    def pipeline_one() -> None:
        valid = validate_bars(one, today=TODAY).valid
        compute_indicators(valid)

    def pipeline_one_with_features() -> None:
        valid = validate_bars(one, today=TODAY).valid
        compute_indicators(valid)
        MOMENTUM_V1.build(valid)

    results.append(measure("validate+indicators, 1 symbol", len(one), pipeline_one, 7))
    results.append(
        measure("validate+indicators+features, 1 symbol", len(one), pipeline_one_with_features, 7)
    )

    sizes = [(2, 10_000), (20, 100_000)] + ([] if quick else [(200, 1_000_000)])
    for n_symbols, rows in sizes:
        frame = synthetic_bars(n_symbols, rows // n_symbols)
        data = frame.to_csv(index=False).encode()
        repeat = 1 if rows >= 1_000_000 else 3
        results.append(
            measure(
                f"parse_csv ({len(data) / 2**20:.0f} MiB CSV)",
                rows,
                lambda data=data: parse_csv(data),
                repeat,
            )
        )
        results.append(
            measure(
                "validate_bars", rows, lambda frame=frame: validate_bars(frame, today=TODAY), repeat
            )
        )
        del frame, data

    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
    by_name = {(r["name"].split(" (")[0], r["rows"]): r for r in results}
    checks = {
        "one_symbol_under_0.5s": by_name[("validate+indicators, 1 symbol", 5_000)]["seconds"] < 0.5,
    }
    if not quick:
        parse, validate = by_name[("parse_csv", 1_000_000)], by_name[("validate_bars", 1_000_000)]
        checks["million_under_20s"] = parse["seconds"] + validate["seconds"] < 20
        checks["million_under_2GiB"] = max_rss < 2 * GIB
    print(f"process peak RSS (ru_maxrss): {max_rss / 2**20:.0f} MiB")
    for check, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {check}")

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "benchmark": "market_data",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "pandas": pd.__version__,
            "numpy": np.__version__,
        },
        "bad_row_fraction": BAD_FRACTION,
        "results": results,
        "process_peak_rss_mib": round(max_rss / 2**20),
        "checks": checks,
    }
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {RESULTS}")
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 10^6 row case")
    report = run(quick=parser.parse_args().quick)
    return 0 if all(report["checks"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
