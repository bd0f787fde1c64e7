"""Test controls of the simulated broker: outage, clock, user revocation; and start-up."""

from __future__ import annotations

import logging
import time

from quantdesk.broker_sim.app import create_broker_app
from quantdesk.broker_sim.settings import BrokerSimSettings
from tests.conftest import (
    CLIENT_SECRET,
    PASSWORD,
    Sim,
    assert_error,
    assert_oauth_error,
    basic,
)


def test_controls_are_absent_when_disabled(tmp_path):
    sim = Sim(tmp_path, controls_enabled=False)
    assert_error(sim.http.get("/v1/controls"), 404, "not_found")
    assert_error(sim.http.post("/v1/controls/outage", json={"down": True}), 404, "not_found")
    assert_error(
        sim.http.post("/v1/controls/clock", json={"advance_seconds": 60}), 404, "not_found"
    )
    assert_error(sim.http.post("/v1/controls/users/alice/revoke-tokens"), 404, "not_found")
    assert sim.http.get("/v1/health").json()["controls_enabled"] is False


def test_controls_are_disabled_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("QUANTDESK_CONTROLS_ENABLED", raising=False)
    assert BrokerSimSettings(data_dir=tmp_path).controls_enabled is False


def test_controls_report_the_state(tmp_path):
    sim = Sim(tmp_path)
    state = sim.http.get("/v1/controls").json()
    assert state["outage"] == {"down": False, "health": False}
    assert state["clock"]["offset_seconds"] == 0
    assert state["clock"]["now"].endswith("Z")


def test_an_outage_makes_the_broker_unavailable_but_not_its_health_or_controls(tmp_path):
    sim = Sim(tmp_path)
    sim.sign_up("alice")
    token = sim.link().tokens["access_token"]
    assert sim.http.post("/v1/controls/outage", json={"down": True}).json()["outage"] == {
        "down": True,
        "health": False,
    }

    assert_error(sim.account(token), 503, "broker_unavailable")
    assert_error(sim.deposit(token, "1"), 503, "broker_unavailable")
    assert_error(sim.http.get("/oauth/authorize"), 503, "broker_unavailable")
    assert_error(sim.http.post("/oauth/token", data={}), 503, "broker_unavailable")
    assert_error(sim.http.post("/v1/sandbox/users", json={}), 503, "broker_unavailable")
    assert sim.http.get("/v1/health").status_code == 200
    assert sim.http.get("/v1/controls").json()["outage"]["down"] is True

    sim.http.post("/v1/controls/outage", json={"down": False})
    assert sim.account(token).status_code == 200


def test_an_outage_can_include_the_health_check_until_it_ends(tmp_path):
    sim = Sim(tmp_path)
    changed = sim.http.post("/v1/controls/outage", json={"down": True, "health": True})
    assert changed.json()["outage"] == {"down": True, "health": True}
    assert_error(sim.http.get("/v1/health"), 503, "broker_unavailable")
    assert sim.http.get("/v1/controls").status_code == 200

    sim.http.post("/v1/controls/outage", json={"down": False})
    assert sim.http.get("/v1/health").status_code == 200
    assert sim.http.get("/v1/controls").json()["outage"] == {"down": False, "health": False}


def test_clock_advances_and_never_goes_back(tmp_path):
    sim = Sim(tmp_path)
    state = sim.http.post("/v1/controls/clock", json={"advance_seconds": 90}).json()
    assert state["clock"]["offset_seconds"] == 90
    assert_error(
        sim.http.post("/v1/controls/clock", json={"advance_seconds": -1}), 422, "validation_failed"
    )
    assert_error(
        sim.http.post("/v1/controls/outage", json={"down": "yes"}), 422, "validation_failed"
    )


def test_revoking_a_users_tokens_at_the_broker(tmp_path):
    sim = Sim(tmp_path)
    sim.sign_up("alice")
    sim.sign_up("bob")
    alice, bob = sim.link("alice"), sim.link("bob")
    sim.link("alice")

    response = sim.http.post("/v1/controls/users/alice/revoke-tokens")

    assert response.json() == {"username": "alice", "revoked_grants": 2}
    assert_error(sim.account(alice.tokens["access_token"]), 401, "invalid_token")
    assert_oauth_error(sim.refresh(alice.tokens["refresh_token"]), 400, "invalid_grant")
    assert sim.account(bob.tokens["access_token"]).status_code == 200
    assert sim.link("alice").tokens["access_token"]  # the user can link again


def test_revoking_tokens_of_an_unknown_user(tmp_path):
    sim = Sim(tmp_path)
    assert_error(sim.http.post("/v1/controls/users/nobody/revoke-tokens"), 404, "user_not_found")


