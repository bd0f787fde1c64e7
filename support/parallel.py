"""Run the acceptance suite in several behave processes against one shared system.

``python -m support.parallel [--workers N] [behave options...]``

1. The embedded system (platform and simulated brokerage) is started once, unless
   ``QUANTDESK_BASE_URL`` names a remote target, which is then shared the same way.
2. Every scenario (each row of an outline) that runs is listed with behave's own parser
   and its location (``features/x.feature:LINE``). Those not tagged ``@exclusive`` are
   dealt to N workers, longest first (the times of the last run's JUnit files, where
   there are any), and each worker is a ``behave`` process given its locations, attached
   to the shared system as to a remote target (credentials through its environment,
   never its command line).
3. Then the ``@exclusive`` scenarios (they change something every scenario shares: the
   platform's clock, the brokerage's availability) run alone, in one more process.
4. Every process writes Allure results into the one ``reports/allure-results`` (one file
   per scenario, so they merge by being there) and JUnit XML into its own directory;
   the JUnit files of one feature are merged into ``reports/junit/TESTS-<feature>.xml``,
   and the workers' rerun files into ``reports/rerun.txt`` (support/rerun.py).

Scenarios never depend on each other or on order (aliased names, per-account brokerage
controls), which is what makes this safe; the exit status is non-zero when any process
failed. Worker output goes to ``reports/parallel/worker-<n>.log``.

A small scheduler of our own rather than behavex: behavex drives its own runner and
report, so allure-behave's formatter, its attachments and the suite's hooks would have
to be proven again under it; this keeps behave, its formatters and the hooks exactly as
a serial run uses them, and changes only which scenarios each process runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from behave.parser import parse_file

from support import rerun
from support.drivers.launcher import SYSTEM_LOGS_ENV, EmbeddedSystem

ROOT = Path(__file__).resolve().parent.parent
FEATURES = ROOT / "features"
REPORTS = ROOT / "reports"
EXCLUSIVE = "exclusive"
DEFAULT_SECONDS = 0.3  # a scenario the last run did not time


@dataclass(frozen=True)
class Scenario:
    location: str  # features/x.feature:LINE
    feature: str
    name: str
    tags: frozenset[str]


@dataclass
class Bucket:
    locations: list[str] = field(default_factory=list)
    seconds: float = 0.0


def scenarios(paths: Sequence[Path]) -> list[Scenario]:
    """Every scenario and outline row of the feature files, with its effective tags."""
    found = []
    for path in paths:
        feature = parse_file(str(path))
        if feature is None:
            continue
        relative = path.resolve().relative_to(ROOT).as_posix()
        for scenario in feature.walk_scenarios(with_outlines=False):
            tags = frozenset(str(t) for t in scenario.effective_tags)
            found.append(Scenario(f"{relative}:{scenario.line}", relative, scenario.name, tags))
    return found


def selected(found: list[Scenario], tag_expression: list[str]) -> list[Scenario]:
    """The scenarios behave would run with these ``--tags`` (and the default ``not @wip``)."""
    from behave.tag_expression import make_tag_expression

    expression = make_tag_expression(tag_expression or ["not @wip"])
    return [s for s in found if expression.check(s.tags)]


def last_times(junit: Path) -> dict[str, float]:
    """``{scenario name: seconds}`` from the JUnit files of the last run."""
    times: dict[str, float] = {}
    for path in junit.glob("TESTS-*.xml"):
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError:
            continue
        for case in root.iter("testcase"):
            times[case.get("name", "").split(" -- @")[0].strip()] = float(case.get("time", 0))
    return times


def shard_spec(text: str) -> tuple[int, int]:
    """``K/N``: the K-th of N shards, 1 <= K <= N."""
    k, _, n = text.partition("/")
    if not (k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise argparse.ArgumentTypeError(f"expected K/N with 1 <= K <= N, got {text!r}")
    return int(k), int(n)


def shard(found: list[Scenario], k: int, n: int) -> list[Scenario]:
    """The K-th of N shards: every N-th scenario in file order, starting at the K-th.
    It depends on nothing but the feature files, so N machines that each run their own
    shard run every scenario exactly once between them, whatever they ran before."""
    return [s for i, s in enumerate(found) if i % n == k - 1]


def deal(work: list[Scenario], workers: int, times: dict[str, float]) -> list[Bucket]:
    """Longest first, each scenario to the least loaded worker; a worker then runs its
    scenarios in file order, so a feature's scenarios stay together where they can."""
    buckets = [Bucket() for _ in range(workers)]
    order = {s.location: i for i, s in enumerate(work)}
    ranked = sorted(work, key=lambda s: -times.get(s.name, DEFAULT_SECONDS))
    for scenario in ranked:
        bucket = min(buckets, key=lambda b: b.seconds)
        bucket.locations.append(scenario.location)
        bucket.seconds += times.get(scenario.name, DEFAULT_SECONDS)
    for bucket in buckets:
        bucket.locations.sort(key=order.__getitem__)
    return [b for b in buckets if b.locations]


