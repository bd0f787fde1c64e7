"""``python -m mutation``: mutate the platform's rule-bearing modules one at a time and run
only the features that specify each module (see ``mutation/targets.toml``).

    python -m mutation                                 # every module (the full run)
    python -m mutation quantdesk/domain/preferences.py # one module (or a package prefix)
    python -m mutation --sample 0.1 --seed 7           # a seeded 10 % of each module's mutants
    python -m mutation --list                          # mutants per module, nothing run
    python -m mutation --check                         # every module has its features
    python -m mutation MODULE --database postgresql+psycopg://postgres@127.0.0.1:5432/test

The mutants run in copies of the working tree under ``reports/mutation/`` (your checkout
is never modified), with cosmic-ray as the engine: ``cosmic-ray init`` proposes the
mutants, ``cosmic-ray exec`` applies each one and runs behave on the module's features.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from cosmic_ray.work_db import WorkDB, use_db
from cosmic_ray.work_item import TestOutcome, WorkerOutcome, WorkResult

from mutation.filters import excluded_reason, read_spans, sample
from mutation.results import (
    ModuleScore,
    Mutant,
    changed_lines,
    load_equivalents,
    table,
)

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
OUT = ROOT / "reports" / "mutation"


@dataclass(frozen=True)
class Targets:
    packages: list[str]
    timeout: float
    modules: dict[str, list[str]]
    # Modules written ahead of the feature that will specify them, each with that
    # feature: listed by every run and by --check, never mutated.
    pending: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path = HERE / "targets.toml") -> Targets:
        data = tomllib.loads(path.read_text())
        return cls(
            packages=list(data["settings"]["packages"]),
            timeout=float(data["settings"]["timeout"]),
            modules={k: list(v) for k, v in data["modules"].items()},
            pending={k: str(v) for k, v in data.get("pending", {}).items()},
        )

    def unmapped(self, root: Path = ROOT) -> list[str]:
        """Modules of the scoped packages with code but no features, and stale entries."""
        found = {
            str(p.relative_to(root))
            for package in self.packages
            for p in (root / package).glob("*.py")
            if p.name != "__init__.py" or p.read_text().strip().count("\n") > 2
        }
        missing = sorted(found - set(self.modules) - set(self.pending))
        stale = sorted(
            f"{m} (no such module)" for m in (set(self.modules) | set(self.pending)) - found
        )
        twice = sorted(
            f"{m} is both paired and pending" for m in set(self.modules) & set(self.pending)
        )
        unexplained = sorted(
            f"{m} is pending without the feature it waits for"
            for m, waits_for in self.pending.items()
            if not waits_for.strip()
        )
        unknown = sorted(
            f"{m}: features/{f}.feature does not exist"
            for m, features in self.modules.items()
            for f in features
            if not (root / "features" / f"{f}.feature").exists()
        )
        return missing + stale + twice + unexplained + unknown

    def select(self, wanted: list[str]) -> dict[str, list[str]]:
        if not wanted:
            return dict(self.modules)
        chosen = {
            m: f
            for m, f in self.modules.items()
            if any(m == w or m.startswith(w.rstrip("/") + "/") for w in wanted)
        }
        if not chosen:
            raise SystemExit(f"no module matches {wanted}; modules: {', '.join(self.modules)}")
        return chosen


def _slug(module: str) -> str:
    return module.removesuffix(".py").replace("/", ".")


# The platform's database for the runs (``--database``); None: the embedded SQLite.
DATABASE_URL: list[str] = []


def _clean_env() -> dict[str, str]:
    """No QUANTDESK_* setting of the caller reaches the run: it is always embedded, on
    SQLite unless ``--database`` names another database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUANTDESK_")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if DATABASE_URL:
        env["QUANTDESK_DATABASE_URL"] = DATABASE_URL[0]
    return env


