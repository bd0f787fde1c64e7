"""Funding a client's linked brokerage account through QuantDesk, in business terms."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

import allure

from support.drivers.funding import FundingDriver
from support.dsl.brokerage_link import BrokerageLink
from support.dsl.onboarding import Onboarding
from support.dsl.outcomes import Expect, Outcomes


def amount_text(words: str) -> str:
    """``"2,500.00 USD"`` -> ``"2500.00"`` (the contract's decimal string)."""
    return words.replace("USD", "").replace(",", "").strip()


@dataclass
class Funding:
    driver: FundingDriver
    onboarding: Onboarding
    brokerage_link: BrokerageLink
    outcomes: Outcomes
    request_keys: dict[str, str] = field(default_factory=dict)

    def deposit(
        self,
        name: str,
        amount: str,
        *,
        key: str | None = None,
        again: bool = False,
        expect: Expect = "either",
    ) -> dict[str, Any] | None:
        """``again``: the same request sent once more, which answers the deposit made."""
        client_id, token = self.onboarding.client_id(name), self.onboarding.token(name)
        with allure.step(f"{name} deposits {amount}" + (" (the request again)" if again else "")):
            return self.outcomes.attempt(
                lambda: self.driver.deposit(
                    client_id, amount_text(amount), idempotency_key=key, token=token, again=again
                ),
                expect=expect,
                what=f"{name}'s deposit of {amount}",
                about=name,
            )

    def deposit_with_key(self, name: str, amount: str) -> dict[str, Any] | None:
        """A deposit sent with a request key (``Idempotency-Key``) kept for a later retry."""
        self.request_keys[name] = f"deposit-{secrets.token_hex(8)}"
        return self.deposit(name, amount, key=self.request_keys[name], expect="accepted")

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
        client_id, token = self.onboarding.client_id(name), self.onboarding.token(name)
        with allure.step(f"Look at {name}'s deposits"):
            return self.driver.deposits_of(client_id, token=token)

    def cash_of(self, name: str) -> str:
        account = self.brokerage_link.read_account(name, expect="accepted")
        assert account is not None
        return account["cash"]
