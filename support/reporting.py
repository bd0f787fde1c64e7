"""Allure evidence and run facts (environment.properties, executor.json)."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Any

import allure

# Facts about this run, filled in by environment.py and written by the Allure formatter
# into its results directory when the run closes.
RUN_FACTS: dict[str, str] = {}


def attach_text(name: str, text: str) -> None:
    allure.attach(text, name=name, attachment_type=allure.attachment_type.TEXT)


def attach_json(name: str, data: Any) -> None:
    allure.attach(
        json.dumps(data, indent=2, ensure_ascii=False),
        name=name,
        attachment_type=allure.attachment_type.JSON,
    )


def write_run_facts(results_dir: Path) -> None:
    """``environment.properties`` and ``executor.json`` for the report's overview."""
    results_dir.mkdir(parents=True, exist_ok=True)
    facts = {"python.version": platform.python_version(), **RUN_FACTS}
    lines = [f"{key}={str(value).replace(chr(10), ' ')}" for key, value in sorted(facts.items())]
    (results_dir / "environment.properties").write_text("\n".join(lines) + "\n")
    in_ci = bool(os.environ.get("CI"))
    executor = {
        "name": "CI" if in_ci else f"local ({platform.node()})",
        "type": "ci" if in_ci else "local",
        "buildName": os.environ.get("BUILD_NAME") or "acceptance run",
        "reportName": "QuantDesk acceptance",
    }
    (results_dir / "executor.json").write_text(json.dumps(executor, indent=2))
