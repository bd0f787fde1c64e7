"""Open the generated report in headless Chromium and read it as a person would.

``python -m support.report_check [--results DIR] [--report DIR] [--shots DIR]``

From the Allure results of the run it learns what the report must show: every epic and
every feature of the run, and one scenario (the first, by name, that has a chart and a
table among its attachments, else the one with the most attachments) with its steps and
attachments. Then, in Debian's Chromium driven by selenium and Debian's chromedriver
(Selenium Manager, which would download a driver, is never used), it

1. opens ``index.html`` from disk and finds every epic in the tree;
2. opens each epic and finds its features;
3. opens the scenario through its epic, feature and story, and finds its steps and the
   number of its attachments, then opens the attachments tab;
4. checks that the page asked for nothing but the file itself and inline data (no
   request to any host: the report sends nothing anywhere);

and saves a screenshot of each view in ``reports/report-check/``. Exit status 0 when all
of it is there, 1 with what is missing. On a machine without Chromium it says how to get
it and exits 0 (skipped): the check needs a browser, the gate on a developer's laptop
should not; with ``REPORT_CHECK_REQUIRED=1`` (CI) a missing browser fails it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

ROOT = Path(__file__).resolve().parent.parent
DEADLINE_S = 60.0  # a 30 MB report on a busy 2-core machine takes seconds to render
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
HOW_TO_GET_A_BROWSER = (
    "report check skipped: no Chromium here. On Debian or Ubuntu: "
    "apt-get install chromium chromium-driver (or set CHROMIUM and CHROMEDRIVER to the "
    "browser and its driver)."
)


@dataclass
class Sample:
    name: str
    epic: str
    feature: str
    story: str | None
    steps: list[str]
    attachments: int


@dataclass
class Expected:
    epics: dict[str, set[str]] = field(default_factory=dict)  # epic: its features
    sample: Sample | None = None


def _label(result: dict[str, Any], name: str) -> str | None:
    return next((x["value"] for x in result.get("labels", []) if x["name"] == name), None)


def _attachments(node: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(node.get("attachments", []))
    for step in node.get("steps", []):
        found.extend(_attachments(step))
    return found


def expected_from(results: Iterable[dict[str, Any]]) -> Expected:
    """What the report of these Allure results must show."""
    expected = Expected()
    candidates = []
    for result in results:
        epic, feature = _label(result, "epic"), _label(result, "feature")
        if not epic or not feature:
            continue
        expected.epics.setdefault(epic, set()).add(feature)
        attached = _attachments(result)
        types = {a.get("type") for a in attached}
        sample = Sample(
            name=result["name"],
            epic=epic,
            feature=feature,
            story=_label(result, "story"),
            steps=[step["name"] for step in result.get("steps", [])],
            attachments=len(attached),
        )
        rich = {"image/png", "text/csv"} <= types
        candidates.append((not rich, -sample.attachments, sample.name, sample))
    if candidates:
        expected.sample = min(candidates, key=lambda c: c[:3])[3]
    return expected


def read_results(directory: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted(directory.glob("*-result.json"))]


def browser_paths() -> tuple[str, str] | None:
    browser = os.environ.get("CHROMIUM") or shutil.which("chromium")
    browser = browser or shutil.which("chromium-browser")
    driver = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def foreign_requests(urls: Iterable[str]) -> list[str]:
    """The requests that left the machine's disk and the page's own data."""
    return sorted({u for u in urls if not u.startswith(LOCAL_SCHEMES)})


class ReportPage:
    """The report in a headless Chromium; every lookup polls until a deadline."""

    def __init__(self, browser: str, driver: str, shots: Path) -> None:
        options = webdriver.ChromeOptions()
        options.binary_location = browser
        for argument in (
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--window-size=1400,1000", "--lang=en",
        ):  # fmt: skip
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
        self.driver = webdriver.Chrome(options=options, service=Service(driver))
        self.shots = shots
        self.requested: list[str] = []

    def close(self) -> None:
        self.driver.quit()

    def open(self, report: Path) -> None:
        self.driver.get(report.resolve().as_uri())

    def shot(self, name: str) -> Path:
        path = self.shots / f"{name}.png"
        self.driver.save_screenshot(str(path))
        return path

    def until(self, probe: Callable[[], Any], what: str) -> Any:
        deadline = time.monotonic() + DEADLINE_S
        while True:
            try:
                found = probe()
            except Exception:  # the page re-renders under us: look again
                found = None
            if found:
                return found
            if time.monotonic() > deadline:
                raise LookupError(f"not in the report within {DEADLINE_S:.0f} s: {what}")
            time.sleep(0.05)  # poll interval under the deadline above

    def elements(self, testid: str) -> list[Any]:
        return self.driver.find_elements(By.CSS_SELECTOR, f'[data-testid="{testid}"]')

    def click(self, testid: str) -> None:
        self.elements(testid)[0].click()

    def texts(self, testid: str) -> list[str]:
        return [element.text.strip() for element in self.elements(testid)]

    def wait_for_sections(self, names: Iterable[str]) -> None:
        wanted = set(names)
        self.until(lambda: wanted <= set(self.texts("tree-section-title")), str(sorted(wanted)))

    def open_section(self, name: str) -> None:
        def section() -> Any:
            titles = self.elements("tree-section-title")
            return next((t for t in titles if t.text.strip() == name), None)

        self.until(section, f"the group {name!r}").click()

    def open_scenario(self, name: str) -> None:
        def leaf() -> Any:
            leaves = self.elements("tree-leaf-title")
            return next((x for x in leaves if x.text.strip() == name), None)

        self.until(leaf, f"the scenario {name!r}").click()
        self.until(lambda: name in self.texts("test-result-info-title"), f"{name!r} opened")

    def network(self) -> list[str]:
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.requestWillBeSent":
                self.requested.append(message["params"]["request"]["url"])
        return self.requested


def check(report: Path, expected: Expected, shots: Path, browser: str, driver: str) -> list[str]:
    """Read the report; the problems found (none: it reads as it should)."""
    problems: list[str] = []
    shots.mkdir(parents=True, exist_ok=True)
    page = ReportPage(browser, driver, shots)
    try:
        page.open(report)
        page.wait_for_sections(expected.epics)
        page.shot("1-epics")
        for epic, features in sorted(expected.epics.items()):
            page.open_section(epic)
            try:
                page.wait_for_sections(features)
            except LookupError as missing:
                problems.append(f"epic {epic!r}: {missing}")
            page.open_section(epic)  # closed again: the next epic's features stand alone
        sample = expected.sample
        if sample is not None:
            for group in (sample.epic, sample.feature, sample.story):
                if group:
                    page.open_section(group)
            page.shot("2-requirement-tree")
            page.open_scenario(sample.name)
            steps = page.until(lambda: page.texts("test-result-step-title"), "the steps")
            missing = [s for s in sample.steps if s not in steps]
            if missing:
                problems.append(f"{sample.name!r}: steps not shown: {missing}")
            tab = page.until(lambda: page.texts("test-result-tab-attachments"), "attachments tab")
            if str(sample.attachments) not in tab[0]:
                problems.append(
                    f"{sample.name!r}: {sample.attachments} attachments expected, tab shows "
                    f"{tab[0]!r}"
                )
            page.shot("3-scenario")
            page.click("test-result-tab-attachments")
            page.until(
                lambda: len(page.texts("test-result-attachment")) >= sample.attachments,
                f"the {sample.attachments} attachments listed",
            )
            page.shot("4-attachments")
        foreign = foreign_requests(page.network())
        if foreign:
            problems.append(f"the report asked other hosts for: {foreign}")
    except LookupError as missing:
        page.shot("failed")
        problems.append(str(missing))
    finally:
        page.close()
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=ROOT / "reports" / "allure-results")
    parser.add_argument("--report", type=Path, default=ROOT / "reports" / "allure-report")
    parser.add_argument("--shots", type=Path, default=ROOT / "reports" / "report-check")
    args = parser.parse_args(argv)
    paths = browser_paths()
    if paths is None:
        print(HOW_TO_GET_A_BROWSER)
        return 1 if os.environ.get("REPORT_CHECK_REQUIRED") == "1" else 0
    expected = expected_from(read_results(args.results))
    if not expected.epics:
        print(f"report check: no results in {args.results}", file=sys.stderr)
        return 1
    started = time.perf_counter()
    problems = check(args.report / "index.html", expected, args.shots, *paths)
    took = time.perf_counter() - started
    features = sum(len(f) for f in expected.epics.values())
    if problems:
        print("report check FAILED:\n  " + "\n  ".join(problems), file=sys.stderr)
        print(f"screenshots in {args.shots}", file=sys.stderr)
        return 1
    print(
        f"report check passed in {took:.1f} s: {len(expected.epics)} epics, {features} "
        f"features, the scenario {expected.sample.name!r} with its steps and attachments, "
        f"no request to another host; screenshots in {args.shots}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
