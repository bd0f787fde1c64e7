"""One way to try what the platform may refuse: the expected outcome is a parameter."""

import pytest

from support.dsl.outcomes import Outcomes, answer_or_refusal
from tests.conftest import refusal, refused_by

NOT_LINKED = refusal(409, "brokerage_not_linked")


def test_an_accepted_attempt_answers_and_keeps_no_refusal():
    outcomes = Outcomes(refusal=NOT_LINKED)
    assert outcomes.attempt(lambda: {"id": 1}) == {"id": 1}
    assert outcomes.refusal is None


def test_a_refused_attempt_answers_none_and_keeps_the_refusal():
    outcomes = Outcomes()
    assert outcomes.attempt(refused_by(NOT_LINKED), about="Alice") is None
    assert outcomes.last_refusal() is NOT_LINKED


def test_an_attempt_expected_to_be_accepted_fails_with_the_refusal():
    with pytest.raises(
        AssertionError, match="Alice's deposit was refused: 409 brokerage_not_linked"
    ):
        Outcomes().attempt(refused_by(NOT_LINKED), expect="accepted", what="Alice's deposit")


def test_an_attempt_expected_to_be_refused_fails_when_accepted():
    with pytest.raises(AssertionError, match="the deposit was accepted"):
        Outcomes().attempt(lambda: {"id": 1}, expect="refused", what="the deposit")


def test_asking_for_the_refusal_of_an_accepted_attempt_fails():
    outcomes = Outcomes()
    outcomes.attempt(lambda: None)
    with pytest.raises(AssertionError, match="the load was accepted"):
        outcomes.last_refusal("the load")


def test_the_reason_is_judged_in_the_glossarys_words_about_the_client_refused():
    outcomes = Outcomes()
    outcomes.attempt(refused_by(NOT_LINKED), about="Alice")
    outcomes.assert_refused_because("Alice has not linked a brokerage account")
    with pytest.raises(AssertionError, match="not because 'Bob has not linked"):
        outcomes.assert_refused_because("Bob has not linked a brokerage account")
    with pytest.raises(AssertionError, match="the glossary has no reason"):
        outcomes.assert_refused_because("Alice forgot her umbrella")


def test_the_problems_listed_are_judged_in_the_glossarys_words():
    outcomes = Outcomes()
    outcomes.attempt(refused_by(refusal(422, "validation_failed", email="required")))
    outcomes.assert_refused_listing({"email": "is missing"})
    with pytest.raises(AssertionError, match="refused listing"):
        outcomes.assert_refused_listing({"email": "is not a valid email address"})


def test_not_found_and_the_platforms_own_reason_are_told_apart():
    outcomes = Outcomes()
    outcomes.attempt(refused_by(refusal(404, "not_found", reason="gone")))
    assert outcomes.told_not_found()
    assert outcomes.stated_reason() == "gone"


def test_answer_or_refusal_returns_what_happened():
    assert answer_or_refusal(lambda: 3) == 3
    assert answer_or_refusal(refused_by(NOT_LINKED)) is NOT_LINKED
