from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quantdesk.domain.clients import RiskTolerance, age_on, normalize_email, validate_registration

TODAY = date(2026, 11, 21)
VALID = {
    "full_name": "Alice Martin",
    "email": "Alice@Example.com",
    "date_of_birth": "1985-04-12",
    "country": "gb",
    "investment_horizon_years": "10",
    "password": "correct horse battery",
    "risk_tolerance": "moderate",
}


def problems(data):
    registration, found = validate_registration(data, today=TODAY)
    assert (registration is None) == bool(found)
    return {p.field: p.code for p in found}


def test_valid_registration_is_accepted():
    registration, found = validate_registration(VALID, today=TODAY)
    assert found == []
    assert registration.risk_tolerance is RiskTolerance.MODERATE
    assert registration.email_key == "alice@example.com"


def test_every_problem_is_reported_at_once():
    assert problems(
        {
            "email": "nope",
            "date_of_birth": "12/04/1985",
            "risk_tolerance": "reckless",
            "shoe_size": 42,
        }
    ) == {
        "full_name": "required",
        "email": "invalid_email",
        "date_of_birth": "invalid_date",
        "risk_tolerance": "invalid_choice",
        "shoe_size": "unknown_field",
        "country": "required",
        "investment_horizon_years": "required",
        "password": "required",
    }


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("country", "XX", "unsupported_country"),
        ("investment_horizon_years", 0, "out_of_range"),
        ("investment_horizon_years", 51, "out_of_range"),
        ("investment_horizon_years", 2.5, "invalid_type"),
        ("investment_horizon_years", True, "invalid_type"),
        ("password", "short", "weak_password"),
    ],
)
def test_suitability_and_credential_rules(field, value, code):
    assert problems({**VALID, field: value}) == {field: code}


def test_horizon_bounds_are_inclusive():
    assert problems({**VALID, "investment_horizon_years": 1}) == {}
    assert problems({**VALID, "investment_horizon_years": 50}) == {}


@pytest.mark.parametrize(
    ("born", "code"),
    [
        ("2008-11-22", "under_age"),  # 18 tomorrow
        ("2026-11-22", "in_future"),
    ],
)
def test_date_of_birth_rules(born, code):
    assert problems({**VALID, "date_of_birth": born}) == {"date_of_birth": code}


def test_eighteenth_birthday_is_old_enough():
    assert problems({**VALID, "date_of_birth": "2008-11-21"}) == {}


def test_blank_and_wrong_types_are_problems():
    assert problems({**VALID, "full_name": "   ", "email": 42}) == {
        "full_name": "required",
        "email": "invalid_type",
    }


def test_email_identity_ignores_case_and_spaces():
    assert normalize_email("  ALICE@Example.COM ") == normalize_email("alice@example.com")


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
)
def test_age_is_whole_years_and_never_negative_for_past_births(born, today):
    age = age_on(born, today)
    if born <= today:
        assert age >= 0
        assert date(born.year + age, born.month, min(born.day, 28)) <= today
