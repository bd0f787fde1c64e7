"""Scenarios under a Gherkin Rule reach the Allure results (allure-python issue #886)."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = [pytest.mark.process]

FEATURE = """\
@allure.label.epic:Demo
Feature: Ruled feature

  Scenario: Outside any rule
    Given evidence is attached

  @critical
  Rule: The first rule
    Scenario: Inside the first rule
      Given evidence is attached

    Scenario Outline: Outline inside the rule with <n>
      Given evidence is attached
      Examples:
        | n |
        | 1 |
        | 2 |

  @allure.label.story:Explicit_story
  Rule: The second rule
    Scenario: Inside the second rule
      Given evidence is attached
"""

STEPS = """\
import allure
from behave import given

@given("evidence is attached")
def step_attach(context):
    allure.attach("evidence", name="evidence", attachment_type=allure.attachment_type.TEXT)
"""


def run_behave(tmp_path: Path, formatter: str) -> tuple[subprocess.CompletedProcess, list[dict]]:
    (tmp_path / "features").mkdir()
    (tmp_path / "features" / "ruled.feature").write_text(FEATURE)
    (tmp_path / "steps").mkdir()
    (tmp_path / "steps" / "steps.py").write_text(textwrap.dedent(STEPS))
    out = tmp_path / "results"
    result = subprocess.run(
        [sys.executable, "-m", "behave", "--no-junit", "-f", formatter, "-o", str(out), "features"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    tests = [json.loads(p.read_text()) for p in out.glob("*-result.json")] if out.exists() else []
    return result, tests


def labels(test: dict, name: str) -> list[str]:
    return [label["value"] for label in test["labels"] if label["name"] == name]


def test_rule_scenarios_reach_the_report_with_their_attachments(tmp_path):
    result, tests = run_behave(tmp_path, "support.allure_formatter:RuleAwareAllureFormatter")
    assert result.returncode == 0, result.stdout + result.stderr
    by_name = {t["name"]: t for t in tests}
    assert len(tests) == 5, sorted(by_name)
    inside = by_name["Inside the first rule"]
    assert inside["status"] == "passed"
    assert inside["titlePath"][-1] == "The first rule"
    assert labels(inside, "story") == ["The first rule"]
    assert labels(inside, "severity") == ["critical"]
    assert labels(inside, "epic") == ["Demo"]
    assert any(a["name"] == "evidence" for s in inside["steps"] for a in s["attachments"])
    assert labels(by_name["Inside the second rule"], "story") == ["Explicit_story"]
    assert labels(by_name["Outside any rule"], "story") == []
    assert (tmp_path / "results" / "environment.properties").exists()
    assert (tmp_path / "results" / "executor.json").exists()


@pytest.mark.xfail(
    strict=True,
    reason="upstream allure-behave drops Rule scenarios (#886); "
    "when this starts passing, the workaround can go",
)
def test_stock_allure_behave_still_drops_rule_scenarios(tmp_path):
    _, tests = run_behave(tmp_path, "allure_behave.formatter:AllureFormatter")
    assert len(tests) == 5
