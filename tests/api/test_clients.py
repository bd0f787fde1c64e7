"""The platform's HTTP contract in-process (FastAPI TestClient, real SQLite)."""

import pytest

from tests.conftest import OPERATOR, assert_error, platform_client

ALICE = {
    "full_name": "Alice Martin",
    "email": "alice@example.com",
    "date_of_birth": "1985-04-12",
    "country": "GB",
    "investment_horizon_years": 10,
    "password": "correct horse battery",
    "risk_tolerance": "moderate",
}


def test_register_then_read_back(client):
    created = client.post("/v1/clients", json=ALICE, headers=OPERATOR)
    assert created.status_code == 201
    client_id = created.json()["id"]
    assert (
        client.get(f"/v1/clients/{client_id}", headers=OPERATOR).json()["email"] == ALICE["email"]
    )
    found = client.get("/v1/clients", params={"email": " ALICE@example.COM"}, headers=OPERATOR)
    assert [c["id"] for c in found.json()["items"]] == [client_id]


def test_duplicate_email_in_other_case_is_a_conflict_and_stores_nothing(client):
    client.post("/v1/clients", json=ALICE, headers=OPERATOR)
    again = client.post(
        "/v1/clients", json={**ALICE, "email": "  ALICE@EXAMPLE.COM "}, headers=OPERATOR
    )
    assert_error(again, 409, "email_already_registered")
    assert (
        len(
            client.get("/v1/clients", params={"email": ALICE["email"]}, headers=OPERATOR).json()[
                "items"
            ]
        )
        == 1
    )


def test_validation_lists_every_field(client):
    body = assert_error(
        client.post("/v1/clients", json={"email": "x"}, headers=OPERATOR), 422, "validation_failed"
    )
    assert {f["field"] for f in body["details"]["fields"]} == {
        "full_name",
        "email",
        "date_of_birth",
        "country",
        "risk_tolerance",
        "investment_horizon_years",
        "password",
    }


@pytest.mark.parametrize(
    ("headers", "code"), [({}, "unauthenticated"), ({"X-API-Key": "wrong"}, "unauthenticated")]
)
def test_operator_key_required(client, headers, code):
    assert_error(client.post("/v1/clients", json=ALICE, headers=headers), 401, code)


def test_malformed_json_unknown_route_wrong_method(client):
    assert_error(
        client.post(
            "/v1/clients",
            content=b"{nope",
            headers={**OPERATOR, "content-type": "application/json"},
        ),
        400,
        "malformed_request",
    )
    assert_error(client.get("/v1/nothing-here"), 404, "not_found")
    assert_error(client.delete("/v1/health"), 405, "method_not_allowed")
    assert_error(client.get("/v1/clients/cl_missing", headers=OPERATOR), 404, "not_found")


def test_not_ready_names_the_unreachable_broker(client):
    body = assert_error(client.get("/v1/ready"), 503, "not_ready")
    assert body["details"]["checks"]["database"] == "ok"
    assert body["details"]["checks"]["broker"].startswith("unreachable")
    assert "broker" in body["message"]


def test_health_reports_version_and_database(client):
    from quantdesk.build import commit

    assert client.get("/v1/health").json() == {
        "status": "ok",
        "service": "quantdesk",
        "version": "0.1.0",
        "commit": commit(),
        "database": "sqlite",
        "controls_enabled": False,
        "brokerage_circuit": {
            "state": "closed",
            "failures_in_a_row": 0,
            "failures_to_open": 5,
            "cooldown_seconds": 30,
            "opened_at": None,
        },
    }


def test_a_client_signs_in_and_sees_only_itself(client):
    alice = client.post("/v1/clients", json=ALICE, headers=OPERATOR).json()
    bob = client.post("/v1/clients", json={**ALICE, "email": "bob@example.com"}, headers=OPERATOR)
    session = client.post(
        "/v1/sessions", json={"email": "ALICE@example.com", "password": ALICE["password"]}
    )
    assert session.status_code == 201
    bearer = {"Authorization": f"Bearer {session.json()['access_token']}"}
    assert client.get("/v1/me", headers=bearer).json()["id"] == alice["id"]
    assert client.get(f"/v1/clients/{alice['id']}", headers=bearer).status_code == 200
    assert_error(client.get(f"/v1/clients/{bob.json()['id']}", headers=bearer), 404, "not_found")
    assert_error(
        client.get("/v1/me", headers={"Authorization": "Bearer nope"}), 401, "invalid_token"
    )


@pytest.mark.parametrize("password", ["wrong password!", ""])
def test_wrong_credentials_are_refused_alike(client, password):
    client.post("/v1/clients", json=ALICE, headers=OPERATOR)
    for email in (ALICE["email"], "nobody@example.com"):
        assert_error(
            client.post("/v1/sessions", json={"email": email, "password": password}),
            401,
            "invalid_credentials",
        )


def test_password_is_stored_hashed(client, tmp_path):
    client.post("/v1/clients", json=ALICE, headers=OPERATOR)
    assert ALICE["password"].encode() not in (tmp_path / "quantdesk.db").read_bytes()


def test_the_platform_clock_control_exists_only_with_controls_enabled(client):
    assert client.get("/v1/controls/clock", headers=OPERATOR).status_code == 404


def test_an_operator_stops_the_platform_clock_and_lets_it_run_again(tmp_path):
    operator = OPERATOR
    with platform_client(tmp_path, controls_enabled=True) as client:
        assert client.get("/v1/controls/clock").status_code == 401
        stopped = client.put(
            "/v1/controls/clock", json={"stopped_at": "2030-01-02T03:04:05+01:00"}, headers=operator
        )
        assert stopped.json() == {"now": "2030-01-02T02:04:05Z", "stopped": True}
        assert client.get("/v1/controls/clock", headers=operator).json()["now"] == (
            "2030-01-02T02:04:05Z"
        )
        naive = client.put(
            "/v1/controls/clock", json={"stopped_at": "2030-01-02T03:04:05"}, headers=operator
        )
        assert naive.status_code == 422
        running = client.put("/v1/controls/clock", json={"stopped_at": None}, headers=operator)
        assert running.json()["stopped"] is False


def test_the_platform_clock_stops_only_within_reach_of_its_lifetimes(tmp_path):
    with platform_client(tmp_path, controls_enabled=True) as client:
        far = client.put(
            "/v1/controls/clock", json={"stopped_at": "9999-12-31T23:59:59Z"}, headers=OPERATOR
        )
        assert_error(far, 422, "validation_failed")
        assert client.get("/v1/controls/clock", headers=OPERATOR).json()["stopped"] is False
