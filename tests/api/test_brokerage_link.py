"""Brokerage linking end to end in one process: QuantDesk (TestClient) against a real
broker simulator served by uvicorn on a loopback port, because the platform calls the
broker over HTTP. Every broker request the platform makes is recorded, so the tests can
tell a proactive refresh from a refresh after a 401."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
import uvicorn
from sqlalchemy import select

from quantdesk.broker_sim.app import create_broker_app
from quantdesk.broker_sim.settings import BrokerSimSettings
from quantdesk.store.models import BrokerageLinkRow, LinkAttemptRow
from tests.conftest import OPERATOR, hidden_fields, platform_client

pytestmark = [pytest.mark.http]

SECRET = "platform-client-secret"
REDIRECT = "http://testserver/v1/brokerage/callback"
BROKER_PASSWORD = "broker password 123"


class LiveBroker:
    def __init__(self, data_dir) -> None:
        settings = BrokerSimSettings(
            data_dir=data_dir,
            controls_enabled=True,
            broker_client_secret=SECRET,
            broker_redirect_uris=[REDIRECT],
        )
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(create_broker_app(settings), log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "the broker simulator did not start"
            time.sleep(0.01)  # poll interval while waiting on the deadline
        self.http = httpx.Client(base_url=self.url)

    def control(self, path: str, body: dict[str, Any] | None = None) -> None:
        self.http.post(f"/v1/controls/{path}", json=body).raise_for_status()

    def stop(self) -> None:
        self.http.close()
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


@pytest.fixture(scope="module")
def broker(tmp_path_factory) -> Iterator[LiveBroker]:
    live = LiveBroker(tmp_path_factory.mktemp("broker"))
    yield live
    live.stop()


@pytest.fixture
def platform(tmp_path, broker):
    with platform_client(
        tmp_path,
        broker_url=broker.url,
        broker_timeout_seconds=2.0,
        broker_client_secret=SECRET,
        broker_redirect_uri=REDIRECT,
    ) as client:
        calls: list[str] = []
        client.app.state.platform.broker_http.event_hooks["response"].append(
            lambda r: calls.append(f"{r.request.method} {r.request.url.path} {r.status_code}")
        )
        client.calls = calls
        client.platform = client.app.state.platform
        yield client


def registration(name: str) -> dict[str, Any]:
    return {
        "full_name": name,
        "email": f"{name}@example.com",
        "date_of_birth": "1980-01-01",
        "country": "GB",
        "risk_tolerance": "moderate",
        "investment_horizon_years": 10,
        "password": "client password 123",
    }


def register(client, name: str, broker: LiveBroker) -> str:
    made = client.post("/v1/clients", headers=OPERATOR, json=registration(name))
    assert made.status_code == 201, made.text
    signed_up = broker.http.post(
        "/v1/sandbox/users", json={"username": name, "password": BROKER_PASSWORD}
    )
    assert signed_up.status_code == 201, signed_up.text
    return made.json()["id"]


def consent(client, client_id: str, name: str, broker: LiveBroker, decision="allow") -> str:
    """Start a link and answer the broker's page; the redirect back to the platform."""
    started = client.post(f"/v1/clients/{client_id}/brokerage-link", headers=OPERATOR)
    assert started.status_code == 201, started.text
    page = broker.http.get(started.json()["authorization_url"])
    form = {**hidden_fields(page.text), "username": name, "password": BROKER_PASSWORD}
    answer = broker.http.post("/oauth/authorize", data={**form, "decision": decision})
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


def come_back(client, location: str, **changes: str | None) -> httpx.Response:
    params = dict(parse_qsl(urlsplit(location).query))
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return client.get("/v1/brokerage/callback", params=params)


def link(client, name: str, broker: LiveBroker) -> str:
    client_id = register(client, name, broker)
    back = come_back(client, consent(client, client_id, name, broker))
    assert back.status_code == 200, back.text
    return client_id


def stored_link(client, client_id: str) -> BrokerageLinkRow:
    with client.platform.sessions() as session:
        return session.get(BrokerageLinkRow, client_id)


def test_a_link_stores_tokens_encrypted_and_no_answer_shows_them(platform, broker):
    client_id = register(platform, "alice", broker)
    started = platform.post(f"/v1/clients/{client_id}/brokerage-link", headers=OPERATOR)
    query = dict(parse_qsl(urlsplit(started.json()["authorization_url"]).query))
    assert query["code_challenge_method"] == "S256" and query["state"]
    assert query["redirect_uri"] == REDIRECT
    location = consent(platform, client_id, "alice", broker)
    back = come_back(platform, location)
    assert back.status_code == 200
    assert back.json()["status"] == "active"
    assert back.json()["broker_account_id"].startswith("PA")

    row = stored_link(platform, client_id)
    vault = platform.platform.brokerage_link.vault
    access, refresh = vault.decrypt(row.access_token_enc), vault.decrypt(row.refresh_token_enc)
    assert access not in row.access_token_enc and refresh not in row.refresh_token_enc
    answers = [
        started.text,
        back.text,
        platform.get(f"/v1/clients/{client_id}/brokerage-link", headers=OPERATOR).text,
        platform.get(f"/v1/clients/{client_id}/brokerage-account", headers=OPERATOR).text,
    ]
    for text in answers:
        assert access not in text and refresh not in text
    # The verifier stays on the platform, encrypted; only its S256 challenge left it.
    with platform.platform.sessions() as session:
        attempt = session.scalars(select(LinkAttemptRow)).first()
        verifier = vault.decrypt(attempt.code_verifier_enc)
    assert verifier not in started.text and verifier not in attempt.code_verifier_enc


