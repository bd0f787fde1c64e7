"""A run's own check that no secret it used reached the report.

Every secret a scenario uses (operator key, passwords, tokens) is remembered by that
scenario's redactor; at the end of the run the Allure results are searched for each of
them, in plain text and JSON-escaped form. A hit fails the run.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path


def find_leaks(results_dir: Path, secrets: Iterable[str]) -> dict[str, list[str]]:
    """``{file name: [masked secret, ...]}`` for every file that contains a secret."""
    needles = {s: {s, json.dumps(s)[1:-1]} for s in secrets if s and len(s) >= 8}
    leaks: dict[str, list[str]] = {}
    if not results_dir.is_dir():
        return leaks
    for path in sorted(results_dir.iterdir()):
        if not path.is_file():
            continue
        text = path.read_text(errors="replace")
        hits = [
            f"{s[:2]}...{s[-2:]}"
            for s, forms in needles.items()
            if any(form in text for form in forms)
        ]
        if hits:
            leaks[path.name] = hits
    return leaks
