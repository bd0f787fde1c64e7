"""The gate's behave settings fail a run with an undefined or a pending step, and leave
@wip scenarios out."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

pytestmark = [pytest.mark.process]

ROOT = Path(__file__).resolve().parents[2]

STEPS = """\
from behave import given
from behave.api.pending_step import StepNotImplementedError

@given("a step that works")
def works(context):
    pass

@given("a step still to write")
def pending(context):
    raise StepNotImplementedError("to write")
"""


def _project_settings() -> str:
    """The project's [tool.behave] settings, with plain output instead of the report."""
    behave = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["behave"]
    kept = {k: v for k, v in behave.items() if k not in {"format", "outfiles", "formatters",
                                                         "userdata", "junit"}}  # fmt: skip
    lines = ["[tool.behave]"]
    for key, value in kept.items():
        shown = repr(value).replace("'", '"') if not isinstance(value, bool) else str(value).lower()
        lines.append(f"{key} = {shown}")
    lines.append('format = ["plain"]')
    return "\n".join(lines) + "\n"


def _run(tmp_path: Path, scenario: str) -> subprocess.CompletedProcess:
    (tmp_path / "features" / "steps").mkdir(parents=True)
    (tmp_path / "features" / "steps" / "steps.py").write_text(STEPS)
    (tmp_path / "features" / "gate.feature").write_text(
        f"Feature: The gate\n\n  Scenario: One\n    Given a step that works\n\n{scenario}"
    )
    (tmp_path / "pyproject.toml").write_text(_project_settings())
    return subprocess.run(
        [sys.executable, "-m", "behave", "--no-junit"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_a_run_of_defined_steps_passes(tmp_path):
    result = _run(tmp_path, "")
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_undefined_step_fails_the_run(tmp_path):
    result = _run(tmp_path, "  Scenario: Two\n    Given a step nobody wrote\n")
    assert result.returncode != 0, result.stdout
    assert "undefined" in result.stdout


def test_a_pending_step_fails_the_run(tmp_path):
    result = _run(tmp_path, "  Scenario: Two\n    Given a step still to write\n")
    assert result.returncode != 0, result.stdout
    assert "pending" in result.stdout


def test_wip_scenarios_are_left_out_of_the_gate(tmp_path):
    result = _run(tmp_path, "  @wip\n  Scenario: Two\n    Given a step nobody wrote\n")
    assert result.returncode == 0, result.stdout + result.stderr
