"""Onboarding in business terms: register clients, sign them in, look them up, and follow
their onboarding checklist until they are active."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import allure

from support import glossary
from support.datasets import date_described, platform_today
from support.drivers.onboarding import OnboardingDriver
from support.drivers.redaction import Redactor
from support.dsl.aliases import Aliases
from support.dsl.outcomes import Expect, Outcomes

if TYPE_CHECKING:
    from support.dsl.brokerage_link import BrokerageLink
    from support.dsl.client_setup import ClientSetup
    from support.dsl.funding import Funding

# Values the specification describes instead of spelling out: "200 characters long",
# "18 years ago today", "tomorrow" (dates are the platform's, which counts in UTC).
_LENGTH = re.compile(r"^(\d+) characters long$")


# The steps of the onboarding checklist, in the specification's words.
STEPS = {
    "registered": "registered",
    "linked a brokerage account": "brokerage_linked",
    "set preferences": "preferences_set",
    "chosen a strategy": "strategy_chosen",
    "funded the account": "funded",
}

EMAIL_VARIANTS = {
    "in upper case": str.upper,
    "in mixed case": lambda e: "".join(c.upper() if i % 2 else c for i, c in enumerate(e)),
    "with surrounding spaces": lambda e: f"  {e}  ",
}


@dataclass
class Onboarding:
    driver: OnboardingDriver
    aliases: Aliases
    redactor: Redactor
    outcomes: Outcomes
    clients: dict[str, dict[str, Any]] = field(default_factory=dict)
    passwords: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    session_lifetimes: dict[str, int] = field(default_factory=dict)

    def password_of(self, name: str) -> str:
        """A fresh password per client and scenario, redacted from all evidence."""
        if name not in self.passwords:
            self.passwords[name] = f"pw-{secrets.token_urlsafe(15)}"
            self.redactor.remember(self.passwords[name])
        return self.passwords[name]

    def default_details(self, name: str) -> dict[str, Any]:
        return {
            "full_name": self.aliases.name(name),
            "email": self.aliases.email(name),
            "date_of_birth": "1985-04-12",
            "country": "GB",
            "risk_tolerance": "moderate",
            "investment_horizon_years": 10,
            "password": self.password_of(name),
        }

    def details_from(self, name: str, given: dict[str, str]) -> dict[str, Any]:
        """Defaults for ``name``, overridden by details named in the specification's words."""
        details = self.default_details(name)
        for label, value in given.items():
            key = glossary.field_named(label)
            details[key] = self._value(key, value)
        return details

    def _value(self, key: str, value: str) -> str:
        length = _LENGTH.match(value.strip())
        if length:  # exactly that many characters, still unique to this scenario
            text = f"{self.aliases.tag}{'x' * int(length[1])}"[: int(length[1])]
            if key == "password":
                self.redactor.remember(text)
            return text
        described = date_described(value, platform_today())
        if described is not None:
            return described.isoformat()
        if key == "full_name" and value:
            return f"{value} {self.aliases.tag}"
        return value

    def register(self, name: str, **overrides: Any) -> dict[str, Any]:
        details = {**self.default_details(name), **overrides}
        client = self.attempt_registration(name, details, expect="accepted")
        assert client is not None
        return client

    def attempt_registration(
        self,
        name: str,
        details: dict[str, Any],
        *,
        operator_key: str | None = None,
        expect: Expect = "either",
    ) -> dict[str, Any] | None:
        with allure.step(f"Register {name} as a client"):
            client = self.outcomes.attempt(
                lambda: self.driver.register_client(details, operator_key=operator_key),
                expect=expect,
                what=f"the registration of {name}",
                about=name,
            )
        if client is not None:
            self.clients[name] = client
        return client

    def attempt_garbled_registration(self, name: str) -> None:
        """A registration of ``name`` cut off in the middle, as a broken form would send it."""
        details = self.default_details(name)
        del details["password"]  # not even half a password into the evidence
        whole = json.dumps(details)
        with allure.step(f"Send a registration of {name} cut off in the middle"):
            self.outcomes.attempt(
                lambda: self.driver.register_client_text(whole[: len(whole) // 2]), about=name
            )

    def email_of(self, name: str, variant: str | None = None) -> str:
        email = self.clients[name]["email"] if name in self.clients else self.aliases.email(name)
        return EMAIL_VARIANTS[variant](email) if variant else email

    def record_of(self, name: str) -> dict[str, Any]:
        with allure.step(f"Look up {name}'s client record"):
            return self.driver.get_client(self.clients[name]["id"])

    def clients_with_email(self, email: str) -> list[dict[str, Any]]:
        with allure.step(f"Find clients registered with {email}"):
            return self.driver.find_clients(email)

    def client_id(self, name: str) -> str:
        return self.clients[name]["id"]

    def token(self, name: str) -> str:
        """``name``'s sign-in, signing them in first if they have not signed in yet."""
        if name not in self.tokens:
            self.sign_in(name, expect="accepted")
        return self.tokens[name]

    def sign_in(self, name: str, password: str | None = None, *, expect: Expect = "either") -> bool:
        """Sign ``name`` in; False (the refusal kept) if the platform refuses."""
        password = self.password_of(name) if password is None else password
        self.redactor.remember(password)
        with allure.step(f"{name} signs in"):
            session = self.outcomes.attempt(
                lambda: self.driver.sign_in(self.email_of(name), password),
                expect=expect,
                what=f"{name}'s sign-in",
                about=name,
            )
        if session is None:
            return False
        self.tokens[name] = session["access_token"]
        self.session_lifetimes[name] = int(session["expires_in"])
        return True

    def own_record(self, name: str, *, expect: Expect = "accepted") -> dict[str, Any] | None:
        with allure.step(f"{name} looks at their own record"):
            return self.outcomes.attempt(
                lambda: self.driver.own_record(self.tokens[name]),
                expect=expect,
                what=f"{name}'s own record",
                about=name,
            )


@dataclass
class OnboardingChecklist:
    """Where a client's onboarding stands, and what each client may see of it."""

    onboarding: Onboarding
    client_setup: ClientSetup
    brokerage_link: BrokerageLink
    funding: Funding
    outcomes: Outcomes

    def read(self, name: str, what: str, *, viewer: str | None = None) -> Any:
        """``name``'s ``what`` as ``viewer`` (default: ``name``) gets it; None if not found."""
        viewer = viewer or name
        client_id, token = self.onboarding.client_id(name), self.onboarding.token(viewer)
        readers = {
            "client record": self.onboarding.driver.get_client,
            "onboarding checklist": self.onboarding.driver.checklist_of,
            "brokerage link": self.brokerage_link.driver.link_of,
            "brokerage account": self.brokerage_link.driver.account_of,
            "preferences": self.client_setup.driver.preferences_of,
            "strategy": self.client_setup.driver.strategy_of,
            "deposits": self.funding.driver.deposits_of,
        }
        with allure.step(f"{viewer} asks for {name}'s {what}"):
            result = self.outcomes.attempt(lambda: readers[what](client_id, token=token))
        refusal = self.outcomes.refusal
        if result is None and refusal is not None and not self.outcomes.told_not_found():
            raise refusal
        return result

    def checklist(self, name: str) -> dict[str, Any]:
        view = self.read(name, "onboarding checklist")
        assert view is not None
        return view

    def checklist_from_each_step(self, name: str) -> dict[str, bool]:
        """The same checklist, asked of each step's own endpoint."""
        link = self.read(name, "brokerage link")
        return {
            "registered": self.read(name, "client record") is not None,
            "brokerage_linked": link is not None and link["status"] == "active",
            "preferences_set": self.read(name, "preferences") is not None,
            "strategy_chosen": self.read(name, "strategy") is not None,
            "funded": bool(self.read(name, "deposits")),
        }

    def shows_link_needs_authorisation_again(self, name: str) -> bool:
        """Whether ``name``'s checklist shows the link waiting for access to be granted again
        (so the link step is not done and the client is not active)."""
        shown = self.checklist(name)
        return (
            shown["brokerage_link"] == glossary.REAUTH_REQUIRED
            and shown["status"] == "registered"
            and shown["steps"]["brokerage_linked"] is False
        )

    def status_of(self, name: str) -> tuple[str, str]:
        """(status on the client record, status on the onboarding checklist)."""
        return self.read(name, "client record")["status"], self.checklist(name)["status"]

    def complete(self, name: str, *, skip: str | None = None) -> None:
        """Every onboarding step of ``name`` but ``skip`` (words of STEPS, not linking)."""
        if name not in self.onboarding.clients:
            self.onboarding.register(name)
        step = STEPS[skip] if skip else None
        assert step != "brokerage_linked", "funding needs a link: skip another step"
        symbols = ["ACME", "BOLT"]
        self.client_setup.market_data.hold_bars_of(symbols)
        self.brokerage_link.link(name)
        if step != "preferences_set":
            universe = {"universe": " and ".join(symbols)}
            self.client_setup.set_preferences(name, universe, expect="accepted")
        if step != "strategy_chosen":
            self.client_setup.choose_strategy(name, "equal_weight", expect="accepted")
        if step != "funded":
            self.funding.deposit(name, "5,000.00 USD", expect="accepted")