def make_workspace(slot: int) -> Path:
    """A copy of the working tree (tracked and untracked, not ignored files)."""
    workspace = OUT / f"workspace-{slot}"
    shutil.rmtree(workspace, ignore_errors=True)
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            target = workspace / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return workspace


def behave_command(features: list[str]) -> str:
    paths = " ".join(f"features/{f}.feature" for f in features)
    return (
        f"{sys.executable} -m behave --stop --no-junit --no-summary --no-capture "
        f"-f progress -o /dev/null {paths}"
    )


def _write_config(workspace: Path, module: str, features: list[str], timeout: float) -> Path:
    config = OUT / "sessions" / f"{_slug(module)}.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        "[cosmic-ray]\n"
        f"module-path = {json.dumps(str(workspace / module))}\n"
        f"timeout = {timeout}\n"
        "excluded-modules = []\n"
        f"test-command = {json.dumps(behave_command(features))}\n"
        '[cosmic-ray.distributor]\nname = "local"\n'
    )
    return config


def _filter(db_path: Path, workspace: Path, module: str, size: float | None, seed: int) -> None:
    spans = read_spans(workspace / module)
    with use_db(str(db_path), WorkDB.Mode.open) as db:
        runnable: dict[str, str] = {}  # the mutant's identity -> cosmic-ray's (random) job id
        for item in list(db.pending_work_items):
            mutation = item.mutations[0]
            reason = excluded_reason(mutation.operator_name, tuple(mutation.start_pos), spans)
            if reason:
                db.set_result(item.job_id, WorkResult(WorkerOutcome.SKIPPED, output=reason))
            else:
                identity = f"{mutation.operator_name}#{mutation.occurrence}"
                runnable[identity] = item.job_id
        if size is not None:
            # Sampled by identity, so one seed picks the same mutants of unchanged code.
            keep = {runnable[identity] for identity in sample(list(runnable), size, seed)}
            for job_id in runnable.values():
                if job_id not in keep:
                    db.set_result(
                        job_id, WorkResult(WorkerOutcome.SKIPPED, output="not in the sample")
                    )


def _cosmic_ray(*args: str, cwd: Path) -> None:
    subprocess.run(
        [str(Path(sys.executable).parent / "cosmic-ray"), *args],
        cwd=cwd,
        env={**_clean_env(), "PYTHONPATH": str(cwd)},
        check=True,
    )


