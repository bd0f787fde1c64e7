"""QuantDesk as an OAuth 2.0 client of the brokerage, and the account calls.

Authlib builds the protocol messages (authorization URI, PKCE S256 challenge, token
request bodies; RFC 6749 / RFC 7636); they travel over the platform's one httpx client.
Authlib's own httpx integration is not used: in Authlib 1.9 it warns that its httpx
support is deprecated in favour of httpx2, and one HTTP stack is enough.

Every failure is one of three things the services act on:

- ``BrokerageUnavailable`` (``quantdesk.errors``): the brokerage did not answer, or
  answered 5xx (a retry may work);
- ``GrantRejected``: the token endpoint refused a code or refresh token (``invalid_grant``
  and friends, RFC 6749 5.2): the client has to link again;
- ``AccessTokenRejected``: an API call answered 401: the access token is expired or
  revoked, a refresh may fix it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from quantdesk.broker.circuit import BrokerageCircuit
from quantdesk.errors import BrokerageUnavailable

AUTHORIZE_PATH = "/oauth/authorize"
TOKEN_PATH = "/oauth/token"


def _unavailable(what: str) -> BrokerageUnavailable:
    return BrokerageUnavailable(
        "The brokerage is unavailable at the moment; nothing was changed. Try again later.",
        details={"during": what},
    )


class GrantRejected(Exception):
    def __init__(self, error: str, description: str | None) -> None:
        super().__init__(f"{error}: {description or ''}")
        self.error = error
        self.description = description or ""


class AccessTokenRejected(Exception):
    pass


class BrokerRefused(Exception):
    """A 4xx answer to an API call other than 401, with the broker's error code."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    refresh_token: str
    expires_in: int
    scope: str

    @classmethod
    def from_response(cls, token: dict[str, Any]) -> TokenSet:
        try:
            return cls(
                access_token=str(token["access_token"]),
                refresh_token=str(token["refresh_token"]),
                expires_in=int(token.get("expires_in", 0)),
                scope=str(token.get("scope", "")),
            )
        except (KeyError, TypeError, ValueError):
            raise GrantRejected("invalid_response", "the token response is incomplete") from None

    def __repr__(self) -> str:  # never print a token
        return f"TokenSet(expires_in={self.expires_in}, scope={self.scope!r})"


def new_pkce_verifier() -> str:
    """A PKCE code verifier: 64 characters of the unreserved alphabet (RFC 7636 4.1)."""
    return generate_token(64)


def new_state() -> str:
    return generate_token(43)


