"""The report is read as a requirements document: every scenario, each outline row too,
is named in words of its own and filed under an epic with a severity."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from behave.model import ScenarioOutline
from behave.parser import parse_file

ROOT = Path(__file__).resolve().parents[2]
FEATURES = sorted((ROOT / "features").glob("*.feature"))
SEVERITIES = {"blocker", "critical", "normal", "minor", "trivial"}


@pytest.fixture(scope="module", autouse=True)
def rows_named_as_the_project_names_them():
    """The schema pyproject.toml gives behave: an outline row is named by its title."""
    import tomllib

    schema = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["behave"][
        "scenario_outline_annotation_schema"
    ]
    saved = ScenarioOutline.annotation_schema
    ScenarioOutline.annotation_schema = schema
    yield
    ScenarioOutline.annotation_schema = saved


@pytest.mark.parametrize("path", FEATURES, ids=lambda p: p.name)
def test_every_outline_row_is_named_by_what_it_tries(path):
    feature = parse_file(str(path))
    names = [s.name for s in feature.walk_scenarios(with_outlines=False)]
    left = [n for n in names if re.search(r"<[^>]+>|-- @\d", n)]
    assert not left, f"placeholders or row numbers left in names: {left}"
    twice = [name for name, count in Counter(names).items() if count > 1]
    assert not twice, f"scenarios of {path.name} that share a name: {twice}"


@pytest.mark.parametrize("path", FEATURES, ids=lambda p: p.name)
def test_every_scenario_has_an_epic_and_a_severity(path):
    feature = parse_file(str(path))
    assert any(tag.startswith("allure.label.epic:") for tag in feature.tags), path.name
    without = [
        s.name
        for s in feature.walk_scenarios(with_outlines=False)
        if not SEVERITIES & set(s.effective_tags)
    ]
    assert not without, f"scenarios without a severity tag: {without}"
