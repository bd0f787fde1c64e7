"""Brokerage linking and funding in business terms.

A client links their account the way a person would: QuantDesk hands out the
brokerage's authorization URL, the person signs in and answers the consent page at the
brokerage, and their browser follows the brokerage's redirect back to QuantDesk. The
suite never sees QuantDesk's brokerage tokens; it sees only what a browser sees.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import allure

from support.drivers.broker import BrokerDriver, BrowserResult
from support.drivers.http import ApiError
from support.drivers.platform import PlatformDriver
from support.dsl.aliases import Aliases
from support.dsl.onboarding import Onboarding

T = TypeVar("T")

# The broker simulator's lifetimes (RFC 6749 access and refresh tokens); a remote
# brokerage with other lifetimes is told to the suite with -D broker.*_ttl_seconds.
ACCESS_TOKEN_TTL_SECONDS = 1800
REFRESH_TOKEN_TTL_SECONDS = 7 * 24 * 3600


# Why a link or broker call was refused, in the specification's words ({name}: the client).
REFUSALS = {
    "consent_denied": "{name} declined access",
    "invalid_state": "the answer does not belong to a link the client started",
    "link_attempt_used": "the link was already completed",
    "link_attempt_expired": "the link took too long",
    "authorization_rejected": "the brokerage did not accept the authorization",
    "brokerage_unavailable": "the brokerage is unavailable",
    "reauth_required": "{name} must link again",
    "brokerage_not_linked": "{name} has not linked a brokerage account",
}


def amount_text(words: str) -> str:
    """``"2,500.00 USD"`` -> ``"2500.00"`` (the contract's decimal string)."""
    return words.replace("USD", "").replace(",", "").strip()


@dataclass
class Brokerage:
    platform: PlatformDriver
    broker: BrokerDriver
    onboarding: Onboarding
    aliases: Aliases
    broker_logins: dict[str, tuple[str, str]] = field(default_factory=dict)
    broker_account_ids: dict[str, str] = field(default_factory=dict)
    started: dict[str, dict[str, Any]] = field(default_factory=dict)
    linked: dict[str, dict[str, Any]] = field(default_factory=dict)
    request_keys: dict[str, str] = field(default_factory=dict)
    answers: dict[str, BrowserResult] = field(default_factory=dict)
    last_refusal: ApiError | None = None
    last_result: Any = None
    current: str | None = None  # the client whose link is being made
    seen: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    # -- who ----------------------------------------------------------------------------
    def client_id(self, name: str) -> str:
        return self.onboarding.clients[name]["id"]

    def token(self, name: str) -> str:
        if name not in self.onboarding.tokens:
            assert self.onboarding.sign_in(name), f"{name} could not sign in"
        return self.onboarding.tokens[name]

    def attempt(self, action: Callable[[], T]) -> T | None:
        """Run ``action``, remembering a refusal instead of raising it."""
        self.last_refusal = self.last_result = None
        try:
            self.last_result = action()
        except ApiError as refusal:
            self.last_refusal = refusal
        return self.last_result

    # -- at the brokerage ---------------------------------------------------------------
    def open_broker_account(self, name: str) -> dict[str, Any]:
        username = self.aliases.username(name)
        password = f"bk-{secrets.token_urlsafe(15)}"
        with allure.step(f"{name} opens an account at the brokerage"):
            made = self.broker.sign_up(username, password)
        self.broker_logins[name] = (username, password)
        self.broker_account_ids[name] = made["account"]["id"]
        return made

    def withdraw_access(self, name: str) -> None:
        with allure.step(f"The brokerage withdraws every access {name} granted"):
            self.broker.revoke_tokens_of(self.broker_logins[name][0])

    def advance_broker_clock(self, seconds: float) -> None:
        with allure.step(f"The brokerage's clock moves {seconds:.0f} s on"):
            self.broker.advance_clock(seconds)

    def set_broker_down(
        self, down: bool, cleanups: list[Callable[[], None]], *, unreachable: bool = False
    ) -> None:
        """``unreachable``: not even the brokerage's health check answers."""
        with allure.step("The brokerage goes down" if down else "The brokerage is back"):
            self.broker.set_outage(down, health=unreachable)
        if down:  # never leave the shared brokerage down, whatever the scenario does next
            cleanups.append(lambda: self.broker.set_outage(False))

    # -- linking ------------------------------------------------------------------------
    def start_link(self, name: str) -> dict[str, Any]:
        with allure.step(f"{name} starts linking their brokerage account"):
            started = self.platform.start_link(self.client_id(name), token=self.token(name))
        self.started[name] = started
        self.current = name
        self._saw(name, started)
        return started

    def _saw(self, name: str, answer: Any) -> None:
        if isinstance(answer, dict):
            self.seen.setdefault(name, []).append(answer)

    def link_answers(self, name: str) -> list[dict[str, Any]]:
        """Every answer QuantDesk gave about ``name``'s link in this scenario."""
        return self.seen.get(name, [])

    def refusal_reason(self) -> str:
        refusal = self.last_refusal
        assert refusal is not None, "the request was accepted"
        return REFUSALS.get(refusal.code, refusal.code).format(name=self.current)

    def answer_consent(self, name: str, decision: str) -> BrowserResult:
        """At the brokerage's page: sign in with the brokerage login and press the button."""
        username, password = self.broker_logins[name]
        with allure.step(f"{name} signs in at the brokerage and chooses {decision}"):
            form = self.broker.open_consent_page(self.started[name]["authorization_url"])
            answer = self.broker.submit(form, decision, username=username, password=password)
        assert answer.redirect, f"the brokerage did not send {name} back: {answer.page_error}"
        self.answers[name] = answer
        self.current = name
        return answer

    def deliver_answer(
        self, name: str | None = None, *, state: str = "as sent", code_of: str | None = None
    ) -> dict[str, Any] | None:
        """The browser follows the brokerage's redirect back to QuantDesk.

        ``state``: "as sent", "missing" or "different"; ``code_of``: another client whose
        authorization code is put in the answer instead (a stolen or replayed code).
        """
        name = name or self.current
        assert name is not None, "no client has been to the brokerage yet"
        self.current = name
        url = self.answers[name].redirect
        assert url is not None
        params = dict(parse_qsl(urlsplit(url).query))
        if state == "missing":
            params.pop("state", None)
        elif state == "different":
            params["state"] = secrets.token_urlsafe(32)
        if code_of is not None:
            params["code"] = self.answers[code_of].query["code"]
        tampered = urlunsplit(urlsplit(url)._replace(query=urlencode(params)))
        with allure.step(f"{name}'s browser returns to QuantDesk from the brokerage"):
            link = self.attempt(lambda: self.platform.follow_redirect(tampered))
        self._saw(name, link)
        return link

    def link(self, name: str) -> dict[str, Any]:
        """The whole journey, allowing access; the link must become active."""
        if name not in self.broker_logins:
            self.open_broker_account(name)
        self.start_link(name)
        self.answer_consent(name, "allow")
        link = self.deliver_answer(name)
        assert link is not None, f"{name}'s link was refused: {self.last_refusal}"
        self.linked[name] = link
        return link

    def renewed_since_linking(self, name: str) -> bool:
        """Whether QuantDesk has renewed ``name``'s access since the link was made (a
        renewal stores new tokens, which moves the link's ``updated_at``)."""
        link = self.link_of(name)
        assert link is not None, f"{name} has no brokerage link"
        return link["updated_at"] != self.linked[name]["updated_at"]

    def link_of(self, name: str) -> dict[str, Any] | None:
        """``name``'s link as the client sees it, or None when there is none."""
        try:
            with allure.step(f"Look at {name}'s brokerage link"):
                link = self.platform.link_of(self.client_id(name), token=self.token(name))
            self._saw(name, link)
            return link
        except ApiError as refusal:
            if refusal.code == "brokerage_not_linked":
                return None
            raise

    def read_account(self, name: str) -> dict[str, Any] | None:
        with allure.step(f"QuantDesk reads {name}'s brokerage account"):
            return self.attempt(
                lambda: self.platform.broker_account_of(
                    self.client_id(name), token=self.token(name)
                )
            )

    # -- funding ------------------------------------------------------------------------
    def deposit(
        self, name: str, amount: str, *, key: str | None = None, again: bool = False
    ) -> dict[str, Any] | None:
        """``again``: the same request sent once more, which answers the deposit made."""
        self.current = name
        with allure.step(f"{name} deposits {amount}" + (" (the request again)" if again else "")):
            return self.attempt(
                lambda: self.platform.deposit(
                    self.client_id(name),
                    amount_text(amount),
                    idempotency_key=key,
                    token=self.token(name),
                    again=again,
                )
            )

    def deposit_with_key(self, name: str, amount: str) -> dict[str, Any] | None:
        """A deposit sent with a request key (``Idempotency-Key``) kept for a later retry."""
        self.request_keys[name] = f"deposit-{secrets.token_hex(8)}"
        return self.deposit(name, amount, key=self.request_keys[name])

    def deposit_with_same_key(self, name: str, amount: str) -> dict[str, Any] | None:
        return self.deposit(name, amount, key=self.request_keys[name])

    def deposit_twice(self, name: str, amount: str) -> list[dict[str, Any] | None]:
        """The same deposit request sent twice (a retry after a lost answer)."""
        key = f"deposit-{secrets.token_hex(8)}"
        return [
            self.deposit(name, amount, key=key),
            self.deposit(name, amount, key=key, again=True),
        ]

    def deposits_of(self, name: str) -> list[dict[str, Any]]:
        with allure.step(f"Look at {name}'s deposits"):
            return self.platform.deposits_of(self.client_id(name), token=self.token(name))

    def cash_of(self, name: str) -> str:
        account = self.read_account(name)
        assert account is not None, (
            f"{name}'s brokerage account could not be read: {self.last_refusal}"
        )
        return account["cash"]
