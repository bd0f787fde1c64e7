"""Fixtures and helpers shared by every test: QuantDesk in-process on a fresh database,
the operator's key, and a broker simulator with an OAuth client that plays the platform
(and a browser) over TestClient.

Helpers live here once; test modules import them from ``tests.conftest``."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from quantdesk.app import create_app
from quantdesk.broker_sim.app import create_broker_app
from quantdesk.broker_sim.settings import BrokerSimSettings
from quantdesk.clock import SystemClock
from quantdesk.domain.bars import BAR_COLUMNS
from quantdesk.services.feature_sets import FeatureSetService
from quantdesk.services.market_data import MarketDataService
from quantdesk.services.model_registry import ModelRegistry
from quantdesk.services.recommendations import RecommendationService
from quantdesk.settings import Settings
from quantdesk.store.db import create_db_engine, migrate, session_factory
from quantdesk.store.models import (
    BrokerageLinkRow,
    ClientDepositRow,
    ClientRow,
    ClientStrategyRow,
    PortfolioPreferencesRow,
)

OPERATOR_KEY = "operator-key"
# The header that makes a request an operator's.
OPERATOR = {"X-API-Key": OPERATOR_KEY}


@contextmanager
def platform_client(tmp_path: Path, **overrides: Any) -> Iterator[TestClient]:
    """QuantDesk on a fresh, migrated SQLite database in ``tmp_path``.

    By default the broker is unreachable; ``overrides`` are further settings."""
    settings = Settings(
        **{
            "data_dir": tmp_path,
            "operator_key": OPERATOR_KEY,
            "broker_url": "http://127.0.0.1:9",
            "broker_timeout_seconds": 0.2,
            **overrides,
        }
    )
    engine = create_db_engine(settings.resolved_database_url())
    migrate(engine)
    engine.dispose()
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def client(tmp_path):
    with platform_client(tmp_path) as test_client:
        yield test_client


CLIENT_ID = "quantdesk"
CLIENT_SECRET = "client-secret-for-tests"
REDIRECT_URI = "http://127.0.0.1:8000/v1/broker/callback"
PASSWORD = "correct horse battery"


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def query_of(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def hidden_fields(html: str) -> dict[str, str]:
    pattern = r'<input type="hidden" name="([^"]+)" value="([^"]*)">'
    return {unescape(k): unescape(v) for k, v in re.findall(pattern, html)}


def basic(client_id: str = CLIENT_ID, secret: str = CLIENT_SECRET) -> dict[str, str]:
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Link:
    """What the platform holds after linking a user's brokerage account."""

    verifier: str
    code: str
    tokens: dict[str, Any]


class Sim:
    def __init__(self, tmp_path: Path, **overrides: Any) -> None:
        values: dict[str, Any] = {
            "data_dir": tmp_path,
            "broker_client_id": CLIENT_ID,
            "broker_client_secret": CLIENT_SECRET,
            "broker_redirect_uris": [REDIRECT_URI],
            "controls_enabled": True,
        }
        values.update(overrides)
        self.settings = BrokerSimSettings(**values)
        self.http = TestClient(
            create_broker_app(self.settings), follow_redirects=False, raise_server_exceptions=False
        )

    def sign_up(self, username: str = "alice", password: str = PASSWORD) -> dict[str, Any]:
        response = self.http.post(
            "/v1/sandbox/users", json={"username": username, "password": password}
        )
        assert response.status_code == 201, response.text
        return response.json()

    @staticmethod
    def authorize_params(
        challenge: str, state: str = "state-123", **overrides: str | None
    ) -> dict[str, str]:
        params = {
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT_URI,
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "scope": "account:read account:write",
        }
        params.update(overrides)
        return {k: v for k, v in params.items() if v is not None}

    def consent(
        self,
        challenge: str,
        *,
        username: str = "alice",
        password: str = PASSWORD,
        decision: str = "allow",
        **overrides: str | None,
    ) -> httpx.Response:
        """Open the sign-in page like a browser, then submit its form."""
        page = self.http.get(
            "/oauth/authorize", params=self.authorize_params(challenge, **overrides)
        )
        assert page.status_code == 200, page.text
        form = hidden_fields(page.text)
        form.update(username=username, password=password, decision=decision)
        return self.http.post("/oauth/authorize", data=form)

    def exchange(
        self,
        code: str,
        verifier: str,
        *,
        redirect_uri: str = REDIRECT_URI,
        headers: dict[str, str] | None = None,
        **extra: str,
    ) -> httpx.Response:
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
            **extra,
        }
        return self.http.post(
            "/oauth/token", data=data, headers=basic() if headers is None else headers
        )

    def refresh(self, refresh_token: str, **extra: str) -> httpx.Response:
        return self.http.post(
            "/oauth/token",
            headers=basic(),
            data={"grant_type": "refresh_token", "refresh_token": refresh_token, **extra},
        )

    def revoke(self, token: str, hint: str | None = None) -> httpx.Response:
        data = {"token": token} | ({"token_type_hint": hint} if hint else {})
        return self.http.post("/oauth/revoke", headers=basic(), data=data)

    def link(self, username: str = "alice") -> Link:
        verifier, challenge = pkce_pair()
        code = query_of(self.consent(challenge, username=username))["code"]
        response = self.exchange(code, verifier)
        assert response.status_code == 200, response.text
        return Link(verifier, code, response.json())

    def account(self, access_token: str) -> httpx.Response:
        return self.http.get("/v1/account", headers=bearer(access_token))

    def deposit(
        self,
        access_token: str,
        amount: Any,
        key: str | None = None,
    ) -> httpx.Response:
        headers = bearer(access_token) | ({"Idempotency-Key": key} if key else {})
        return self.http.post("/v1/account/deposits", headers=headers, json={"amount": amount})

    def advance_clock(self, seconds: float) -> None:
        response = self.http.post("/v1/controls/clock", json={"advance_seconds": seconds})
        assert response.status_code == 200, response.text


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "message", "details"}, body
    assert body["code"] == code, body
    assert "Traceback" not in response.text
    return body