class BrokerClient:
    def __init__(
        self,
        *,
        base_url: str,
        client_id: str,
        client_secret: str | None,
        redirect_uri: str,
        scope: str,
        http: httpx.Client,
        circuit: BrokerageCircuit | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.circuit = circuit
        self.client_id = client_id
        self._client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.scope = scope
        self.http = http

    # -- OAuth ------------------------------------------------------------------------
    def authorization_url(self, state: str, code_verifier: str) -> str:
        return prepare_grant_uri(
            self.base_url + AUTHORIZE_PATH,
            client_id=self.client_id,
            response_type="code",
            redirect_uri=self.redirect_uri,
            scope=self.scope,
            state=state,
            code_challenge=create_s256_code_challenge(code_verifier),
            code_challenge_method="S256",
        )

    def exchange_code(self, code: str, code_verifier: str) -> TokenSet:
        body = prepare_token_request(
            "authorization_code",
            code=code,
            redirect_uri=self.redirect_uri,
            code_verifier=code_verifier,
        )
        return self._token_request("exchanging the authorization code", body)

    def refresh(self, refresh_token: str) -> TokenSet:
        body = prepare_token_request("refresh_token", refresh_token=refresh_token)
        return self._token_request("refreshing the access token", body)

    def _token_request(self, what: str, body: str) -> TokenSet:
        """POST to the token endpoint with HTTP Basic client authentication (RFC 6749 2.3.1)."""
        auth = httpx.BasicAuth(
            quote(self.client_id, safe=""), quote(self._client_secret or "", safe="")
        )
        try:
            response = self.http.post(
                TOKEN_PATH,
                content=body,
                auth=auth,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Accept": "application/json",
                },
            )
        except httpx.TransportError:
            raise _unavailable(what) from None
        if response.status_code >= 500:
            raise _unavailable(what)
        token = _json_object(response)
        if response.status_code >= 400 or "error" in token:
            raise GrantRejected(
                str(token.get("error") or f"http_{response.status_code}"),
                token.get("error_description"),
            )
        return TokenSet.from_response(token)

    # -- account API ------------------------------------------------------------------
    def get_account(self, access_token: str) -> dict[str, Any]:
        return self._api("GET", "/v1/account", access_token, what="reading the account", desk=True)

    def deposit(self, access_token: str, amount: str, idempotency_key: str) -> dict[str, Any]:
        return self._api(
            "POST",
            "/v1/account/deposits",
            access_token,
            what="depositing cash",
            json={"amount": amount},
            headers={"Idempotency-Key": idempotency_key},
        )

    # -- trading API ------------------------------------------------------------------
    def trading_account(self, access_token: str) -> dict[str, Any]:
        """Cash, buying power, equity and the session the account trades at."""
        return self._api(
            "GET", "/v1/account/trading", access_token, what="reading the account", desk=True
        )

    def positions(self, access_token: str) -> list[dict[str, Any]]:
        response = self._send(
            "GET", "/v1/positions", access_token, what="reading the positions", desk=True
        )
        body = response.json()
        return body if isinstance(body, list) else []

    def portfolio_history(self, access_token: str) -> dict[str, Any]:
        """``{sessions, equity, deposits}``: the account at each session's close."""
        return self._api(
            "GET",
            "/v1/account/portfolio/history",
            access_token,
            what="reading the portfolio history",
            desk=True,
        )

    def prices(self, access_token: str, symbols: list[str]) -> dict[str, Any]:
        """The closes of the account's session: ``{session, prices: {symbol: price}}``."""
        return self._api(
            "GET",
            "/v1/account/prices",
            access_token,
            what="reading prices",
            desk=True,
            params={"symbols": ",".join(symbols)},
        )

    def place_order(
        self, access_token: str, *, symbol: str, side: str, qty: int, client_order_id: str
    ) -> dict[str, Any]:
        """A market order; ``client_order_id`` makes placing it again a refusal, never a
        second order."""
        return self._api(
            "POST",
            "/v1/orders",
            access_token,
            what="placing an order",
            desk=True,
            json={
                "symbol": symbol,
                "qty": qty,
                "side": side,
                "type": "market",
                "time_in_force": "day",
                "client_order_id": client_order_id,
            },
        )

    def open_orders(self, access_token: str) -> list[dict[str, Any]]:
        response = self._send(
            "GET",
            "/v1/orders",
            access_token,
            what="reading open orders",
            desk=True,
            params={"status": "open"},
        )
        body = response.json()
        return body if isinstance(body, list) else []

    def cancel_order(self, access_token: str, order_id: str) -> None:
        path = f"/v1/orders/{quote(order_id, safe='')}"
        self._send("DELETE", path, access_token, what="cancelling an order", desk=True)

    def order_by_client_order_id(
        self, access_token: str, client_order_id: str
    ) -> dict[str, Any] | None:
        """The order the account knows by ``client_order_id``; None if it has none."""
        try:
            return self._api(
                "GET",
                "/v1/orders:by_client_order_id",
                access_token,
                what="looking up an order",
                desk=True,
                params={"client_order_id": client_order_id},
            )
        except BrokerRefused as refused:
            if refused.status == 404:
                return None
            raise

    def _api(
        self,
        method: str,
        path: str,
        access_token: str,
        *,
        what: str,
        headers: dict[str, str] | None = None,
        desk: bool = False,
        **kwargs: Any,
    ) -> dict[str, Any]:
        return _json_object(
            self._send(method, path, access_token, what=what, headers=headers, desk=desk, **kwargs)
        )

    def _send(
        self,
        method: str,
        path: str,
        access_token: str,
        *,
        what: str,
        headers: dict[str, str] | None = None,
        desk: bool = False,
        **kwargs: Any,
    ) -> httpx.Response:
        """The answer to an API call; every failure becomes one of the module's errors.
        Calls of the trading desk (``desk``) go through the circuit breaker."""
        kwargs["headers"] = {"Authorization": f"Bearer {access_token}", **(headers or {})}
        if desk and self.circuit is not None:
            return self.circuit.call(what, lambda: self._exchange(method, path, what, kwargs))
        return self._exchange(method, path, what, kwargs)

    def _exchange(
        self, method: str, path: str, what: str, kwargs: dict[str, Any]
    ) -> httpx.Response:
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.TransportError:
            raise _unavailable(what) from None
        if response.status_code == 401:
            raise AccessTokenRejected(what)
        if response.status_code >= 500:
            raise _unavailable(what)
        if response.status_code >= 400:
            body = _json_object(response)
            raise BrokerRefused(
                response.status_code,
                str(body.get("code") or body.get("error") or "refused"),
                str(body.get("message") or body.get("error_description") or ""),
            )
        return response


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
