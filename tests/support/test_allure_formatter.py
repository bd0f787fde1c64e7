"""Scenarios under a Gherkin Rule reach the Allure results (allure-python issue #886), and
the results read as a requirements document: labels in words, the feature's and rule's
descriptions, links from tags."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = [pytest.mark.process]

FEATURE = """\
@allure.label.epic:Market_data
Feature: Ruled feature
  Why this feature matters.

  @allure.issue:QD-1 @allure.tms:TC-7
  Scenario: Outside any rule
    Given evidence is attached

  @critical
  Rule: The first rule
    What the first rule is about.

    Scenario: Inside the first rule
      Given evidence is attached
      And a table:
        | a |
        | 1 |

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

@given("a table:")
def step_table(context):
    pass

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
        [
            sys.executable,
            "-m",
            "behave",
            "--no-junit",
            "-f",
            formatter,
            "-o",
            str(out),
            "-D",
            "AllureFormatter.issue_pattern=https://tracker.example/issues/{}",
            "-D",
            "AllureFormatter.tms_pattern=https://tracker.example/cases/{}",
            "features",
        ],
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
    assert labels(inside, "epic") == ["Market data"]
    assert any(a["name"] == "evidence" for s in inside["steps"] for a in s["attachments"])
    assert labels(by_name["Inside the second rule"], "story") == ["Explicit story"]
    assert labels(by_name["Outside any rule"], "story") == []


def test_every_scenario_carries_its_features_and_rules_why(tmp_path):
    result, tests = run_behave(tmp_path, "support.allure_formatter:RuleAwareAllureFormatter")
    assert result.returncode == 0, result.stdout + result.stderr
    by_name = {t["name"]: t for t in tests}
    assert by_name["Inside the first rule"]["description"] == (
        "Why this feature matters.\n\n**Rule:** The first rule\n\nWhat the first rule is about."
    )
    assert by_name["Outside any rule"]["description"] == "Why this feature matters."
    table = by_name["Inside the first rule"]["steps"][1]["attachments"]
    assert [(a["name"], a["type"]) for a in table] == [("the step's table", "text/csv")]


def test_tags_link_to_the_tracker_and_mark_known_issues(tmp_path):
    result, tests = run_behave(tmp_path, "support.allure_formatter:RuleAwareAllureFormatter")
    assert result.returncode == 0, result.stdout + result.stderr
    outside = next(t for t in tests if t["name"] == "Outside any rule")
    links = {(link["type"], link["url"]) for link in outside["links"]}
    assert links == {
        ("issue", "https://tracker.example/issues/QD-1"),
        ("tms", "https://tracker.example/cases/TC-7"),
    }
    assert labels(outside, "issue") == ["QD-1"]
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
