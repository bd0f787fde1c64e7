"""Report generation for the whole suite: what ``make report`` does after a run.

Run: ``.venv/bin/python -m benchmarks.bench_report [--rounds R]`` (also part of
``make bench``, after the parallel benchmark has left a whole run's results).

It times ``allure generate`` of ``reports/allure-results`` and the removal of the
report's analytics (support/report_html.py), R rounds, and the same CLI printing its
version as the reference measured in the same run (Node's and the CLI's own start,
the floor of any generation). The issue's target: under 5 s for the whole suite.
When the results hold fewer scenarios than the feature files do, it runs the suite in
parallel first so that the figure is for the whole suite.

Writes benchmarks/results/report.json.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import write_results
from support.parallel import FEATURES, scenarios, selected

ROOT = Path(__file__).resolve().parent.parent
ALLURE_RESULTS = ROOT / "reports" / "allure-results"
TARGET_S = 5.0


def _timed(command: list[str], env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, capture_output=True, check=True, env=env)
    return time.perf_counter() - started


def _whole_suite_results() -> int:
    wanted = len(selected(scenarios(sorted(FEATURES.glob("*.feature"))), []))
    if len(list(ALLURE_RESULTS.glob("*-result.json"))) < wanted:
        subprocess.run([sys.executable, "-m", "support.parallel"], cwd=ROOT, check=False)
    return len(list(ALLURE_RESULTS.glob("*-result.json")))


def run(rounds: int = 3) -> dict[str, Any]:
    results = _whole_suite_results()
    env = {**os.environ, "ALLURE_NO_ANALYTICS": "true"}
    npx = ["npx", "--no-install", "allure"]
    reference, generation = [], []
    for _ in range(rounds):
        reference.append(_timed([*npx, "--version"], env))
        shutil.rmtree(ROOT / "reports" / "allure-report", ignore_errors=True)
        generation.append(
            _timed([*npx, "generate", str(ALLURE_RESULTS)], env)
            + _timed([sys.executable, "-m", "support.report_html", "reports/allure-report"])
        )
    median, floor = statistics.median(generation), statistics.median(reference)
    size = (ROOT / "reports" / "allure-report" / "index.html").stat().st_size
    report = {
        "benchmark": "report",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "scenarios": results,
        "report_bytes": size,
        "reference_cli_start_s": round(floor, 2),
        "generation_s": [round(s, 2) for s in generation],
        "median_s": round(median, 2),
        "ratio_to_reference": round(median / floor, 2),
    }
    report["checks"] = {f"under_{TARGET_S:.0f}_s": report["median_s"] < TARGET_S}
    print(
        f"report of {results} scenarios ({size / 1e6:.1f} MB): median {report['median_s']} s, "
        f"x{report['ratio_to_reference']} the CLI's own start ({report['reference_cli_start_s']} s)"
    )
    write_results("report.json", report)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    report = run(parser.parse_args().rounds)
    return 0 if all(report["checks"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