def merge_junit(parts: list[Path], into: Path) -> None:
    """One ``TESTS-<feature>.xml`` per feature. Each process lists every scenario of the
    features it touched, those it did not run as skipped: a scenario's entry is the one
    of the process that ran it (skipped only if none did), and the counts are recounted."""
    suites: dict[str, ET.Element] = {}
    cases: dict[str, dict[tuple[str, str], ET.Element]] = {}
    for part in parts:
        for path in sorted(part.glob("TESTS-*.xml")):
            suite = ET.parse(path).getroot()
            suites.setdefault(path.name, suite)
            kept = cases.setdefault(path.name, {})
            for case in suite.findall("testcase"):
                key = (case.get("classname", ""), case.get("name", ""))
                if key not in kept or kept[key].find("skipped") is not None:
                    kept[key] = case
    into.mkdir(parents=True, exist_ok=True)
    for name, suite in suites.items():
        for case in suite.findall("testcase"):
            suite.remove(case)
        kept = list(cases[name].values())
        suite.extend(kept)
        for counter, tag in (("errors", "error"), ("failures", "failure"), ("skipped", "skipped")):
            suite.set(counter, str(sum(c.find(tag) is not None for c in kept)))
        suite.set("tests", str(len(kept)))
        suite.set("time", f"{sum(float(c.get('time', 0)) for c in kept):.6f}")
        ET.ElementTree(suite).write(into / name, encoding="utf-8", xml_declaration=True)


def _run(index: str, locations: list[str], behave_args: list[str], env: dict[str, str]) -> int:
    junit = REPORTS / "parallel" / f"junit-{index}"
    log = REPORTS / "parallel" / f"worker-{index}.log"
    listing = REPORTS / "parallel" / f"worker-{index}.locations"
    listing.write_text("".join(f"{ROOT / location}\n" for location in locations))
    # The formatters are the project's (pyproject.toml: pretty to the log, allure into
    # reports/allure-results); only the JUnit directory is the worker's own.
    command = [
        sys.executable, "-m", "behave", *behave_args, "-D", "allure.keep_results=true",
        "-D", f"rerun_file={REPORTS / 'parallel' / f'rerun-{index}.txt'}",
        "--junit", "--junit-directory", str(junit), f"@{listing}",
    ]  # fmt: skip
    with log.open("wb") as out:
        return subprocess.run(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, check=False
        ).returncode


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", 2)))
    parser.add_argument("--tags", action="append", default=[], help="as behave's --tags")
    parser.add_argument(
        "--shard", type=shard_spec, default=(1, 1), metavar="K/N",
        help="run only the K-th of N equal parts of the suite (CI machines, README)",
    )  # fmt: skip
    parser.add_argument("paths", nargs="*", help="feature files (default: all)")
    args, behave_args = parser.parse_known_args(argv)
    started = time.perf_counter()
    paths = [Path(p) for p in args.paths] or sorted(FEATURES.glob("*.feature"))
    chosen = shard(selected(scenarios(paths), args.tags), *args.shard)
    shared = [s for s in chosen if EXCLUSIVE not in s.tags]
    alone = [s.location for s in chosen if EXCLUSIVE in s.tags]
    buckets = deal(shared, max(1, args.workers), last_times(REPORTS / "junit"))  # before cleaning
    # A fresh start, as a serial run's: every process then keeps what the others write.
    for stale in ("parallel", "allure-results", "junit"):
        shutil.rmtree(REPORTS / stale, ignore_errors=True)
    (REPORTS / "parallel").mkdir(parents=True)
    (REPORTS / "allure-results").mkdir(parents=True)
    behave_args = [*behave_args, *(f"--tags={t}" for t in args.tags)]

    system = None
    env = dict(os.environ)
    if not env.get("QUANTDESK_BASE_URL"):
        system = EmbeddedSystem(database_url=env.get("QUANTDESK_DATABASE_URL")).start()
        env.update(
            QUANTDESK_BASE_URL=system.base_url,
            QUANTDESK_BROKER_URL=system.broker_url,
            QUANTDESK_OPERATOR_KEY=system.operator_key,
        )
        # Workers attach the system's log to a failing scenario, as a serial run does (the
        # lines of that time, the other workers' requests among them).
        env[SYSTEM_LOGS_ENV] = system.logs_listing()
    env["QUANTDESK_RUN_MODE"] = (
        f"parallel, {len(buckets)} workers ({'embedded' if system else 'remote'})"
    )
    try:
        print(
            f"{len(shared)} scenarios in {len(buckets)} workers, then {len(alone)} @exclusive "
            f"alone, against {env['QUANTDESK_BASE_URL']}",
            flush=True,
        )
        with ThreadPoolExecutor(len(buckets) or 1) as pool:
            codes = list(
                pool.map(
                    lambda item: _run(str(item[0] + 1), item[1].locations, behave_args, env),
                    enumerate(buckets),
                )
            )
        if alone:
            codes.append(_run("exclusive", alone, behave_args, env))
    finally:
        if system is not None:
            system.stop()
    parts = sorted((REPORTS / "parallel").glob("junit-*"))
    merge_junit(parts, REPORTS / "junit")
    if rerun.merge(sorted((REPORTS / "parallel").glob("rerun-*.txt")), ROOT / rerun.DEFAULT):
        print(f"failed scenarios: behave @{rerun.DEFAULT} runs them again")
    for log in sorted((REPORTS / "parallel").glob("worker-*.log")):
        summary = [line for line in log.read_text().splitlines() if " passed, " in line]
        print(f"{log.stem}: " + "; ".join(summary))
    failed = [code for code in codes if code != 0]
    took = time.perf_counter() - started
    print(f"{'FAILED' if failed else 'passed'}: {len(codes)} behave processes, {took:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
