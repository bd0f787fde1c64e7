"""The simulated brokerage as a party in the scenarios: the accounts people hold there,
its sign-in and consent pages, its clock, its outages and its other test controls."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

import allure

from support.drivers.brokerage import BrokerageDriver, BrowserResult
from support.dsl.aliases import Aliases

# The simulated brokerage's token lifetimes (RFC 6749 access and refresh tokens).
ACCESS_TOKEN_TTL_SECONDS = 1800
REFRESH_TOKEN_TTL_SECONDS = 7 * 24 * 3600
# The states of an order the brokerage may still fill (Alpaca's vocabulary).
OPEN_ORDER_STATES = ("new", "accepted", "partially_filled")


@dataclass
class Brokerage:
    driver: BrokerageDriver
    aliases: Aliases
    cleanups: list[Callable[[], None]]
    # False on a target without a brokerage the suite can reach.
    reachable: bool = True
    logins: dict[str, tuple[str, str]] = field(default_factory=dict)
    account_ids: dict[str, str] = field(default_factory=dict)
    # What the scenario has set of each account's terms (commission, fill ratio).
    terms: dict[str, dict[str, str]] = field(default_factory=dict)

    def _controls(self) -> BrokerageDriver:
        assert self.reachable, "this target has no brokerage to control"
        return self.driver

    # -- people's accounts ----------------------------------------------------------------
    def open_account(self, name: str) -> None:
        username = self.aliases.username(name)
        password = f"bk-{secrets.token_urlsafe(15)}"
        with allure.step(f"{name} opens an account at the brokerage"):
            made = self.driver.sign_up(username, password)
        self.logins[name] = (username, password)
        self.account_ids[name] = made["account"]["id"]

    def has_account(self, name: str) -> bool:
        return name in self.logins

    def consent(self, name: str, authorization_url: str, decision: str) -> BrowserResult:
        """At the brokerage's page: sign in with the brokerage login and press the button."""
        username, password = self.logins[name]
        with allure.step(f"{name} signs in at the brokerage and chooses {decision}"):
            form = self.driver.open_consent_page(authorization_url)
            answer = self.driver.submit(form, decision, username=username, password=password)
        assert answer.redirect, f"the brokerage did not send {name} back: {answer.page_error}"
        return answer

    def withdraw_access(self, name: str) -> None:
        with allure.step(f"The brokerage withdraws every access {name} granted"):
            self._controls().revoke_tokens_of(self.logins[name][0])

    # -- its clock and its outages ----------------------------------------------------------
    def advance_clock(self, seconds: float) -> None:
        with allure.step(f"The brokerage's clock moves {seconds:.0f} s on"):
            self._controls().advance_clock(seconds)

    def go_down(self, *, unreachable: bool = False) -> None:
        """``unreachable``: not even the brokerage's health check answers."""
        with allure.step("The brokerage goes down"):
            self._controls().set_outage(True, health=unreachable)
        # never leave the shared brokerage down, whatever the scenario does next
        self.cleanups.append(lambda: self.driver.set_outage(False))

    def come_back(self) -> None:
        with allure.step("The brokerage is back"):
            self._controls().set_outage(False)

    def feed_is_slow(self, milliseconds: int = 300) -> None:
        with allure.step(f"Make the brokerage's feed answer in {milliseconds} ms"):
            self._controls().set_feed_latency(milliseconds)
        self.cleanups.append(lambda: self.driver.set_feed_latency(0))

    # -- its trading desk --------------------------------------------------------------------
    def set_closes(self, name: str, closes: dict[str, str]) -> None:
        """The closes of ``name``'s account today, ``{ticker: "40.00"}`` (other accounts keep
        the market's)."""
        listed = ", ".join(f"{s} {p}" for s, p in closes.items())
        with allure.step(f"Today {name}'s brokerage account trades at closes {listed}"):
            self._controls().set_closes(self.account_ids[name], closes)

    def next_session(self, name: str, sessions: int = 1) -> None:
        with allure.step(f"{name}'s brokerage account moves {sessions} session(s) on"):
            self._controls().advance_session(self.account_ids[name], sessions)

    def orders_received(self, name: str) -> list[dict[str, object]]:
        """Every order the brokerage received for ``name``'s account, as its books have them."""
        with allure.step(f"The brokerage's books of {name}'s orders"):
            return self._controls().orders_of(self.account_ids[name])

    def fail_next_orders(self, name: str, count: int) -> None:
        with allure.step(f"The brokerage fails the next {count} order call(s) of {name}"):
            self._controls().set_desk_faults(self.account_ids[name], fail_next=count)

    def desk_down(self, name: str, *, after_orders: int = 0) -> None:
        """Every trading call of ``name``'s account fails (an outage), from now or once
        ``after_orders`` more orders are placed."""
        faults = {"outage_after_orders": after_orders} if after_orders else {"outage": True}
        with allure.step(f"The brokerage's trading desk goes down for {name}"):
            self._controls().set_desk_faults(self.account_ids[name], **faults)

    def slow_orders(self, name: str, milliseconds: int) -> None:
        with allure.step(f"The brokerage takes {milliseconds} ms over each of {name}'s orders"):
            self._controls().set_desk_faults(self.account_ids[name], delay_ms=milliseconds)

    def desk_back(self, name: str) -> None:
        with allure.step(f"The brokerage's trading desk is back for {name}"):
            self._controls().set_desk_faults(self.account_ids[name])

    def charge_commission(
        self, name: str, per_share: str = "0", minimum: str = "0", per_order: str = "0"
    ) -> None:
        """The commission ``name``'s account pays: ``per_share`` a share with a ``minimum``,
        plus ``per_order``."""
        with allure.step(
            f"The brokerage charges {name} {per_share} a share, at least {minimum}, "
            f"plus {per_order} an order"
        ):
            self._set_terms(
                name,
                commission_per_share=per_share,
                commission_minimum=minimum,
                commission_per_order=per_order,
            )

    def open_orders_of(self, name: str) -> list[dict[str, object]]:
        return [o for o in self.orders_received(name) if o["status"] in OPEN_ORDER_STATES]

    def fill_only(self, name: str, ratio: str) -> None:
        """Each of ``name``'s orders fills only ``ratio`` ("0.5") of what is left, at a close."""
        with allure.step(f"The brokerage fills only {ratio} of each of {name}'s orders"):
            self._set_terms(name, fill_ratio=ratio)

    def _set_terms(self, name: str, **terms: str) -> None:
        """The account's terms, keeping what earlier steps set (the control replaces them
        all)."""
        self.terms.setdefault(name, {}).update(terms)
        self._controls().set_terms(self.account_ids[name], **self.terms[name])

    def reject_orders_of(self, name: str, ticker: str, reason: str) -> None:
        with allure.step(f"The brokerage rejects {name}'s orders of {ticker}: {reason}"):
            self._controls().set_rejections(self.account_ids[name], symbols=[ticker], reason=reason)

    def lose_next_answer(self, name: str) -> None:
        """The brokerage places ``name``'s next order, then its answer is lost on the way."""
        with allure.step(f"The brokerage will place {name}'s next order and lose its answer"):
            self._controls().set_desk_faults(self.account_ids[name], lose_next=1)
