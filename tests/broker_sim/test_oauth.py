"""The simulated broker's OAuth 2.0 authorization server (RFC 6749, 7636, 7009)."""

from __future__ import annotations

import pytest

from tests.conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    PASSWORD,
    REDIRECT_URI,
    Sim,
    assert_error,
    assert_oauth_error,
    basic,
    pkce_pair,
    query_of,
)


@pytest.fixture
def sim(sim):
    """The simulator with alice signed up."""
    sim.sign_up("alice")
    return sim


def test_the_authorize_page_is_a_sign_in_and_consent_form(sim):
    _, challenge = pkce_pair()
    page = sim.http.get("/oauth/authorize", params=sim.authorize_params(challenge))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["x-frame-options"] == "DENY"
    assert '<form method="post" action="/oauth/authorize"' in page.text
    assert 'name="password"' in page.text
    assert 'value="allow"' in page.text and 'value="deny"' in page.text
    assert "account:read" in page.text


def test_full_code_flow_with_pkce_gives_tokens_that_open_the_account(sim):
    verifier, challenge = pkce_pair()
    redirect = sim.consent(challenge, state="xyz")
    assert redirect.headers["location"].startswith(REDIRECT_URI + "?")
    params = query_of(redirect)
    assert params["state"] == "xyz"

    response = sim.exchange(params["code"], verifier)

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    tokens = response.json()
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 1800
    assert tokens["scope"] == "account:read account:write"
    assert tokens["access_token"] != tokens["refresh_token"]
    account = sim.account(tokens["access_token"])
    assert account.status_code == 200
    assert account.json()["id"].startswith("PA")


def test_client_secret_post_authenticates_too(sim):
    verifier, challenge = pkce_pair()
    code = query_of(sim.consent(challenge))["code"]
    response = sim.exchange(
        code, verifier, headers={}, client_id=CLIENT_ID, client_secret=CLIENT_SECRET
    )
    assert response.status_code == 200, response.text


def test_no_state_means_none_is_echoed(sim):
    verifier, challenge = pkce_pair()
    params = query_of(sim.consent(challenge, state=None))
    assert "state" not in params
    assert sim.exchange(params["code"], verifier).status_code == 200


def test_a_redirect_uri_with_a_query_keeps_it(tmp_path):
    sim = Sim(tmp_path, broker_redirect_uris=["http://127.0.0.1:8000/cb?tenant=a"])
    sim.sign_up("alice")
    _, challenge = pkce_pair()
    redirect = sim.consent(challenge, redirect_uri="http://127.0.0.1:8000/cb?tenant=a")
    params = query_of(redirect)
    assert params["tenant"] == "a" and params["code"]


def test_wrong_verifier_is_refused(sim):
    _, challenge = pkce_pair()
    other_verifier, _ = pkce_pair()
    code = query_of(sim.consent(challenge))["code"]
    assert_oauth_error(sim.exchange(code, other_verifier), 400, "invalid_grant")


def test_a_refused_exchange_spends_the_code(sim):
    verifier, challenge = pkce_pair()
    code = query_of(sim.consent(challenge))["code"]
    assert_oauth_error(sim.exchange(code, "x" * 43), 400, "invalid_grant")
    assert_oauth_error(sim.exchange(code, verifier), 400, "invalid_grant")


def test_wrong_redirect_uri_at_exchange_is_refused(sim):
    verifier, challenge = pkce_pair()
    code = query_of(sim.consent(challenge))["code"]
    response = sim.exchange(code, verifier, redirect_uri="http://127.0.0.1:8000/other")
    assert_oauth_error(response, 400, "invalid_grant")


def test_code_reuse_is_refused_and_revokes_the_tokens_it_gave(sim):
    link = sim.link()
    assert sim.account(link.tokens["access_token"]).status_code == 200

    second = sim.exchange(link.code, link.verifier)

    assert_oauth_error(second, 400, "invalid_grant")
    body = assert_error(sim.account(link.tokens["access_token"]), 401, "invalid_token")
    assert body["details"]["reason"] == "revoked"
    assert_oauth_error(sim.refresh(link.tokens["refresh_token"]), 400, "invalid_grant")


def test_deny_redirects_with_access_denied(sim):
    _, challenge = pkce_pair()
    params = query_of(sim.consent(challenge, decision="deny", password="", state="s1"))
    assert params == {
        "error": "access_denied",
        "error_description": params["error_description"],
        "state": "s1",
    }


