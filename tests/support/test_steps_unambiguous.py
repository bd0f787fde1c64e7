"""Every step of every feature matches exactly one step definition, so that the order
behave loads the step modules in never decides which definition runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from behave.parser import parse_file
from behave.runner_util import load_step_modules
from behave.step_registry import registry

from support.step_types import register_step_types

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = ("given", "when", "then")


@pytest.fixture(scope="module")
def definitions() -> Iterator[dict[str, list[Any]]]:
    """The step definitions of ``steps/``, loaded as behave loads them (types first)."""
    register_step_types()
    saved = registry.steps
    registry.steps = {keyword: [] for keyword in (*KEYWORDS, "step")}
    try:
        load_step_modules([str(ROOT / "steps")])
        yield registry.steps
    finally:
        registry.steps = saved


def _candidates(definitions: dict[str, list[Any]], keyword: str) -> list[Any]:
    return [*definitions[keyword], *definitions["step"]]


def _steps() -> list[tuple[str, str, str]]:
    """(where, keyword, text) of every step of every scenario, outlines expanded."""
    found = []
    for path in sorted((ROOT / "features").glob("*.feature")):
        feature = parse_file(str(path))
        for scenario in feature.walk_scenarios():
            for step in scenario.all_steps:
                found.append((f"{path.name}:{step.line}", step.step_type, step.name))
    return found


def matches_of(definitions: dict[str, list[Any]]) -> dict[tuple[str, str], list[str]]:
    """``{(keyword, text): [definitions matching it]}`` for every step of the features."""
    return {
        (keyword, text): [d.describe() for d in _candidates(definitions, keyword) if d.match(text)]
        for _, keyword, text in _steps()
    }


def pattern_overlaps(definitions: dict[str, list[Any]]) -> list[str]:
    """Definitions of one keyword whose pattern text another definition's matcher takes."""
    overlaps = []
    for keyword in KEYWORDS:
        candidates = _candidates(definitions, keyword)
        for one in candidates:
            for other in candidates:
                if one is not other and other.match(one.pattern):
                    overlaps.append(f"{other.describe()} takes {one.describe()}")
    return overlaps


def test_the_features_have_steps():
    assert len({text for _, _, text in _steps()}) > 300


def test_every_step_matches_exactly_one_definition(definitions):
    wrong = {step: found for step, found in matches_of(definitions).items() if len(found) != 1}
    assert wrong == {}, "steps matched by no definition or by several"


def test_no_definition_takes_another_ones_pattern(definitions):
    assert pattern_overlaps(definitions) == []


def test_every_definition_is_used_by_some_step(definitions):
    used = {found for matched in matches_of(definitions).values() for found in matched}
    every = {d.describe() for keyword in (*KEYWORDS, "step") for d in definitions[keyword]}
    assert every - used == set(), "step definitions no feature uses"


def test_an_ambiguous_definition_is_caught(definitions):
    """The check itself: a looser deposit step also takes "... sent twice"."""
    from behave.matchers import ParseMatcher

    loose = ParseMatcher(lambda context, name, amount: None, "{name:Name} deposits {amount}")
    widened = {**definitions, "step": [*definitions["step"], loose]}
    ambiguous = [step for step, found in matches_of(widened).items() if len(found) > 1]
    assert ("when", "Alice deposits 1,000.00 USD and the request is sent twice") in ambiguous
