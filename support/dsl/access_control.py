"""Who may open which door of the platform, in business terms.

A door is named as the specification writes it: an action and a resource ("change
Alice's preferences", "read an operation"); the access matrix
(``support/drivers/access_control.py``) maps the name to the contract. Before anyone
tries a door, the platform is made to hold what the door is about (Alice's preferences
exist before Bob tries to change them; a load exists before its quarantine is read), so
that a door left open would show: Bob would be given the data, or would change it.
"""

from __future__ import annotations

import re
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

import allure
import pandas as pd

from support import datasets
from support.drivers.access_control import (
    DOORS,
    MATRIX,
    AccessDriver,
    Door,
    Values,
    Who,
    doors_of,
)
from support.drivers.http import ApiError, Forbidden, NotFound, Unauthenticated
from support.dsl.aliases import Aliases
from support.dsl.brokerage_link import BrokerageLink
from support.dsl.client_setup import ClientSetup
from support.dsl.feature_sets import FEATURE_SET
from support.dsl.funding import Funding
from support.dsl.model_training import ModelTraining
from support.dsl.onboarding import Onboarding
from support.dsl.outcomes import answer_or_refusal
from support.dsl.trading import Trading
from support.reporting import attach_text

_OWNED = re.compile(r"(?P<owner>[A-Z][\w-]*)'s (?P<resource>.+)")
# Who the scenarios never name but the platform must hold for some doors.
WOULD_BE_CLIENT = "Carol"
SOME_CLIENT = "Dana"
# How long an operator's small load may run in the background before a scenario gives up.
OPERATION_DEADLINE_S = 10.0


class Outcome(StrEnum):
    LET_IN = "let in"
    NOT_IDENTIFIED = "refused until the caller proves who they are"
    NOT_ALLOWED = "refused: the caller may not do that"
    NOT_FOUND = "told it does not exist"
    REFUSED_ON_ITS_MERITS = "refused for a reason about the request itself"


@dataclass(frozen=True)
class Answer:
    """How the platform answered a door: what happened, and the refusal's code and words."""

    outcome: Outcome
    code: str | None = None
    message: str | None = None

    @classmethod
    def of(cls, refusal: ApiError | None) -> Answer:
        if refusal is None:
            return cls(Outcome.LET_IN)
        outcome = {
            Unauthenticated: Outcome.NOT_IDENTIFIED,
            Forbidden: Outcome.NOT_ALLOWED,
            NotFound: Outcome.NOT_FOUND,
        }.get(type(refusal), Outcome.REFUSED_ON_ITS_MERITS)
        return cls(outcome, refusal.code, refusal.message)


# What a client owns once it trades.
# The model every model door of a run is tried on (see AccessControl._model).
_SHARED_MODEL: dict[str, Any] = {}
TRADING_RESOURCES = ("recommendation", "rebalance", "rebalances", "portfolio", "portfolio history")


def door_phrase_pattern() -> str:
    """A regular expression matching exactly the door names of the matrix, such as
    ``change Alice's preferences`` (any capitalised owner) or ``read an operation``."""
    phrases = []
    for door in MATRIX:
        resource = re.escape(door.resource)
        if door.who is Who.CLIENT_OWNER:
            resource = rf"[A-Z][\w-]*'s {resource}"
        phrases.append(rf"{re.escape(door.action)} {resource}")
    return "(?:" + "|".join(sorted(phrases, key=len, reverse=True)) + ")"


def resource_of(phrase: str) -> tuple[str | None, str]:
    """``"Alice's preferences"`` -> ``("Alice", "preferences")``; ``"an operation"`` ->
    ``(None, "an operation")``."""
    if any(d.resource == phrase and d.who is not Who.CLIENT_OWNER for d in MATRIX):
        return None, phrase
    match = _OWNED.fullmatch(phrase)
    if match and any(d.resource == match["resource"] for d in MATRIX):
        return match["owner"], match["resource"]
    raise AssertionError(f"the access matrix has no resource named {phrase!r}")


def door_named(phrase: str) -> tuple[Door, str]:
    """The door ``"change Alice's preferences"`` names, and its resource as written."""
    for door in MATRIX:
        if phrase.startswith(f"{door.action} "):
            resource = phrase.removeprefix(f"{door.action} ")
            owner, name = resource_of(resource)
            if name == door.resource and (owner is not None) == (door.who is Who.CLIENT_OWNER):
                return door, resource
    raise AssertionError(f"the access matrix has no door named {phrase!r}")


def _bars(symbol: str, first: int, count: int) -> pd.DataFrame:
    """``count`` plausible daily bars of ``symbol`` from the ``first``-th weekday of 2024."""
    sessions = pd.bdate_range("2024-01-02", periods=first + count)[first:]
    closes = [100 + 0.4 * (first + i) + (3 if (first + i) % 3 else -2) for i in range(count)]
    return pd.DataFrame(
        {
            "symbol": symbol,
            "session": sessions,
            "open": [c - 0.5 for c in closes],
            "high": [c + 1 for c in closes],
            "low": [c - 1 for c in closes],
            "close": closes,
            "volume": [1000 + 10 * i for i in range(count)],
        }
    )


