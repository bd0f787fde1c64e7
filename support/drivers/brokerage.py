"""The brokerage as the suite sees it: its sign-up, its sign-in and consent pages (driven
as a browser would drive them), and its test controls.

The browser part follows links and forms, not knowledge of the simulator: it opens the
authorization URL QuantDesk handed out, reads the form on the page, fills in the visible
fields, submits it with the button the person chose, and returns where the brokerage
redirects the browser.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, quote, urljoin, urlsplit

from support.drivers.http import ApiError, RecordingClient, error_from


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: dict[str, tuple[str, str]] = field(default_factory=dict)  # label -> (name, value)
    error: str | None = None


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.form: Form | None = None
        self.error: str | None = None
        self._button: tuple[str, str] | None = None
        self._alert = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and self.form is None:
            self.form = Form(action=a.get("action", ""), method=a.get("method", "get").upper())
        elif tag == "input" and self.form is not None and a.get("name"):
            self.form.fields[a["name"]] = a.get("value", "")
        elif tag == "button" and self.form is not None:
            self._button = (a.get("name", ""), a.get("value", ""))
        elif a.get("role") == "alert":
            self._alert = True

    def handle_data(self, data: str) -> None:
        if self._button is not None and self.form is not None and data.strip():
            self.form.buttons[data.strip().lower()] = self._button
        if self._alert and data.strip():
            self.error = data.strip()

    def handle_endtag(self, tag: str) -> None:
        if tag == "button":
            self._button = None
        elif tag == "p":
            self._alert = False


@dataclass
class BrowserResult:
    """Where the brokerage sent the browser, or the page it showed instead."""

    redirect: str | None
    page_error: str | None = None

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.redirect or "").query))


class BrokerageDriver:
    def __init__(self, http: RecordingClient) -> None:
        self.http = http

    # -- sign-up ----------------------------------------------------------------------
    def sign_up(self, username: str, password: str) -> dict[str, Any]:
        self.http.redactor.remember(password)
        return self.http.json(
            "POST", "/v1/sandbox/users", json={"username": username, "password": password}
        )

    # -- the browser ------------------------------------------------------------------
    def open_consent_page(self, authorization_url: str) -> Form:
        response = self.http.send("GET", authorization_url)
        if response.status_code >= 400 and "html" not in response.headers.get("content-type", ""):
            raise error_from(response)
        parser = _FormParser()
        parser.feed(response.text)
        if parser.form is None:
            raise ApiError(response.status_code, "no_consent_form", parser.error or "no form")
        parser.form.action = urljoin(authorization_url, parser.form.action)
        return parser.form

    def submit(self, form: Form, button: str, **visible: str) -> BrowserResult:
        """Submit ``form`` with the button labelled ``button``; redirects are not followed."""
        name, value = form.buttons[button.lower()]
        data = {**form.fields, **visible, name: value}
        response = self.http.send(form.method, form.action, data=data)
        location = response.headers.get("location")
        if response.is_redirect and location:
            self._remember_secrets_of(location)
            return BrowserResult(redirect=location)
        if "html" in response.headers.get("content-type", ""):
            parser = _FormParser()
            parser.feed(response.text)
            return BrowserResult(redirect=None, page_error=parser.error or response.text[:200])
        raise error_from(response)

    def _remember_secrets_of(self, url: str) -> None:
        for key, value in parse_qsl(urlsplit(url).query):
            if key == "code":
                self.http.redactor.remember(value)

    # -- test controls ----------------------------------------------------------------
    def set_outage(self, down: bool, *, health: bool = False) -> dict[str, Any]:
        return self.http.json("POST", "/v1/controls/outage", json={"down": down, "health": health})

    def set_feed_latency(self, milliseconds: int) -> dict[str, Any]:
        return self.http.json("POST", "/v1/controls/market-data", json={"latency_ms": milliseconds})

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        return self.http.json("POST", "/v1/controls/clock", json={"advance_seconds": seconds})

    # -- the trading desk's controls, one paper account at a time ----------------------
    def set_closes(self, account_id: str, closes: dict[str, str]) -> dict[str, Any]:
        return self.http.json(
            "PUT",
            f"/v1/controls/accounts/{quote(account_id, safe='')}/prices",
            json={"closes": closes},
        )

    def advance_session(self, account_id: str, sessions: int) -> dict[str, Any]:
        return self.http.json(
            "POST",
            f"/v1/controls/accounts/{quote(account_id, safe='')}/session",
            json={"advance_sessions": sessions},
        )

    def orders_of(self, account_id: str) -> list[dict[str, Any]]:
        path = f"/v1/controls/accounts/{quote(account_id, safe='')}/orders"
        return self.http.json("GET", path)["orders"]

    def set_terms(self, account_id: str, **terms: str) -> dict[str, Any]:
        path = f"/v1/controls/accounts/{quote(account_id, safe='')}/terms"
        return self.http.json("PUT", path, json=terms)

    def set_rejections(self, account_id: str, **rejections: Any) -> dict[str, Any]:
        path = f"/v1/controls/accounts/{quote(account_id, safe='')}/rejections"
        return self.http.json("PUT", path, json=rejections)

    def set_desk_faults(self, account_id: str, **faults: int) -> dict[str, Any]:
        path = f"/v1/controls/accounts/{quote(account_id, safe='')}/faults"
        return self.http.json("PUT", path, json=faults)

    def revoke_tokens_of(self, username: str) -> dict[str, Any]:
        return self.http.json("POST", f"/v1/controls/users/{username}/revoke-tokens")
