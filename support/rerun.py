"""The rerun file: the scenarios that failed in the last run, one location a line.

``behave @reports/rerun.txt`` runs exactly those again (behave reads a file named with
``@`` as a list of locations). A run with no failure removes the file, so an old list
is never rerun by mistake. A parallel run gives each worker its own file
(``-D rerun_file=...``) and merges them into ``reports/rerun.txt``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

DEFAULT = Path("reports") / "rerun.txt"
HEADER = "# Scenarios that failed in the last run: behave @{path} runs them again.\n"


def write(path: Path, locations: Iterable[str]) -> bool:
    """Write the failed ``locations`` (``features/x.feature:LINE``, relative to the working
    directory or absolute) to ``path``, or remove the file when there are none; whether
    any failed. behave reads the locations of an ``@`` file relative to the file's own
    directory, so that is how they are written."""
    unique = sorted({_relative_to(path.parent, loc) for loc in locations}, key=_order)
    if not unique:
        path.unlink(missing_ok=True)
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    listed = "".join(f"{location}\n" for location in unique)
    path.write_text(HEADER.format(path=os.path.relpath(path)) + listed)
    return True


def read(path: Path) -> list[str]:
    """The locations of a rerun file (none if it does not exist)."""
    if not path.exists():
        return []
    lines = (line.strip() for line in path.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def merge(parts: Iterable[Path], into: Path) -> bool:
    """One rerun file from the workers' files; whether any scenario failed."""
    found = [str(part.parent / location) for part in parts for location in read(part)]
    return write(into, found)


def _relative_to(directory: Path, location: str) -> str:
    file, _, line = location.rpartition(":")
    return f"{os.path.relpath(Path(file).resolve(), directory.resolve())}:{line}"


def _order(location: str) -> tuple[str, int]:
    file, _, line = location.rpartition(":")
    return (file, int(line)) if line.isdigit() else (location, 0)