def test_redirect_uris_come_from_a_comma_separated_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("QUANTDESK_BROKER_REDIRECT_URIS", "http://a/cb, http://b/cb")
    monkeypatch.setenv("QUANTDESK_BROKER_CLIENT_SECRET", "s")
    monkeypatch.setenv("QUANTDESK_BROKER_ACCESS_TOKEN_TTL_SECONDS", "60")
    settings = BrokerSimSettings(data_dir=tmp_path)
    assert settings.broker_redirect_uris == ["http://a/cb", "http://b/cb"]
    assert settings.broker_client_secret.get_secret_value() == "s"
    assert "s" not in repr(settings.broker_client_secret)
    assert settings.broker_access_token_ttl_seconds == 60
    assert settings.broker_refresh_token_ttl_seconds == 7 * 24 * 3600
    assert settings.broker_code_ttl_seconds == 60


def test_start_up_is_fast_and_keeps_its_own_storage(tmp_path):
    started = time.perf_counter()
    create_broker_app(BrokerSimSettings(data_dir=tmp_path))
    assert time.perf_counter() - started < 1.5
    assert (tmp_path / "broker-sim" / "broker.db").exists()


def test_restart_keeps_users_and_tokens(tmp_path):
    sim = Sim(tmp_path)
    sim.sign_up("alice")
    token = sim.link().tokens["access_token"]
    again = Sim(tmp_path)
    assert again.account(token).status_code == 200
    assert again.http.get("/v1/health").json()["starts"] == 2


def test_secrets_are_neither_logged_nor_stored_in_clear(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    sim = Sim(tmp_path)
    sim.sign_up("alice")
    link = sim.link()
    sim.refresh(link.tokens["refresh_token"])
    secrets = [
        PASSWORD,
        CLIENT_SECRET,
        link.code,
        link.verifier,
        link.tokens["access_token"],
        link.tokens["refresh_token"],
    ]
    for secret in secrets:
        assert secret not in caplog.text
    raw_db = (tmp_path / "broker-sim" / "broker.db").read_bytes()
    for wal in (tmp_path / "broker-sim").glob("broker.db-wal"):
        raw_db += wal.read_bytes()
    for secret in secrets:
        assert secret.encode() not in raw_db


def test_errors_never_leak_a_stack_trace(tmp_path):
    sim = Sim(tmp_path)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    response = sim.http.post("/oauth/authorize", content=b"\xff\xfe", headers=form)
    assert response.status_code == 400
    assert "Traceback" not in response.text
    response = sim.http.post("/oauth/token", content=b"grant_type=\xff", headers=basic() | form)
    assert_oauth_error(response, 400, "invalid_request")


# Each control: its request body's schema (None: no body) and the error statuses it declares.
CONTROLS = {
    ("get", "/v1/controls"): (None, set()),
    ("post", "/v1/controls/outage"): ("OutageChange", {"400", "422"}),
    ("post", "/v1/controls/clock"): ("ClockChange", {"400", "422"}),
    ("post", "/v1/controls/market-data"): ("LatencyChange", {"400", "422"}),
    ("post", "/v1/controls/users/{username}/revoke-tokens"): (None, {"404", "422"}),
    ("post", "/v1/controls/accounts/{account_id}/session"): (
        "SessionMove",
        {"400", "404", "409", "422"},
    ),
    ("put", "/v1/controls/accounts/{account_id}/terms"): ("TermsChange", {"400", "404", "422"}),
    ("put", "/v1/controls/accounts/{account_id}/rejections"): (
        "RejectionsChange",
        {"400", "404", "422"},
    ),
    ("put", "/v1/controls/accounts/{account_id}/faults"): ("FaultsChange", {"400", "404", "422"}),
    ("put", "/v1/controls/accounts/{account_id}/prices"): ("PricesChange", {"400", "404", "422"}),
    ("get", "/v1/controls/accounts/{account_id}/orders"): (None, {"404", "422"}),
}


def test_the_openapi_document_lists_every_control_with_its_body_answer_and_errors(tmp_path):
    sim = Sim(tmp_path)
    document = sim.http.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    listed = {
        (method, path)
        for path, methods in document["paths"].items()
        if path.startswith("/v1/controls")
        for method in methods
    }
    assert listed == set(CONTROLS)
    for (method, path), (body, error_statuses) in CONTROLS.items():
        operation = document["paths"][path][method]
        assert operation["summary"], (method, path)
        if body is None:
            assert "requestBody" not in operation, (method, path)
        else:
            content = operation["requestBody"]["content"]["application/json"]
            assert content["schema"] == {"$ref": f"#/components/schemas/{body}"}
            model = schemas[body]
            assert model["examples"], body
            assert all(field.get("description") for field in model["properties"].values())
        answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert answer["$ref"].startswith("#/components/schemas/"), (method, path)
        errors = {status for status in operation["responses"] if int(status) >= 400}
        assert errors == error_statuses, (method, path)
        for status in errors:
            schema = operation["responses"][status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/SimErrorOut"}, (method, path, status)


def test_the_controls_are_absent_from_the_openapi_document_when_disabled(tmp_path):
    document = Sim(tmp_path, controls_enabled=False).http.get("/openapi.json").json()
    assert not [path for path in document["paths"] if path.startswith("/v1/controls")]
