"""Portfolio preference and strategy rules (pure)."""

from decimal import Decimal

import pytest

from quantdesk.domain.clients import RiskTolerance
from quantdesk.domain.preferences import (
    checklist_status,
    tradable,
    validate_preferences,
    validate_strategy,
)


def problems(data, tolerance=RiskTolerance.MODERATE):
    prefs, found = validate_preferences(data, risk_tolerance=tolerance)
    assert (prefs is None) == bool(found)
    return {p.field: p.code for p in found}


@pytest.mark.parametrize(
    ("tolerance", "weight"),
    [
        (RiskTolerance.CONSERVATIVE, "0.15"),
        (RiskTolerance.MODERATE, "0.25"),
        (RiskTolerance.AGGRESSIVE, "0.4"),
    ],
)
def test_the_maximum_weight_defaults_by_risk_tolerance(tolerance, weight):
    prefs, _ = validate_preferences({"universe": ["SPX"]}, risk_tolerance=tolerance)
    assert prefs.max_position_weight == Decimal(weight)
    assert prefs.cash_buffer == Decimal("0.05")
    assert prefs.approval_required is False


def test_symbols_are_upper_cased_and_deduplicated_in_order():
    prefs, _ = validate_preferences(
        {"universe": ["spx", "NDX", "SPX"], "excluded": ["ndx"]},
        risk_tolerance=RiskTolerance.MODERATE,
    )
    assert prefs.universe == ("SPX", "NDX")
    assert tradable(prefs.universe, prefs.excluded) == ("SPX",)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({}, {"universe": "required"}),
        ({"universe": []}, {"universe": "required"}),
        ({"universe": "SPX"}, {"universe": "invalid_type"}),
        ({"universe": ["S P X"]}, {"universe": "invalid_symbol"}),
        ({"universe": ["SPX"], "excluded": ["SPX"]}, {"excluded": "excludes_everything"}),
        (
            {"universe": ["SPX"], "max_position_weight": "0"},
            {"max_position_weight": "out_of_range"},
        ),
        (
            {"universe": ["SPX"], "max_position_weight": "1.01"},
            {"max_position_weight": "out_of_range"},
        ),
        (
            {"universe": ["SPX"], "max_position_weight": 0.2},
            {"max_position_weight": "invalid_type"},
        ),
        (
            {"universe": ["SPX"], "max_position_weight": "NaN"},
            {"max_position_weight": "invalid_number"},
        ),
        ({"universe": ["SPX"], "cash_buffer": "0.51"}, {"cash_buffer": "out_of_range"}),
        ({"universe": ["SPX"], "cash_buffer": "-0.01"}, {"cash_buffer": "out_of_range"}),
        ({"universe": ["SPX"], "cash_buffer": "lots"}, {"cash_buffer": "invalid_number"}),
        ({"universe": ["SPX"], "approval_required": "yes"}, {"approval_required": "invalid_type"}),
        ({"universe": ["SPX"], "colour": "red"}, {"colour": "unknown_field"}),
    ],
)
def test_each_rule_reports_its_field(data, expected):
    assert problems(data) == expected


def test_the_boundaries_are_accepted():
    assert problems({"universe": ["SPX"], "max_position_weight": "1", "cash_buffer": "0.5"}) == {}
    assert problems({"universe": ["SPX"], "cash_buffer": "0"}) == {}


def test_every_problem_is_reported_at_once():
    found = problems({"universe": [], "max_position_weight": "2", "cash_buffer": "0.9"})
    assert found == {
        "universe": "required",
        "max_position_weight": "out_of_range",
        "cash_buffer": "out_of_range",
    }


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"strategy": "equal_weight"}, {}),
        ({"strategy": "model", "model_alias": "growth"}, {}),
        ({}, {"strategy": "required"}),
        ({"strategy": "momentum"}, {"strategy": "invalid_choice"}),
        ({"strategy": "model"}, {"model_alias": "required"}),
        ({"strategy": "equal_weight", "model_alias": "x"}, {"model_alias": "not_applicable"}),
    ],
)
def test_strategy_rules(data, expected):
    choice, found = validate_strategy(data)
    assert {p.field: p.code for p in found} == expected
    assert (choice is None) == bool(expected)


def test_a_client_is_active_only_when_every_step_is_done():
    assert checklist_status({"a": True, "b": True}) == "active"
    assert checklist_status({"a": True, "b": False}) == "registered"
    assert checklist_status({}) == "registered"