def _baseline(workspace: Path, features: list[str]) -> float:
    started = time.monotonic()
    done = subprocess.run(
        behave_command(features).split(),
        cwd=workspace,
        env={**_clean_env(), "PYTHONPATH": str(workspace)},
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(
            f"the unmutated platform fails {features}; fix that first:\n{done.stdout[-3000:]}"
        )
    return time.monotonic() - started


def collect(db_path: Path, module: str, features: list[str], equivalents: dict) -> ModuleScore:
    score = ModuleScore(module, features)
    with use_db(str(db_path), WorkDB.Mode.open) as db:
        for item, result in db.completed_work_items:
            if result.worker_outcome == WorkerOutcome.SKIPPED:
                continue
            mutation = item.mutations[0]
            before, after = changed_lines(result.diff)
            outcome = "killed" if result.test_outcome != TestOutcome.SURVIVED else "survived"
            mutant = Mutant(
                module, mutation.start_pos[0], mutation.operator_name, before, after, outcome
            )
            if outcome == "survived" and mutant.key in equivalents:
                mutant = replace(mutant, outcome="equivalent")
            score.mutants.append(mutant)
    score.mutants.sort(key=lambda m: (m.line, m.operator))
    return score


def run_module(
    module: str, features: list[str], workspace: Path, args: argparse.Namespace, timeout: float
) -> Path:
    config = _write_config(workspace, module, features, timeout)
    db_path = config.with_suffix(".sqlite")
    db_path.unlink(missing_ok=True)
    _cosmic_ray("init", str(config), str(db_path), cwd=workspace)
    _filter(db_path, workspace, module, args.sample, args.seed)
    if args.list:
        return db_path
    seconds = _baseline(workspace, features)
    print(
        f"[{module}] {_pending(db_path)} mutants; clean run of {features} took {seconds:.1f} s",
        flush=True,
    )
    started = time.monotonic()
    _cosmic_ray("exec", str(config), str(db_path), cwd=workspace)
    print(f"[{module}] done in {time.monotonic() - started:.0f} s", flush=True)
    return db_path


def _pending(db_path: Path) -> int:
    with use_db(str(db_path), WorkDB.Mode.open) as db:
        return sum(1 for _ in db.pending_work_items)


def report_targets(targets: Targets) -> list[str]:
    """Print the pending modules and every pairing problem; the problems."""
    for module, waits_for in sorted(targets.pending.items()):
        print(f"pending, not mutated: {module} (waits for {waits_for})", file=sys.stderr)
    problems = targets.unmapped()
    for problem in problems:
        print(f"targets.toml: {problem}", file=sys.stderr)
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mutation", description=__doc__.split("\n")[0])
    parser.add_argument("modules", nargs="*", help="modules or package prefixes (default: all)")
    parser.add_argument("--sample", type=float, help="a fraction (<1) or a count per module")
    parser.add_argument("--seed", type=int, default=1, help="the sample's seed (default 1)")
    parser.add_argument("--jobs", type=int, default=1, help="modules mutated at once")
    parser.add_argument("--list", action="store_true", help="count the mutants, run nothing")
    parser.add_argument("--check", action="store_true", help="every module has features")
    parser.add_argument(
        "--database",
        help="the platform's database URL for the runs (e.g. PostgreSQL, for the code only "
        "PostgreSQL runs); default the embedded SQLite",
    )
    args = parser.parse_args(argv)
    DATABASE_URL[:] = [args.database] if args.database else []

    targets = Targets.load()
    problems = report_targets(targets)
    if problems or args.check:
        return 1 if problems else 0
    selected = targets.select(args.modules)
    equivalents = load_equivalents(HERE / "equivalent.toml")
    started = datetime.now(UTC)
    # The commit the copies are made from (uncommitted changes ride along with it).
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()

    jobs = max(1, min(args.jobs, len(selected)))
    workspaces = [make_workspace(slot) for slot in range(jobs)]
    queue = list(selected.items())

    def worker(slot: int) -> list[tuple[str, Path]]:
        done = []
        while True:
            try:
                module, features = queue.pop(0)
            except IndexError:
                return done
            done.append(
                (module, run_module(module, features, workspaces[slot], args, targets.timeout))
            )

    with ThreadPoolExecutor(jobs) as pool:
        finished = [pair for part in pool.map(worker, range(jobs)) for pair in part]
    order = list(selected)
    finished.sort(key=lambda pair: order.index(pair[0]))

    if args.list:
        for module, db_path in finished:
            print(f"{module}: {_pending(db_path)} mutants to run")
        return 0

    scores = [collect(db, m, selected[m], equivalents) for m, db in finished]
    print()
    print(table(scores))
    survivors = [m for s in scores for m in s.mutants if m.outcome == "survived"]
    if survivors:
        print(f"\n{len(survivors)} survivors (not in mutation/equivalent.toml):")
        for mutant in survivors:
            print(mutant.describe())
    summary = {
        "started": started.isoformat(timespec="seconds"),
        "seconds": round((datetime.now(UTC) - started).total_seconds()),
        "commit": commit,
        "sample": args.sample,
        "seed": args.seed,
        "modules": {
            s.module: {
                "features": s.features,
                "mutants": len(s.mutants),
                "equivalent": s.count("equivalent"),
                "killed": s.count("killed"),
                "survived": s.count("survived"),
            }
            for s in scores
        },
        "survivors": [m.__dict__ for m in survivors],
    }
    (OUT / "summary.json").write_text(json.dumps(summary, indent=2))
    print(f"\nSummary: {OUT / 'summary.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
