"""Runs the benchmarks, writes benchmarks/results/<name>.json and compares each
ratio with the recorded baseline (benchmarks/baselines.json).

A ratio more than 25 % above its baseline, or an absolute target missed, is reported
as a regression and makes the exit status 1. Speed is never asserted in tests.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from benchmarks import (
    bench_http_market_data,
    bench_parallel,
    bench_report,
    bench_startup,
    bench_trading,
    bench_training,
)

HERE = Path(__file__).resolve().parent

TOLERANCE = 1.25
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _reachable(database_url: str) -> bool:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url, connect_args={"connect_timeout": 2})
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        return True
    except Exception:
        return False
    finally:
        engine.dispose()


def main() -> int:
    baselines = json.loads((HERE / "baselines.json").read_text())
    (HERE / "results").mkdir(exist_ok=True)
    regressions = []
    results = bench_startup.run()
    (HERE / "results" / "startup.json").write_text(json.dumps(results, indent=2))
    for name, measured in results.items():
        base = baselines.get("startup", {}).get(name, {})
        line = f"{name:28s} median {measured['median_s']:.3f} s"
        if "ratio_to_reference" in measured:
            line += f"  ratio {measured['ratio_to_reference']:.2f}"
            if "ratio_to_reference" in base:
                line += f" (baseline {base['ratio_to_reference']:.2f})"
                if measured["ratio_to_reference"] > base["ratio_to_reference"] * TOLERANCE:
                    regressions.append(f"{name}: ratio above baseline x{TOLERANCE}")
        if "target_s" in measured and measured["median_s"] > measured["target_s"]:
            regressions.append(
                f"{name}: {measured['median_s']:.2f} s over the {measured['target_s']} s target"
            )
        print(line)
    regressions += _market_data_http(baselines.get("market_data_http", {}))
    regressions += _trading(baselines.get("trading", {}))
    regressions += _training(baselines.get("training", {}))
    parallel = bench_parallel.run()
    regressions += [f"parallel: {name} missed" for name, ok in parallel["checks"].items() if not ok]
    report = bench_report.run()
    regressions += [f"report: {name} missed" for name, ok in report["checks"].items() if not ok]
    for regression in regressions:
        print(f"REGRESSION {regression}")
    return 1 if regressions else 0


def _market_data_http(baseline: dict) -> list[str]:
    """The HTTP market-data benchmark (it writes its own results file)."""
    report = bench_http_market_data.run()
    regressions = [
        f"market_data_http: {name} missed" for name, ok in report["checks"].items() if not ok
    ]
    for name in ("one_symbol_5000", "million"):
        measured, base = report.get(name, {}), baseline.get(name, {})
        if "ratio_to_reference" in measured and "ratio_to_reference" in base:
            print(
                f"market_data_http {name:16s} ratio {measured['ratio_to_reference']:.2f} "
                f"(baseline {base['ratio_to_reference']:.2f})"
            )
            if measured["ratio_to_reference"] > base["ratio_to_reference"] * TOLERANCE:
                regressions.append(f"market_data_http {name}: ratio above baseline x{TOLERANCE}")
    return regressions


def _on_both_databases(
    label: str, bench: Any, baseline: dict, figures: tuple[str, ...]
) -> list[str]:
    """A benchmark module's ``run`` on SQLite, then on PostgreSQL when one answers at
    ``QUANTDESK_BENCH_POSTGRES_URL`` (default: the local test database); each writes its
    own results file. Targets are checked on both; ratios against the SQLite baseline."""
    report = bench.run()
    regressions = [f"{label}: {name} missed" for name, ok in report["checks"].items() if not ok]
    postgres = os.environ.get("QUANTDESK_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    if _reachable(postgres):
        on_postgres = bench.run(database_url=postgres)
        regressions += [
            f"{label} on PostgreSQL: {name} missed"
            for name, ok in on_postgres["checks"].items()
            if not ok
        ]
    else:
        print(f"{label} on PostgreSQL: skipped, nothing answers at {postgres}")
    for name in figures:
        measured, base = report.get(name, {}), baseline.get(name, {})
        if "ratio_to_reference" in measured and "ratio_to_reference" in base:
            print(
                f"{label} {name:16s} ratio {measured['ratio_to_reference']:.2f} "
                f"(baseline {base['ratio_to_reference']:.2f})"
            )
            if measured["ratio_to_reference"] > base["ratio_to_reference"] * TOLERANCE:
                regressions.append(f"{label} {name}: ratio above baseline x{TOLERANCE}")
    return regressions


def _trading(baseline: dict) -> list[str]:
    return _on_both_databases("trading", bench_trading, baseline, ("single_50", "concurrent"))


def _training(baseline: dict) -> list[str]:
    return _on_both_databases("training", bench_training, baseline, ("smoke", "large", "cancel"))


if __name__ == "__main__":
    sys.exit(main())
