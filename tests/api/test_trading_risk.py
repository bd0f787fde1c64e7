"""A client's daily loss limit over HTTP: validated, kept with its trail, resumable only
when halted."""

import pytest

from tests.api.test_clients import ALICE
from tests.conftest import OPERATOR, assert_error


@pytest.fixture
def alice_id(client):
    created = client.post("/v1/clients", json=ALICE, headers=OPERATOR)
    assert created.status_code == 201
    return created.json()["id"]


def test_a_limit_is_set_with_its_reason_and_kept_in_the_trail(client, alice_id):
    answer = client.put(
        f"/v1/clients/{alice_id}/risk",
        json={"daily_loss_limit": "1200.5", "reason": "mandate"},
        headers=OPERATOR,
    )
    assert answer.status_code == 200, answer.text
    view = answer.json()
    assert (view["daily_loss_limit"], view["trading"]) == ("1200.50", "active")
    assert [(e["kind"], e["by"]) for e in view["events"]] == [("limit_set", "operator")]
    cleared = client.put(
        f"/v1/clients/{alice_id}/risk",
        json={"daily_loss_limit": None, "reason": "mandate ended"},
        headers=OPERATOR,
    )
    assert cleared.json()["daily_loss_limit"] is None


@pytest.mark.parametrize(
    "body",
    [
        {"daily_loss_limit": "0", "reason": "x"},
        {"daily_loss_limit": "-1.00", "reason": "x"},
        {"daily_loss_limit": "1.001", "reason": "x"},
        {"daily_loss_limit": "100000000.01", "reason": "x"},
        {"daily_loss_limit": "abc", "reason": "x"},
        {"daily_loss_limit": "10.00", "reason": " "},
        {"daily_loss_limit": "10.00"},
    ],
)
def test_a_bad_limit_is_refused_and_changes_nothing(client, alice_id, body):
    refused = client.put(f"/v1/clients/{alice_id}/risk", json=body, headers=OPERATOR)
    assert_error(refused, 422, "validation_failed")
    assert client.get(f"/v1/clients/{alice_id}/risk", headers=OPERATOR).json()["events"] == []


def test_the_limits_ends_are_accepted(client, alice_id):
    for limit in ("0.01", "100000000.00"):
        answer = client.put(
            f"/v1/clients/{alice_id}/risk",
            json={"daily_loss_limit": limit, "reason": "edge"},
            headers=OPERATOR,
        )
        assert answer.status_code == 200, answer.text


def test_resuming_trading_that_is_not_halted_is_a_conflict(client, alice_id):
    refused = client.post(
        f"/v1/clients/{alice_id}/risk:resume", json={"reason": "why not"}, headers=OPERATOR
    )
    assert_error(refused, 409, "trading_not_halted")


def test_an_unknown_client_has_no_risk(client):
    assert_error(client.get("/v1/clients/cl_nobody/risk", headers=OPERATOR), 404, "not_found")
