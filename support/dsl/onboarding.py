"""Onboarding in business terms: register clients, look them up."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

import allure

from support.datasets import date_described, platform_today
from support.drivers.http import ApiError
from support.drivers.platform import PlatformDriver
from support.drivers.redaction import Redactor
from support.dsl.aliases import Aliases

# How the specification names registration details, and the contract's field names.
DETAILS = {
    "full name": "full_name",
    "email": "email",
    "date of birth": "date_of_birth",
    "country": "country",
    "risk tolerance": "risk_tolerance",
    "investment horizon": "investment_horizon_years",
    "password": "password",
}
FIELD_NAMES = {v: k for k, v in DETAILS.items()}

# The contract's problem codes, in the words of the specification.
PROBLEMS = {
    "required": "is missing",
    "invalid_email": "is not a valid email address",
    "invalid_date": "is not a date",
    "in_future": "is in the future",
    "under_age": "makes the client younger than 18",
    "invalid_choice": "is not one of the accepted values",
    "too_long": "is too long",
    "invalid_type": "is of the wrong kind",
    "unknown_field": "is not a registration detail",
    "unsupported_country": "is not a country we serve",
    "out_of_range": "is outside 1 to 50 years",
    "weak_password": "is not 12 to 128 characters long",
}

# Values the specification describes instead of spelling out: "200 characters long",
# "18 years ago today", "tomorrow" (dates are the platform's, which counts in UTC).
_LENGTH = re.compile(r"^(\d+) characters long$")


EMAIL_VARIANTS = {
    "in upper case": str.upper,
    "in mixed case": lambda e: "".join(c.upper() if i % 2 else c for i, c in enumerate(e)),
    "with surrounding spaces": lambda e: f"  {e}  ",
}


@dataclass
class Onboarding:
    platform: PlatformDriver
    aliases: Aliases
    redactor: Redactor
    clients: dict[str, dict[str, Any]] = field(default_factory=dict)
    passwords: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    session_lifetimes: dict[str, int] = field(default_factory=dict)
    last_refusal: ApiError | None = None

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
            key = DETAILS.get(label.strip().lower(), label)
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
        with allure.step(f"Register {name} as a client"):
            client = self.platform.register_client(details)
        self.clients[name] = client
        return client

    def attempt_registration(
        self, name: str, details: dict[str, Any], *, operator_key: str | None = None
    ) -> dict[str, Any] | None:
        """Register, remembering a refusal instead of raising it."""
        self.last_refusal = None
        try:
            with allure.step(f"Register {name} as a client"):
                client = self.platform.register_client(details, operator_key=operator_key)
        except ApiError as refusal:
            self.last_refusal = refusal
            return None
        self.clients[name] = client
        return client

    def attempt_garbled_registration(self, name: str) -> None:
        """A registration of ``name`` cut off in the middle, as a broken form would send it."""
        details = self.default_details(name)
        del details["password"]  # not even half a password into the evidence
        whole = json.dumps(details)
        self.last_refusal = None
        try:
            with allure.step(f"Send a registration of {name} cut off in the middle"):
                self.platform.register_client_text(whole[: len(whole) // 2])
        except ApiError as refusal:
            self.last_refusal = refusal

    def email_of(self, name: str, variant: str | None = None) -> str:
        email = self.clients[name]["email"] if name in self.clients else self.aliases.email(name)
        return EMAIL_VARIANTS[variant](email) if variant else email

    def record_of(self, name: str) -> dict[str, Any]:
        with allure.step(f"Look up {name}'s client record"):
            return self.platform.get_client(self.clients[name]["id"])

    def clients_with_email(self, email: str) -> list[dict[str, Any]]:
        with allure.step(f"Find clients registered with {email}"):
            return self.platform.find_clients(email)

    def sign_in(self, name: str, password: str | None = None) -> bool:
        """Sign ``name`` in; False (and the refusal remembered) if the platform refuses."""
        self.last_refusal = None
        password = self.password_of(name) if password is None else password
        self.redactor.remember(password)
        try:
            with allure.step(f"{name} signs in"):
                session = self.platform.sign_in(self.email_of(name), password)
        except ApiError as refusal:
            self.last_refusal = refusal
            return False
        self.tokens[name] = session["access_token"]
        self.session_lifetimes[name] = int(session["expires_in"])
        return True

    def own_record(self, name: str) -> dict[str, Any]:
        with allure.step(f"{name} looks at their own record"):
            return self.platform.own_record(self.tokens[name])

    def own_record_refusal(self, name: str) -> ApiError | None:
        """Why ``name``'s own record is refused to their sign-in (None if it is shown)."""
        try:
            self.own_record(name)
        except ApiError as refusal:
            return refusal
        return None

    def refusal_problems(self) -> dict[str, str]:
        """``{detail: problem}`` of the last refusal, in the specification's words."""
        assert self.last_refusal is not None, "the last registration was not refused"
        return {
            FIELD_NAMES.get(f, f): PROBLEMS.get(code, code)
            for f, code in self.last_refusal.field_problems.items()
        }
