"""The access matrix: it covers the platform's contract, and the feature tries every row
in the rules its kind of door belongs to."""

import re
from pathlib import Path

import pytest
from behave.parser import parse_file

from support.drivers.access_control import DOORS, MATRIX, Who, doors_of
from support.dsl.access_control import door_named, door_phrase_pattern
from tests.conftest import platform_client

FEATURE = Path(__file__).resolve().parents[2] / "features" / "access_control.feature"
NOT_PUBLIC = {Who.CLIENT_OWNER, Who.CLIENT_SELF, Who.OPERATOR}
# Each rule's outline is known by what its callers are told, and must try exactly the
# doors of these kinds.
KINDS_TRIED_BY_OUTCOME = {
    "Bob is answered as if Alice did not exist": {Who.CLIENT_OWNER},
    "Bob is refused as not an operator": {Who.OPERATOR},
    "they are refused until they sign in": NOT_PUBLIC,
    "the platform answers them without asking who they are": {Who.PUBLIC},
}


def _outlines() -> dict[str, list[tuple[str, str]]]:
    """``{what the outline's callers are told: [(action, resource) of each example]}``."""
    tried: dict[str, list[tuple[str, str]]] = {}
    for rule in parse_file(str(FEATURE)).rules:
        for scenario in rule.scenarios:
            if not getattr(scenario, "examples", None):
                continue
            then = next(s.name for s in scenario.steps if s.step_type == "then")
            rows = [
                (row["action"], row["resource"]) for ex in scenario.examples for row in ex.table
            ]
            tried.setdefault(then, []).extend(rows)
    return tried


def test_each_rule_tries_exactly_the_doors_of_its_kinds_once_each():
    tried = _outlines()
    assert set(tried) == set(KINDS_TRIED_BY_OUTCOME)
    for outcome, kinds in KINDS_TRIED_BY_OUTCOME.items():
        doors = [door_named(f"{action} {resource}")[0].key for action, resource in tried[outcome]]
        expected = {door.key for door in MATRIX if door.who in kinds}
        assert sorted(doors) == sorted(expected), outcome


def test_every_row_is_tried_by_some_example():
    tried = {
        door_named(f"{action} {resource}")[0].key
        for rows in _outlines().values()
        for action, resource in rows
    }
    assert set(DOORS) - tried == set()


def test_the_matrix_lists_exactly_the_doors_of_the_platforms_openapi_document(tmp_path):
    with platform_client(tmp_path, controls_enabled=True) as client:
        document = client.get("/openapi.json").json()
    documented = {door.key for door in MATRIX if door.documented}
    assert doors_of(document) == documented


def test_test_controls_are_doors_only_where_a_platform_offers_them(client):
    document = client.get("/openapi.json").json()
    controls = {door.key for door in MATRIX if door.control}
    assert controls
    assert doors_of(document) & controls == set()


def test_door_names_are_unique_and_parse_back_to_their_row():
    for door in MATRIX:
        owner = "Alice's " if door.who is Who.CLIENT_OWNER else ""
        assert door_named(f"{door.action} {owner}{door.resource}") == (
            door,
            f"{owner}{door.resource}",
        )


@pytest.mark.parametrize(
    "text",
    [
        "read Alice's preferences",
        "add to Bob's deposits",
        "cancel an operation",
        "load a symbol's daily bars",
    ],
)
def test_the_door_step_type_takes_door_names(text):
    assert re.fullmatch(door_phrase_pattern(), text)


@pytest.mark.parametrize(
    "text",
    [
        "set their preferences to trade ACME and BOLT with cash buffer",
        "register Frank",
        "read preferences",  # a client's data is always named with its owner
        "read Alice's an operation",
        "read alice's preferences",
    ],
)
def test_the_door_step_type_leaves_other_sentences_alone(text):
    assert not re.fullmatch(door_phrase_pattern(), text)