@dataclass
class AccessControl:
    driver: AccessDriver
    onboarding: Onboarding
    client_setup: ClientSetup
    brokerage_link: BrokerageLink
    funding: Funding
    trading: Trading
    aliases: Aliases
    model_training: ModelTraining
    prepared: dict[str, dict[str, Any]] = field(default_factory=dict)
    door: Door | None = None
    resource: str | None = None
    values: Values = field(default_factory=dict)
    token: str | None = None
    answer: Answer | None = None
    shown_before: Any = None
    contract_doors: set[tuple[str, str]] = field(default_factory=set)
    _history: dict[str, Any] | None = None

    # -- callers --------------------------------------------------------------------------
    def sign_in_client(self, name: str) -> None:
        self.onboarding.register(name)
        self.onboarding.token(name)

    # -- what a door is about ---------------------------------------------------------
    def prepare(self, resource: str) -> Values:
        """Make the platform hold ``resource`` (once per scenario); the values its doors use."""
        if resource not in self.prepared:
            owner, name = resource_of(resource)
            with allure.step(f"The platform holds {resource}"):
                if owner is not None:
                    self.prepared[resource] = self._owned(owner, name)
                else:
                    self.prepared[resource] = self._unowned(name)
        return self.prepared[resource]

    def _owned(self, owner: str, name: str) -> dict[str, Any]:
        if owner not in self.onboarding.clients:
            self.onboarding.register(owner)
        values: dict[str, Any] = {"client_id": self.onboarding.client_id(owner)}
        if name == "preferences":
            symbol = "ACME"
            self.client_setup.market_data.hold_bars_of([symbol])
            self.client_setup.set_preferences(owner, {"universe": symbol}, expect="accepted")
            values["symbol"] = self.aliases.symbol(symbol)
        elif name == "strategy":
            self.client_setup.choose_strategy(owner, "equal_weight", expect="accepted")
        elif name in ("brokerage link", "brokerage account", "deposits"):
            self.brokerage_link.link(owner)
            if name == "deposits":
                self.funding.deposit(owner, "25.00 USD", expect="accepted")
        elif name in TRADING_RESOURCES:
            values.update(self._trading_client(owner, propose=name.startswith("rebalance")))
        return values

    def _trading_client(
        self, name: str, *, propose: bool, approval: bool = False
    ) -> dict[str, Any]:
        """An active client trading two symbols, with a proposed rebalance if ``propose``."""
        preferences = {"rebalance approval": "required"} if approval else {}
        self.trading.become_active(name, "10,000.00 USD", "ACME and BOLT", preferences)
        values: dict[str, Any] = {"client_id": self.onboarding.client_id(name)}
        if propose:
            values["batch_id"] = self.trading.propose(name, expect="accepted")["id"]
        return values

    def _unowned(self, name: str) -> dict[str, Any]:
        makers: dict[str, Callable[[], dict[str, Any]]] = {
            "a client's own record": lambda: self._client(SOME_CLIENT),
            "a client session": lambda: self._client(SOME_CLIENT),
            "the register of clients": self._would_be_client,
            "an operation": self._operation,
            "a client's daily loss limit": lambda: self._client(SOME_CLIENT),
            "a client's trading": lambda: self._client(SOME_CLIENT),
            "a client's injected faults": lambda: self._client(SOME_CLIENT),
            "a client's book": lambda: self._trading_client(SOME_CLIENT, propose=False),
            "a client's portfolio": lambda: self._trading_client(SOME_CLIENT, propose=False),
            "a client's rebalance": lambda: self._trading_client(
                SOME_CLIENT, propose=True, approval=True
            ),
            "the brokerage's answer to a link": lambda: {
                "state": secrets.token_urlsafe(32),
                "code": secrets.token_urlsafe(16),
            },
        }
        if name in makers:
            return makers[name]()
        if name.startswith(("a symbol's", "a market data load", "a feature set's")):
            return self._loaded_history()
        if name.startswith(("a model", "the registered models")):
            return self._model()
        # The platform's own pages, its limits and its feature sets are always there.
        return {"key": FEATURE_SET}

    def _client(self, name: str) -> dict[str, Any]:
        client = self.onboarding.clients.get(name) or self.onboarding.register(name)
        return {
            "client_id": client["id"],
            "email": self.onboarding.email_of(name),
            "password": self.onboarding.password_of(name),
        }

    def _would_be_client(self) -> dict[str, Any]:
        """Someone nobody has registered yet: the register must still not know them after."""
        return {
            "registration": self.onboarding.default_details(WOULD_BE_CLIENT),
            "email": self.onboarding.email_of(WOULD_BE_CLIENT),
        }

    def _loaded_history(self) -> dict[str, Any]:
        """One operator load per scenario: 60 daily bars of a symbol and a broken row set
        aside, so the load, its quarantine, bars, indicators and feature rows all exist."""
        if self._history is None:
            symbol = self.aliases.symbol("PROBE")
            bars = _bars(symbol, 0, 61)
            bars.loc[60, ["high", "low"]] = [90, 95]  # high below low: set aside
            run = self.driver.load_bars(datasets.to_csv(bars))
            assert run["rejected"] == 1, f"the load did not set one row aside: {run}"
            self._history = {
                "run_id": run["id"],
                "symbol": symbol,
                "symbols": [symbol],
                "key": FEATURE_SET,
                # What a load of the symbol would add: two later sessions.
                "csv": datasets.to_csv(_bars(symbol, 61, 2)),
            }
        return self._history

    def _model(self) -> dict[str, Any]:
        """A model with one version in production, and the request that would train its
        next version. Made once a run: its doors are tried only by callers who are
        refused, so no scenario changes it (an operator's read is all that touches it)."""
        if not _SHARED_MODEL:
            training = self.model_training
            training.market_data.load_history("SPX", "2018")
            training.train("Probe", "logistic regression", ["SPX"], date(2018, 3, 1),
                           date(2018, 12, 31))  # fmt: skip
            training.promote("Probe", 1, "production", "deploy it")
            _SHARED_MODEL.update({
                "name": training.name("Probe"),
                "version": 1,
                "alias": "production",
                "symbols": [training.symbol("SPX")],
                "training": training.request(
                    "Probe", "logistic regression", ["SPX"], date(2018, 3, 1),
                    date(2018, 12, 31),
                ),
            })  # fmt: skip
        return _SHARED_MODEL

    def _operation(self) -> dict[str, Any]:
        """A small load run in the background, finished (so it no longer changes)."""
        csv = datasets.to_csv(_bars(self.aliases.symbol("OPS"), 0, 3))
        operation = self.driver.load_bars(csv, as_operation=True)
        waited = 0.0
        while not operation["done"]:
            assert waited < OPERATION_DEADLINE_S, f"the operation did not finish: {operation}"
            time.sleep(0.02)
            waited += 0.02
            operation = self.driver.operation(operation["id"])
        return {"operation_id": operation["id"]}

    # -- trying a door ----------------------------------------------------------------
    def try_door(self, caller: str | None, phrase: str) -> Answer:
        """``caller`` (a signed-in client, or None: nobody signed in) tries the door."""
        door, resource = door_named(phrase)
        values = self.prepare(resource)
        token = self.onboarding.token(caller) if caller else None
        self.door, self.resource, self.values, self.token = door, resource, values, token
        self.shown_before = None if door.who is Who.PUBLIC else self.driver.shown_by(door, values)
        with allure.step(f"{caller or 'Someone who has not signed in'} tries to {phrase}"):
            self.answer = self._answer(lambda: self.driver.open(door, values, token=token))
        return self.answer

    @staticmethod
    def _answer(action: Callable[[], Any]) -> Answer:
        """The platform's answer, a refusal kept rather than raised."""
        answer = answer_or_refusal(action)
        return Answer.of(answer if isinstance(answer, ApiError) else None)

    def answer_for_missing_client(self) -> Answer:
        """The same door, asked by the same caller about a client that does not exist."""
        assert self.door is not None, "nobody has tried a door yet"
        door, token = self.door, self.token
        values = {**self.values, "client_id": f"cl_{uuid.uuid4().hex}"}
        with allure.step(f"The same is tried for a client that does not exist ({door})"):
            return self._answer(lambda: self.driver.open(door, values, token=token))

    def shown_now(self, resource: str) -> tuple[Any, Any]:
        """What the tried door is about, as an operator saw it before the try and sees now."""
        assert self.door is not None and resource == self.resource, (
            f"the last door tried was not about {resource}"
        )
        with allure.step(f"An operator looks at {resource} again"):
            return self.shown_before, self.driver.shown_by(self.door, self.values)

    # -- the matrix against the contract ----------------------------------------------
    def read_contract(self) -> None:
        with allure.step("Read the platform's OpenAPI document"):
            self.contract_doors = doors_of(self.driver.contract())
        attach_text("access matrix", matrix_text())

    def doors_without_row(self) -> list[str]:
        return sorted(f"{m} {p}" for m, p in self.contract_doors - set(DOORS))

    def rows_without_door(self) -> list[str]:
        """Rows the contract lacks (test controls are in it only where a target offers them)."""
        documented = {door.key for door in MATRIX if door.documented and not door.control}
        return sorted(f"{m} {p}" for m, p in documented - self.contract_doors)


def matrix_text() -> str:
    """The matrix as a table for the report: who may open each door."""
    width = max(len(str(door)) for door in MATRIX)
    lines = []
    for door in MATRIX:
        owner = "<client>'s " if door.who is Who.CLIENT_OWNER else ""
        lines.append(f"{door!s:<{width}}  {door.who:<12}  {door.action} {owner}{door.resource}")
    return "\n".join(lines)
