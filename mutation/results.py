"""Mutants' outcomes, the reviewed list of equivalent mutants, and the printed table."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Mutant:
    module: str
    line: int
    operator: str
    before: str
    after: str
    outcome: str  # killed | survived | equivalent

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.module, self.operator, self.before, self.after)

    def describe(self) -> str:
        return (
            f"{self.module}:{self.line}  {self.operator}\n    - {self.before}\n    + {self.after}"
        )


def changed_lines(diff: str | None) -> tuple[str, str]:
    """The first removed and the first added source line of a unified diff, stripped."""
    before = after = ""
    for line in (diff or "").splitlines():
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("-") and not before:
            before = line[1:].strip()
        elif line.startswith("+") and not after:
            after = line[1:].strip()
    return before, after


@dataclass(frozen=True)
class Equivalent:
    module: str
    operator: str
    before: str
    after: str
    reason: str

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.module, self.operator, self.before, self.after)


def load_equivalents(path: Path) -> dict[tuple[str, str, str, str], Equivalent]:
    """The reviewed list: each entry names the mutant by its lines and says why."""
    if not path.exists():
        return {}
    entries = tomllib.loads(path.read_text()).get("mutant", [])
    found: dict[tuple[str, str, str, str], Equivalent] = {}
    for entry in entries:
        if not str(entry.get("reason", "")).strip():
            raise ValueError(f"{path}: an equivalent mutant needs a reason: {entry}")
        item = Equivalent(
            entry["module"], entry["operator"], entry["before"], entry["after"], entry["reason"]
        )
        found[item.key] = item
    return found


@dataclass
class ModuleScore:
    module: str
    features: list[str]
    mutants: list[Mutant] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for m in self.mutants if m.outcome == outcome)

    @property
    def considered(self) -> int:
        return self.count("killed") + self.count("survived")

    @property
    def kill_rate(self) -> float | None:
        return self.count("killed") / self.considered if self.considered else None


def rate(killed: int, considered: int) -> str:
    return f"{100 * killed / considered:5.1f} %" if considered else "    -  "


def table(scores: Iterable[ModuleScore]) -> str:
    """Module, feature, mutants run, equivalent, killed, survived, kill rate; and totals."""
    scores = list(scores)
    rows = [("module", "features", "mutants", "equiv.", "killed", "survived", "kill rate")]
    for s in scores:
        rows.append(
            (
                s.module,
                ",".join(s.features),
                str(len(s.mutants)),
                str(s.count("equivalent")),
                str(s.count("killed")),
                str(s.count("survived")),
                rate(s.count("killed"), s.considered),
            )
        )
    for package in sorted({s.module.rsplit("/", 1)[0] for s in scores}):
        group = [s for s in scores if s.module.startswith(package + "/")]
        killed = sum(s.count("killed") for s in group)
        considered = sum(s.considered for s in group)
        rows.append(
            (
                f"{package}/ (all)",
                "",
                str(sum(len(s.mutants) for s in group)),
                str(sum(s.count("equivalent") for s in group)),
                str(killed),
                str(considered - killed),
                rate(killed, considered),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
