"""Linking a client's brokerage account, in business terms.

A client links their account the way a person would: QuantDesk hands out the
brokerage's authorization URL, the person signs in and answers the consent page at the
brokerage, and their browser follows the brokerage's redirect back to QuantDesk. The
suite never sees QuantDesk's brokerage tokens; it sees only what a browser sees.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import allure

from support import glossary
from support.drivers.brokerage import BrowserResult
from support.drivers.brokerage_link import BrokerageLinkDriver
from support.dsl.brokerage import Brokerage
from support.dsl.onboarding import Onboarding
from support.dsl.outcomes import Expect, Outcomes


@dataclass
class BrokerageLink:
    driver: BrokerageLinkDriver
    onboarding: Onboarding
    brokerage: Brokerage
    outcomes: Outcomes
    started: dict[str, dict[str, Any]] = field(default_factory=dict)
    linked: dict[str, dict[str, Any]] = field(default_factory=dict)
    answers: dict[str, BrowserResult] = field(default_factory=dict)
    current: str | None = None  # the client whose link is being made
    seen: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def _ids(self, name: str) -> tuple[str, str]:
        return self.onboarding.client_id(name), self.onboarding.token(name)

    def _saw(self, name: str, answer: Any) -> None:
        if isinstance(answer, dict):
            self.seen.setdefault(name, []).append(answer)

    def start(self, name: str) -> dict[str, Any]:
        client_id, token = self._ids(name)
        with allure.step(f"{name} starts linking their brokerage account"):
            started = self.driver.start_link(client_id, token=token)
        self.started[name] = started
        self.current = name
        self._saw(name, started)
        return started

    def answer_consent(self, name: str, decision: str) -> BrowserResult:
        """At the brokerage, ``name`` allows or denies QuantDesk access."""
        answer = self.brokerage.consent(name, self.started[name]["authorization_url"], decision)
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
            link = self.outcomes.attempt(lambda: self.driver.follow_redirect(tampered), about=name)
        self._saw(name, link)
        return link

    def link(self, name: str) -> dict[str, Any]:
        """The whole journey, allowing access; the link must become active."""
        if not self.brokerage.has_account(name):
            self.brokerage.open_account(name)
        self.start(name)
        self.answer_consent(name, "allow")
        link = self.deliver_answer(name)
        assert link is not None, f"{name}'s link was refused: {self.outcomes.refusal}"
        self.linked[name] = link
        return link

    def link_answers(self, name: str) -> list[dict[str, Any]]:
        """Every answer QuantDesk gave about ``name``'s link in this scenario."""
        return self.seen.get(name, [])

    def link_of(self, name: str) -> dict[str, Any] | None:
        """``name``'s link as the client sees it, or None when there is none."""
        client_id, token = self._ids(name)
        with allure.step(f"Look at {name}'s brokerage link"):
            link = self.outcomes.attempt(lambda: self.driver.link_of(client_id, token=token))
        refusal = self.outcomes.refusal
        if link is None and refusal is not None and refusal.code != "brokerage_not_linked":
            raise refusal
        self._saw(name, link)
        return link

    def needs_authorisation_again(self, name: str) -> bool:
        """Whether ``name``'s link waits for the client to grant access again."""
        link = self.link_of(name)
        assert link is not None, f"{name} has no brokerage link"
        return link["status"] == glossary.REAUTH_REQUIRED

    def renewed_since_linking(self, name: str) -> bool:
        """Whether QuantDesk has renewed ``name``'s access since the link was made (a
        renewal stores new tokens, which moves the link's ``updated_at``)."""
        link = self.link_of(name)
        assert link is not None, f"{name} has no brokerage link"
        return link["updated_at"] != self.linked[name]["updated_at"]

    def read_account(self, name: str, *, expect: Expect = "either") -> dict[str, Any] | None:
        client_id, token = self._ids(name)
        with allure.step(f"QuantDesk reads {name}'s brokerage account"):
            return self.outcomes.attempt(
                lambda: self.driver.account_of(client_id, token=token),
                expect=expect,
                what=f"{name}'s brokerage account",
                about=name,
            )
