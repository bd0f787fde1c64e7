"""Benchmarks of the platform and the suite (``make bench``; benchmarks/README.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def write_results(name: str, report: dict[str, Any]) -> Path:
    """Write a benchmark's figures to ``benchmarks/results/<name>``; the path written."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / name
    path.write_text(json.dumps(report, indent=2) + "\n")
    return path