def test_wrong_password_shows_the_page_again_without_a_code(sim):
    _, challenge = pkce_pair()
    response = sim.consent(challenge, password="not the password")
    assert response.status_code == 401
    assert "Wrong username or password" in response.text
    assert 'value="alice"' in response.text
    assert "location" not in response.headers


def test_unknown_user_is_refused_like_a_wrong_password(sim):
    _, challenge = pkce_pair()
    response = sim.consent(challenge, username="nobody")
    assert response.status_code == 401
    assert "Wrong username or password" in response.text


def test_state_is_echoed_verbatim_checking_it_is_the_clients_business(sim):
    _, challenge = pkce_pair()
    state = "a b&c=d/é"
    assert query_of(sim.consent(challenge, state=state))["state"] == state


@pytest.mark.parametrize(
    "overrides",
    [
        {"client_id": "someone-else"},
        {"client_id": None},
        {"redirect_uri": "http://evil.example/cb"},
        {"redirect_uri": REDIRECT_URI + "/"},
        {"redirect_uri": None},
    ],
)
def test_bad_client_or_redirect_uri_gets_an_error_page_never_a_redirect(sim, overrides):
    _, challenge = pkce_pair()
    response = sim.http.get("/oauth/authorize", params=sim.authorize_params(challenge, **overrides))
    assert response.status_code == 400
    assert "location" not in response.headers
    assert response.headers["content-type"].startswith("text/html")
    assert 'name="password"' not in response.text


def test_a_post_with_a_bad_redirect_uri_gets_an_error_page_too(sim):
    _, challenge = pkce_pair()
    form = sim.authorize_params(challenge, redirect_uri="http://evil.example/cb")
    form.update(username="alice", password=PASSWORD, decision="allow")
    response = sim.http.post("/oauth/authorize", data=form)
    assert response.status_code == 400
    assert "location" not in response.headers


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"response_type": None}, "invalid_request"),
        ({"code_challenge": None}, "invalid_request"),
        ({"code_challenge": "short"}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge_method": None}, "invalid_request"),
        ({"scope": "account:read admin"}, "invalid_scope"),
    ],
)
def test_other_bad_parameters_redirect_with_an_error(sim, overrides, error):
    _, challenge = pkce_pair()
    response = sim.http.get(
        "/oauth/authorize", params=sim.authorize_params(challenge, state="st", **overrides)
    )
    params = query_of(response)
    assert params["error"] == error
    assert params["state"] == "st"
    assert response.headers["location"].startswith(REDIRECT_URI + "?")


def test_no_scope_requests_every_scope(sim):
    verifier, challenge = pkce_pair()
    code = query_of(sim.consent(challenge, scope=None))["code"]
    assert sim.exchange(code, verifier).json()["scope"] == "account:read account:write trading"


def test_a_code_expires(sim):
    verifier, challenge = pkce_pair()
    code = query_of(sim.consent(challenge))["code"]
    sim.advance_clock(61)
    assert_oauth_error(sim.exchange(code, verifier), 400, "invalid_grant")


def test_an_unknown_code_is_invalid_grant(sim):
    verifier, _ = pkce_pair()
    assert_oauth_error(sim.exchange("made-up", verifier), 400, "invalid_grant")


@pytest.mark.parametrize(
    "headers",
    [
        basic(secret="wrong"),
        basic(client_id="other"),
        {"Authorization": "Basic !!!"},
        {"Authorization": "Bearer abc"},
        {},
    ],
)
def test_token_endpoint_authenticates_the_client(sim, headers):
    verifier, challenge = pkce_pair()
    code = query_of(sim.consent(challenge))["code"]
    response = sim.exchange(code, verifier, headers=headers)
    assert_oauth_error(response, 401, "invalid_client")
    assert response.headers["www-authenticate"].startswith("Basic")


def test_two_client_authentication_methods_are_refused(sim):
    verifier, challenge = pkce_pair()
    code = query_of(sim.consent(challenge))["code"]
    response = sim.exchange(code, verifier, client_secret=CLIENT_SECRET)
    assert_oauth_error(response, 400, "invalid_request")


