"""Recommendations: an active client's target weights from its preferences."""

from __future__ import annotations

from decimal import Decimal

import pytest

from quantdesk.clock import SystemClock
from quantdesk.errors import ClientNotActive, NotFound
from quantdesk.services.recommendations import RecommendationService, weight_text
from tests.conftest import active_client, model_registry, no_brokerage


def test_the_tradable_universe_is_weighed_equally_leaving_the_buffer(sessions):
    answer = active_client(sessions, excluded=["D"], cap="0.5", buffer="0.1").recommend("c1")
    assert answer["weights"] == [{"symbol": s, "weight": "0.3"} for s in "ABC"]
    assert (answer["invested"], answer["cash"]) == ("0.9", "0.1")


def test_the_cap_leaves_the_rest_in_cash(sessions):
    answer = active_client(sessions, universe=["A", "B"], cap="0.25").recommend("c1")
    assert [w["weight"] for w in answer["weights"]] == ["0.25", "0.25"]
    assert answer["cash"] == "0.5"


@pytest.mark.parametrize("missing", ["link", "preferences", "strategy", "deposit"])
def test_a_client_not_yet_active_gets_no_recommendation(sessions, missing):
    steps = {"link", "preferences", "strategy", "deposit"} - {missing}
    service = active_client(sessions, steps=steps)
    with pytest.raises(ClientNotActive) as refused:
        service.recommend("c1")
    assert len(refused.value.details["missing_steps"]) == 1


def test_an_unknown_client_is_not_found(sessions):
    with pytest.raises(NotFound):
        RecommendationService(
            sessions, SystemClock(), model_registry(sessions), no_brokerage
        ).recommend("nobody")


def test_weights_are_written_without_trailing_zeros():
    assert weight_text(Decimal("0.250000")) == "0.25"
    assert weight_text(Decimal("1.000000")) == "1"
    assert weight_text(Decimal("0E-6")) == "0"
