"""Recommendations: an active client's target weights from its preferences."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from quantdesk.clock import SystemClock
from quantdesk.errors import ClientNotActive, NotFound
from quantdesk.services.recommendations import RecommendationService, weight_text
from quantdesk.store.db import create_db_engine, migrate, session_factory
from quantdesk.store.models import (
    BrokerageLinkRow,
    ClientDepositRow,
    ClientRow,
    ClientStrategyRow,
    PortfolioPreferencesRow,
)

NOW = datetime(2026, 1, 5, 15, tzinfo=UTC)


@pytest.fixture
def sessions(tmp_path):
    engine = create_db_engine(f"sqlite:///{tmp_path / 'q.db'}")
    migrate(engine)
    yield session_factory(engine)
    engine.dispose()


def client(sessions, *, steps=("link", "preferences", "strategy", "deposit"), **prefs):
    with sessions() as session:
        session.add(
            ClientRow(
                id="c1",
                full_name="Alice",
                email="a@example.test",
                email_key="a@example.test",
                date_of_birth=date(1980, 1, 1),
                risk_tolerance="moderate",
                status="registered",
                created_at=NOW,
            )
        )
        session.flush()
        if "link" in steps:
            session.add(
                BrokerageLinkRow(
                    client_id="c1",
                    broker_account_id="PA1",
                    status="active",
                    scope="",
                    linked_at=NOW,
                    updated_at=NOW,
                )
            )
        if "preferences" in steps:
            session.add(
                PortfolioPreferencesRow(
                    client_id="c1",
                    universe=json.dumps(prefs.get("universe", ["A", "B", "C", "D"])),
                    excluded=json.dumps(prefs.get("excluded", [])),
                    max_position_weight=prefs.get("cap", "0.25"),
                    cash_buffer=prefs.get("buffer", "0.05"),
                    approval_required=False,
                    updated_at=NOW,
                )
            )
        if "strategy" in steps:
            session.add(ClientStrategyRow(client_id="c1", kind="equal_weight", chosen_at=NOW))
        if "deposit" in steps:
            session.add(
                ClientDepositRow(
                    id="d1",
                    client_id="c1",
                    broker_account_id="PA1",
                    broker_deposit_id="x",
                    amount="100.00",
                    fingerprint="f",
                    created_at=NOW,
                )
            )
        session.commit()
    return RecommendationService(sessions, SystemClock())


def test_the_tradable_universe_is_weighed_equally_leaving_the_buffer(sessions):
    answer = client(sessions, excluded=["D"], cap="0.5", buffer="0.1").recommend("c1")
    assert answer["weights"] == [{"symbol": s, "weight": "0.3"} for s in "ABC"]
    assert (answer["invested"], answer["cash"]) == ("0.9", "0.1")


def test_the_cap_leaves_the_rest_in_cash(sessions):
    answer = client(sessions, universe=["A", "B"], cap="0.25").recommend("c1")
    assert [w["weight"] for w in answer["weights"]] == ["0.25", "0.25"]
    assert answer["cash"] == "0.5"


@pytest.mark.parametrize("missing", ["link", "preferences", "strategy", "deposit"])
def test_a_client_not_yet_active_gets_no_recommendation(sessions, missing):
    steps = {"link", "preferences", "strategy", "deposit"} - {missing}
    service = client(sessions, steps=steps)
    with pytest.raises(ClientNotActive) as refused:
        service.recommend("c1")
    assert len(refused.value.details["missing_steps"]) == 1


def test_an_unknown_client_is_not_found(sessions):
    with pytest.raises(NotFound):
        RecommendationService(sessions, SystemClock()).recommend("nobody")


def test_weights_are_written_without_trailing_zeros():
    assert weight_text(Decimal("0.250000")) == "0.25"
    assert weight_text(Decimal("1.000000")) == "1"
    assert weight_text(Decimal("0E-6")) == "0"