def test_an_access_token_about_to_expire_is_refreshed_before_the_call(platform, broker):
    client_id = link(platform, "bob", broker)
    with platform.platform.sessions() as session:
        row = session.get(BrokerageLinkRow, client_id)
        row.access_expires_at = datetime.now(UTC) + timedelta(seconds=5)
        old = row.access_token_enc
        session.commit()
    platform.calls.clear()
    account = platform.get(f"/v1/clients/{client_id}/brokerage-account", headers=OPERATOR)
    assert account.status_code == 200, account.text
    assert platform.calls == ["POST /oauth/token 200", "GET /v1/account 200"]
    assert stored_link(platform, client_id).access_token_enc != old


def test_a_401_from_the_broker_refreshes_once_and_retries(platform, broker):
    client_id = link(platform, "carol", broker)
    broker.control("clock", {"advance_seconds": 1860})  # the access token's lifetime is 1800
    platform.calls.clear()
    account = platform.get(f"/v1/clients/{client_id}/brokerage-account", headers=OPERATOR)
    assert account.status_code == 200, account.text
    assert platform.calls == ["GET /v1/account 401", "POST /oauth/token 200", "GET /v1/account 200"]


def test_a_refused_refresh_needs_reauthorisation_and_wipes_the_tokens(platform, broker):
    client_id = link(platform, "dave", broker)
    broker.control("users/dave/revoke-tokens")
    refused = platform.post(
        f"/v1/clients/{client_id}/deposits", headers=OPERATOR, json={"amount": "10.00"}
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "reauth_required"
    row = stored_link(platform, client_id)
    assert row.status == "reauth_required"
    assert row.access_token_enc is None and row.refresh_token_enc is None
    calls_before = len(platform.calls)
    again = platform.get(f"/v1/clients/{client_id}/brokerage-account", headers=OPERATOR)
    assert again.json()["code"] == "reauth_required"
    assert len(platform.calls) == calls_before, "a link needing reauth must not call the broker"
    status = platform.get(f"/v1/clients/{client_id}/onboarding", headers=OPERATOR).json()
    assert status["brokerage_link"] == "reauth_required"
    assert status["steps"]["brokerage_linked"] is False


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"state": None}, 400, "invalid_state"),
        ({"state": "not-a-state-we-issued"}, 400, "invalid_state"),
        ({"code": None}, 400, "missing_code"),
        ({"code": "made-up-code"}, 400, "authorization_rejected"),
    ],
)
def test_a_bad_answer_links_nothing(platform, broker, changes, status, code):
    name = f"eve-{code}-{'-'.join(f'{k}{v is None}' for k, v in changes.items())}"
    client_id = register(platform, name, broker)
    back = come_back(platform, consent(platform, client_id, name, broker), **changes)
    assert (back.status_code, back.json()["code"]) == (status, code)
    assert stored_link(platform, client_id) is None


def test_denied_consent_links_nothing_and_closes_the_attempt(platform, broker):
    client_id = register(platform, "frank", broker)
    location = consent(platform, client_id, "frank", broker, decision="deny")
    back = come_back(platform, location)
    assert (back.status_code, back.json()["code"]) == (403, "consent_denied")
    assert stored_link(platform, client_id) is None
    assert come_back(platform, location).json()["code"] == "link_attempt_used"


def test_a_broker_outage_during_the_exchange_leaves_the_attempt_open_for_a_retry(platform, broker):
    client_id = register(platform, "grace", broker)
    location = consent(platform, client_id, "grace", broker)
    broker.control("outage", {"down": True})
    try:
        back = come_back(platform, location)
    finally:
        broker.control("outage", {"down": False})
    assert (back.status_code, back.json()["code"]) == (503, "brokerage_unavailable")
    assert stored_link(platform, client_id) is None
    assert come_back(platform, location).status_code == 200
    assert stored_link(platform, client_id).status == "active"


def test_linking_is_refused_when_the_platform_has_no_client_secret(tmp_path):
    with platform_client(tmp_path, broker_client_secret=None) as client:
        made = client.post("/v1/clients", headers=OPERATOR, json=registration("hal")).json()
        started = client.post(f"/v1/clients/{made['id']}/brokerage-link", headers=OPERATOR)
    assert (started.status_code, started.json()["code"]) == (503, "brokerage_not_configured")


def test_a_deposit_with_the_same_key_is_made_once_and_a_changed_body_is_refused(platform, broker):
    client_id = link(platform, "ivan", broker)
    key = {**OPERATOR, "Idempotency-Key": "dep-1"}
    url = f"/v1/clients/{client_id}/deposits"
    first = platform.post(url, headers=key, json={"amount": "250"})
    second = platform.post(url, headers=key, json={"amount": "250.00"})
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert first.json()["amount"] == "250.00"
    changed = platform.post(url, headers=key, json={"amount": "300.00"})
    assert (changed.status_code, changed.json()["code"]) == (422, "validation_failed")
    account = platform.get(f"/v1/clients/{client_id}/brokerage-account", headers=OPERATOR)
    assert account.json()["cash"] == "250.00"
    assert len(platform.get(url, headers=OPERATOR).json()["items"]) == 1


BAD_AMOUNTS = ["0", "-1", "1.001", "ten", "NaN", "Infinity", "10000000.01", 5, None, ""]


def test_a_bad_amount_is_refused_before_the_broker_is_called(platform, broker):
    client_id = link(platform, "judy", broker)
    platform.calls.clear()
    for amount in BAD_AMOUNTS:
        refused = platform.post(
            f"/v1/clients/{client_id}/deposits", headers=OPERATOR, json={"amount": amount}
        )
        assert (refused.status_code, refused.json()["code"]) == (422, "validation_failed"), amount
    assert platform.calls == []
    assert platform.get(f"/v1/clients/{client_id}/deposits", headers=OPERATOR).json() == {
        "items": []
    }
