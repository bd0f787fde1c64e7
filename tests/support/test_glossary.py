"""The glossary: the contract's refusal codes in the specification's words, and words it
does not know refused loudly."""

import pytest

from support import glossary
from tests.conftest import refusal


def test_a_reason_names_the_client_it_was_about():
    not_linked = refusal(409, "brokerage_not_linked")
    assert glossary.reasons_of(not_linked, "Alice") == ["Alice has not linked a brokerage account"]


def test_field_problems_read_as_the_field_and_its_problem():
    refused = refusal(
        422,
        "validation_failed",
        **{"amount": "too_precise", "Idempotency-Key": "idempotency_key_reused"},
    )
    assert glossary.reasons_of(refused) == [
        "the amount has more than 2 decimal places",
        "the request key was used for another deposit",
    ]


def test_a_field_may_word_a_problem_in_its_own_terms():
    refused = refusal(
        422,
        "validation_failed",
        investment_horizon_years="out_of_range",
        cash_buffer="out_of_range",
    )
    assert glossary.problems_of(refused) == {
        "investment horizon": "is outside 1 to 50 years",
        "cash buffer": "is out of range",
    }


def test_a_code_the_glossary_does_not_know_is_shown_as_it_is():
    assert glossary.reasons_of(refusal(500, "something_new")) == ["something_new"]


@pytest.mark.parametrize(
    "words",
    [
        "Alice must link again",
        "the link took too long",
        "the amount is out of range",
        "the end is before the start",
        "the investment horizon is outside 1 to 50 years",
    ],
)
def test_known_reasons_are_accepted(words):
    assert glossary.check_reason(words) == words


def test_an_unknown_reason_fails_listing_the_reasons_the_glossary_knows():
    with pytest.raises(AssertionError) as refused:
        glossary.check_reason("the moon is full")
    message = str(refused.value)
    assert "'the moon is full'" in message
    assert "the brokerage is unavailable" in message
    assert "{name} must link again" in message


def test_unknown_fields_and_problems_fail_listing_what_the_glossary_knows():
    with pytest.raises(AssertionError) as unknown_field:
        glossary.check_problems({"nickname": "is missing"})
    assert "no field 'nickname'" in str(unknown_field.value)
    assert "\n  full name\n" in str(unknown_field.value)
    with pytest.raises(AssertionError) as unknown_problem:
        glossary.check_problems({"full name": "is silly"})
    assert "no problem 'is silly'" in str(unknown_problem.value)
    assert "\n  is missing\n" in str(unknown_problem.value)
    assert glossary.check_problems({"full name": "is missing"}) == {"full name": "is missing"}


def test_fields_are_named_in_the_contracts_words_and_unknown_words_sent_as_written():
    assert glossary.field_named("Maximum position weight") == "max_position_weight"
    assert glossary.field_named("date of birth") == "date_of_birth"
    assert glossary.field_named("nickname") == "nickname"


def test_every_field_and_problem_has_its_own_words():
    assert len(set(glossary.FIELDS.values())) == len(glossary.FIELDS)
    assert len(set(glossary.PROBLEMS.values())) == len(glossary.PROBLEMS)
    assert len(set(glossary.REASONS.values())) == len(glossary.REASONS)