def test_no_client_secret_configured_refuses_every_client(tmp_path):
    sim = Sim(tmp_path, broker_client_secret=None)
    response = sim.http.post(
        "/oauth/token", headers=basic(), data={"grant_type": "refresh_token", "refresh_token": "x"}
    )
    assert_oauth_error(response, 401, "invalid_client")


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"grant_type": "password", "username": "alice"}, "unsupported_grant_type"),
        ({"grant_type": "client_credentials"}, "unsupported_grant_type"),
        ({}, "invalid_request"),
        ({"grant_type": "authorization_code", "code": "c"}, "invalid_request"),
        ({"grant_type": "refresh_token"}, "invalid_request"),
    ],
)
def test_token_request_errors(sim, data, error):
    response = sim.http.post("/oauth/token", headers=basic(), data=data)
    assert_oauth_error(response, 400, error)


def test_token_request_must_be_form_encoded(sim):
    response = sim.http.post(
        "/oauth/token", headers=basic(), json={"grant_type": "refresh_token", "refresh_token": "x"}
    )
    assert_oauth_error(response, 400, "invalid_request")


def test_refresh_rotates_the_refresh_token(sim):
    link = sim.link()
    first = sim.refresh(link.tokens["refresh_token"])
    assert first.status_code == 200, first.text
    rotated = first.json()
    assert rotated["refresh_token"] != link.tokens["refresh_token"]
    assert rotated["access_token"] != link.tokens["access_token"]
    assert rotated["scope"] == "account:read account:write"
    assert sim.account(rotated["access_token"]).status_code == 200

    assert_oauth_error(sim.refresh(link.tokens["refresh_token"]), 400, "invalid_grant")
    assert sim.refresh(rotated["refresh_token"]).status_code == 200


def test_refresh_may_narrow_but_not_widen_the_scope(sim):
    link = sim.link()
    narrowed = sim.refresh(link.tokens["refresh_token"], scope="account:read")
    assert narrowed.status_code == 200
    assert narrowed.json()["scope"] == "account:read"
    assert_error(sim.deposit(narrowed.json()["access_token"], "1.00"), 403, "insufficient_scope")
    widened = sim.refresh(narrowed.json()["refresh_token"], scope="trading")
    assert_oauth_error(widened, 400, "invalid_scope")


def test_access_token_expires_on_the_simulated_clock(sim):
    link = sim.link()
    sim.advance_clock(1799)
    assert sim.account(link.tokens["access_token"]).status_code == 200
    sim.advance_clock(1)
    body = assert_error(sim.account(link.tokens["access_token"]), 401, "invalid_token")
    assert body["details"]["reason"] == "expired"
    assert sim.refresh(link.tokens["refresh_token"]).status_code == 200


def test_refresh_token_expires_seven_days_after_the_link_even_when_rotated(sim):
    link = sim.link()
    sim.advance_clock(6 * 24 * 3600)
    rotated = sim.refresh(link.tokens["refresh_token"]).json()
    sim.advance_clock(24 * 3600)
    assert_oauth_error(sim.refresh(rotated["refresh_token"]), 400, "invalid_grant")


def test_revoking_an_access_token(sim):
    link = sim.link()
    assert sim.revoke(link.tokens["access_token"], "access_token").status_code == 200
    assert_error(sim.account(link.tokens["access_token"]), 401, "invalid_token")
    assert sim.refresh(link.tokens["refresh_token"]).status_code == 200


def test_revoking_a_refresh_token_kills_its_access_tokens(sim):
    link = sim.link()
    assert sim.revoke(link.tokens["refresh_token"]).status_code == 200
    assert_error(sim.account(link.tokens["access_token"]), 401, "invalid_token")
    assert_oauth_error(sim.refresh(link.tokens["refresh_token"]), 400, "invalid_grant")


def test_revoking_an_unknown_or_revoked_token_is_fine(sim):
    link = sim.link()
    assert sim.revoke("never-issued").status_code == 200
    assert sim.revoke(link.tokens["refresh_token"]).status_code == 200
    assert sim.revoke(link.tokens["refresh_token"]).status_code == 200


def test_revocation_needs_client_authentication_and_a_token(sim):
    response = sim.http.post("/oauth/revoke", data={"token": "x"})
    assert_oauth_error(response, 401, "invalid_client")
    assert_oauth_error(
        sim.http.post("/oauth/revoke", headers=basic(), data={}), 400, "invalid_request"
    )


def test_links_of_two_users_are_independent(sim):
    sim.sign_up("bob")
    alice, bob = sim.link("alice"), sim.link("bob")
    sim.revoke(alice.tokens["refresh_token"])
    assert sim.account(bob.tokens["access_token"]).status_code == 200
    assert sim.account(alice.tokens["access_token"]).status_code == 401
