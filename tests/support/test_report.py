"""The report's categories, its analytics removed, what the browser check expects, the
run's summary time and the platform's build facts."""

from __future__ import annotations

import json
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from behave.reporter.summary import SummaryReporter

from quantdesk import build
from support.report_check import expected_from, foreign_requests
from support.report_html import traces_in, without_beacon
from support.reporting import CATEGORIES, category_of, package_versions
from support.summary import WallClockSummary, use_wall_clock

PRODUCT = "Product defects: the platform did not do what the specification says"
TEST = "Test defects: the suite itself broke"
INFRA = "Infrastructure: the platform could not be reached or did not start"
KNOWN = "Known issues (tagged with their tracker issue)"


@pytest.mark.parametrize(
    ("status", "message", "trace", "labels", "category"),
    [
        ("failed", "AssertionError: \nExpected: <2>\n     but: was <3>\n", "", {}, PRODUCT),
        ("broken", "support.drivers.http.NotFound: 404 not_found: no such client\n", "", {},
         PRODUCT),
        ("broken", "support.drivers.http.Conflict: 409 batch_not_approved: ...\n", "", {},
         PRODUCT),
        ("broken", "httpx.ConnectError: [Errno 111] Connection refused\n", "", {}, INFRA),
        ("broken", "httpx.ReadTimeout: timed out\n", "", {}, INFRA),
        ("broken", "RuntimeError: boom\n", "... raise LaunchError(...)", {}, INFRA),
        ("broken", "KeyError: 'x'\n", "", {}, TEST),
        ("broken", "TypeError: bad operand\n", "", {}, TEST),
        ("failed", "AssertionError: x\n", "", {"issue": ["QD-42"]}, KNOWN),
        ("broken", "httpx.ConnectError: refused\n", "", {"issue": ["QD-42"]}, KNOWN),
        ("passed", "", "", {}, "none"),
    ],
)  # fmt: skip
def test_each_failure_falls_in_the_category_a_reader_expects(
    status, message, trace, labels, category
):
    assert category_of(status, message, trace, labels) == category


def test_the_categories_are_what_allure_reads():
    for category in CATEGORIES:
        matchers = category["matchers"]
        for matcher in matchers if isinstance(matchers, list) else [matchers]:
            assert set(matcher) <= {"statuses", "message", "trace", "labels"}
            assert set(matcher["statuses"]) <= {"failed", "broken", "passed", "skipped"}


PAGE = """<html><head><title>r</title></head><body><div id="app"></div>
<script>window.allure = window.allure || {};</script>
    <script async src="https://www.googletagmanager.com/gtag/js?id=G-LNDJ3J7WT0"></script>
    <script>
        window.dataLayer = window.dataLayer || [];
        function gtag(){dataLayer.push(arguments);}
        gtag('js', new Date());
        gtag('config', 'G-LNDJ3J7WT0', {"report": "awesome"});
    </script>
<script>window.reportData = "keep me";</script>
</body></html>"""


def test_the_report_keeps_its_own_scripts_and_loses_the_analytics():
    assert traces_in(PAGE)
    cleaned = without_beacon(PAGE)
    assert traces_in(cleaned) == []
    assert "G-LNDJ3J7WT0" not in cleaned
    assert 'window.reportData = "keep me"' in cleaned
    assert "window.allure = window.allure" in cleaned
    assert without_beacon(cleaned) == cleaned


def test_only_requests_off_the_machine_are_foreign():
    urls = [
        "file:///r/index.html", "data:text/javascript;base64,AA", "blob:file:///x",
        "about:blank", "https://www.googletagmanager.com/gtag/js?id=G", "http://127.0.0.1:1/x",
    ]  # fmt: skip
    assert foreign_requests(urls) == [
        "http://127.0.0.1:1/x", "https://www.googletagmanager.com/gtag/js?id=G"
    ]  # fmt: skip


def _result(name, epic, feature, attachments, story=None):
    labels = [{"name": "epic", "value": epic}, {"name": "feature", "value": feature}]
    if story:
        labels.append({"name": "story", "value": story})
    return {
        "name": name,
        "labels": labels,
        "steps": [{"name": "Given a step", "attachments": [{"type": t} for t in attachments]}],
    }


def test_the_browser_check_expects_every_epic_and_feature_and_a_rich_scenario():
    results = [
        _result("plain", "Trading", "The trading cycle", ["text/plain"] * 9),
        _result("charted", "Market data", "Daily prices", ["image/png", "text/csv"], "A rule"),
        _result("another", "Market data", "Indicators", ["text/plain"]),
        {"name": "no labels", "labels": [], "steps": []},
    ]
    expected = expected_from(results)
    assert expected.epics == {
        "Trading": {"The trading cycle"},
        "Market data": {"Daily prices", "Indicators"},
    }
    assert expected.sample.name == "charted"
    assert expected.sample.story == "A rule"
    assert expected.sample.steps == ["Given a step"]
    assert expected.sample.attachments == 2


def test_without_a_chart_and_a_table_the_scenario_with_most_attachments_is_checked():
    results = [
        _result("few", "E", "F", ["text/plain"]),
        _result("many", "E", "F", ["text/plain"] * 3),
    ]
    assert expected_from(results).sample.name == "many"


def test_the_summary_tells_the_wall_time_since_the_process_started():
    config = SimpleNamespace(userdata={}, reporters=[])
    config.reporters = [SummaryReporter(config), "another reporter"]
    use_wall_clock(config, started=time.time() - 22.0)
    summary = config.reporters[0]
    assert isinstance(summary, WallClockSummary)
    assert config.reporters[1] == "another reporter"
    summary.duration += 0.008  # what behave does with each feature's own duration
    assert 22.0 <= summary.duration < 30.0


def test_the_environment_names_the_packages_of_the_run():
    versions = package_versions()
    assert {"behave", "allure-behave", "httpx", "pyhamcrest", "pandas"} <= set(versions)
    assert all(" " not in key for key in versions)  # a properties key cannot hold one
    manifest = json.loads((Path(__file__).parents[2] / "package.json").read_text())
    assert versions["allure-report"] == manifest["devDependencies"]["allure"]


def test_the_platform_names_the_commit_a_deployment_gives_it(monkeypatch):
    build.commit.cache_clear()
    monkeypatch.setenv("QUANTDESK_COMMIT", "abc1234")
    try:
        assert build.commit() == "abc1234"
    finally:
        build.commit.cache_clear()


def test_in_a_checkout_the_platform_names_its_commit(monkeypatch):
    build.commit.cache_clear()
    monkeypatch.delenv("QUANTDESK_COMMIT", raising=False)
    try:
        found = build.commit()
    finally:
        build.commit.cache_clear()
    assert found == "unknown" or (len(found) == 40 and int(found, 16) >= 0)


def test_the_run_is_timed_from_the_start_of_its_process_not_from_the_hooks():
    import subprocess
    import sys

    # The child spends half a second before it loads the summary module, as behave does
    # parsing features and importing the suite before the hooks load.
    code = (
        "import time; time.sleep(0.5)\n"
        "from support.summary import process_start\n"
        "print(time.time() - process_start())"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert 0.5 <= float(out.stdout) < 30.0
