"""Sandbox sign-up, the paper account and deposits at the simulated broker."""

from __future__ import annotations

import pytest

from tests.conftest import assert_error, bearer


@pytest.fixture
def token(sim):
    sim.sign_up("alice")
    return sim.link("alice").tokens["access_token"]


def test_health_is_ok(sim):
    response = sim.http.get("/v1/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_sign_up_opens_an_empty_active_paper_account(sim):
    body = sim.sign_up("alice-3f9c2a@example.test")
    assert body["username"] == "alice-3f9c2a@example.test"
    account = body["account"]
    assert account["id"].startswith("PA") and account["id"][2:].isdigit()
    assert account == {"id": account["id"], "cash": "0.00", "currency": "USD", "status": "ACTIVE"}
    assert "password" not in str(body)


def test_a_username_is_taken_once(sim):
    sim.sign_up("alice")
    response = sim.http.post(
        "/v1/sandbox/users", json={"username": "alice", "password": "another password"}
    )
    assert_error(response, 409, "username_taken")


def test_sign_up_reports_every_invalid_field(sim):
    response = sim.http.post("/v1/sandbox/users", json={"username": "a", "password": "short"})
    body = assert_error(response, 422, "validation_failed")
    fields = {f["field"] for f in body["details"]["fields"]}
    assert fields == {"username", "password"}


def test_the_account_is_the_token_owners(sim, token):
    response = sim.account(token)
    assert response.status_code == 200
    assert set(response.json()) == {"id", "cash", "currency", "status"}
    assert response.json()["cash"] == "0.00"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer nope"},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer"},
    ],
)
def test_the_account_needs_a_valid_access_token(sim, headers):
    response = sim.http.get("/v1/account", headers=headers)
    assert_error(response, 401, "invalid_token")
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_refresh_token_is_not_an_access_token(sim):
    sim.sign_up("alice")
    link = sim.link()
    assert_error(sim.account(link.tokens["refresh_token"]), 401, "invalid_token")


def test_a_deposit_adds_cash(sim, token):
    response = sim.deposit(token, "2500.5")
    assert response.status_code == 201, response.text
    deposit = response.json()
    assert deposit["amount"] == "2500.50"
    assert deposit["status"] == "completed"
    assert deposit["created_at"].endswith("Z")
    assert set(deposit) == {"id", "amount", "status", "created_at"}
    sim.deposit(token, "0.50")
    assert sim.account(token).json()["cash"] == "2501.00"


@pytest.mark.parametrize(
    "amount",
    ["0", "0.00", "-5", "10000000.01", "1.234", "abc", "1e3", "NaN", "", " 5", 100, 1.5, None],
)
def test_invalid_deposit_amounts_are_refused(sim, token, amount):
    body = assert_error(sim.deposit(token, amount), 422, "validation_failed")
    assert body["details"]["fields"][0]["field"] == "amount"
    assert sim.account(token).json()["cash"] == "0.00"


def test_the_largest_deposit_is_ten_million(sim, token):
    assert sim.deposit(token, "10000000").status_code == 201
    assert sim.account(token).json()["cash"] == "10000000.00"


def test_a_deposit_body_must_be_json(sim, token):
    response = sim.http.post(
        "/v1/account/deposits",
        headers=bearer(token) | {"Content-Type": "application/json"},
        content=b"{not json",
    )
    assert_error(response, 400, "malformed_request")


def test_a_deposit_needs_a_token_before_anything_else(sim):
    response = sim.http.post("/v1/account/deposits", json={"amount": "bad"})
    assert_error(response, 401, "invalid_token")


def test_same_idempotency_key_and_body_deposits_once(sim, token):
    first = sim.deposit(token, "100", key="dep-1")
    again = sim.deposit(token, "100.00", key="dep-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert sim.account(token).json()["cash"] == "100.00"


def test_same_idempotency_key_with_another_body_is_refused(sim, token):
    sim.deposit(token, "100", key="dep-1")
    assert_error(sim.deposit(token, "200", key="dep-1"), 422, "idempotency_key_reused")
    assert sim.account(token).json()["cash"] == "100.00"


def test_different_keys_deposit_twice(sim, token):
    sim.deposit(token, "100", key="dep-1")
    sim.deposit(token, "100", key="dep-2")
    sim.deposit(token, "100")
    assert sim.account(token).json()["cash"] == "300.00"


def test_idempotency_keys_belong_to_one_account(sim, token):
    sim.sign_up("bob")
    bob = sim.link("bob").tokens["access_token"]
    sim.deposit(token, "100", key="same")
    assert sim.deposit(bob, "250", key="same").status_code == 201
    assert sim.account(bob).json()["cash"] == "250.00"


def test_an_overlong_idempotency_key_is_refused(sim, token):
    body = assert_error(sim.deposit(token, "1", key="k" * 256), 422, "validation_failed")
    assert body["details"]["fields"][0]["field"] == "Idempotency-Key"


def test_read_only_tokens_cannot_deposit(sim):
    from tests.conftest import pkce_pair, query_of

    sim.sign_up("alice")
    verifier, challenge = pkce_pair()
    code = query_of(sim.consent(challenge, scope="account:read"))["code"]
    token = sim.exchange(code, verifier).json()["access_token"]
    assert sim.account(token).status_code == 200
    body = assert_error(sim.deposit(token, "1"), 403, "insufficient_scope")
    assert body["details"] == {"required_scope": "account:write"}


def test_unknown_paths_and_methods_answer_in_the_error_format(sim):
    assert_error(sim.http.get("/v1/nothing-here"), 404, "not_found")
    assert_error(sim.http.delete("/v1/account"), 405, "method_not_allowed")