def assert_oauth_error(response: httpx.Response, status: int, error: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error, body
    assert body["error_description"]
    assert response.headers["cache-control"] == "no-store"


@pytest.fixture
def sim(tmp_path):
    """A broker simulator on a fresh directory, with no user yet."""
    return Sim(tmp_path)


# Market-data unit tests: the day validation takes as today, a small good file, and
# bars built row by row (raw, as a vendor file would give them).
BARS_TODAY = date(2024, 6, 28)

GOOD_CSV = b"""symbol,session,open,high,low,close,volume
SPX,2024-01-03,10,11,9,10.5,100
SPX,2024-01-02,10,11,9,10.5,100
NDX,2024-01-02,20,21,19,20.5,0
"""


def bar_frame(*rows: tuple, **overrides: object) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=list(BAR_COLUMNS))
    return frame.assign(**overrides)


def good_row(session: str = "2024-01-02", symbol: str = "SPX", **values: object) -> tuple:
    row = {"open": 10.0, "high": 11.0, "low": 9.0, "close": 10.5, "volume": 100, **values}
    return (symbol, session, row["open"], row["high"], row["low"], row["close"], row["volume"])


def rules_of(result, row: int) -> list[str]:
    found = result.quarantined.loc[result.quarantined["row"] == row, "rules"]
    assert len(found) == 1, f"row {row} is not quarantined"
    return found.iloc[0]


def refusal(status: int, code: str, *, reason: str | None = None, **fields: str) -> Any:
    """A refusal as the suite's HTTP driver raises it: ``fields`` are ``field=problem_code``
    of a validation refusal, ``reason`` the platform's own words."""
    from support.drivers.http import error_from

    body: dict[str, Any] = {"code": code, "message": f"refused: {code}", "details": {}}
    if fields:
        body["details"]["fields"] = [{"field": f, "code": c} for f, c in fields.items()]
    if reason is not None:
        body["details"]["reason"] = reason
    return error_from(httpx.Response(status, json=body))


def refused_by(error: Exception) -> Any:
    """An action that the platform refuses with ``error``."""

    def action() -> Any:
        raise error

    return action


# -- trading: a client whose onboarding rows are written straight to a fresh database ----
NOW = datetime(2026, 1, 5, 15, tzinfo=UTC)


@pytest.fixture
def sessions(tmp_path):
    """A session factory of a fresh, migrated SQLite database."""
    engine = create_db_engine(f"sqlite:///{tmp_path / 'q.db'}")
    migrate(engine)
    yield session_factory(engine)
    engine.dispose()


def active_client(sessions, *, steps=("link", "preferences", "strategy", "deposit"), **prefs):
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
    return RecommendationService(sessions, SystemClock(), model_registry(sessions), no_brokerage)


def model_registry(sessions, data_dir: Path = Path("var/tests-models")) -> ModelRegistry:
    """The model registry over ``sessions`` (no model is trained by these helpers)."""
    feature_sets = FeatureSetService(MarketDataService(sessions))
    return ModelRegistry(sessions, SystemClock(), data_dir, feature_sets)


def no_brokerage(client_id: str) -> date:
    raise AssertionError("an equal-weight recommendation never asks the brokerage")
