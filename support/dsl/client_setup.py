"""Portfolio preferences, strategy choice and the onboarding checklist in business terms."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import allure
import pandas as pd

from support import datasets
from support.drivers.http import NotFound
from support.dsl.brokerage import Brokerage
from support.dsl.market_data import MarketData

# How the specification names preferences, and the contract's field names.
PREFERENCES = {
    "universe": "universe",
    "excluded": "excluded",
    "maximum position weight": "max_position_weight",
    "cash buffer": "cash_buffer",
    "rebalance approval": "approval_required",
}
PREFERENCE_NAMES = {v: k for k, v in PREFERENCES.items()}
PREFERENCE_PROBLEMS = {
    "required": "is missing",
    "no_market_data": "has no market data",
    "out_of_range": "is out of range",
    "invalid_number": "is not a number",
    "invalid_symbol": "is not a list of symbols",
    "excludes_everything": "leaves nothing to trade",
}
AMOUNT_PROBLEMS = {
    "out_of_range": "is out of range",
    "too_precise": "has more than 2 decimal places",
    "invalid_number": "is not a number",
    "required": "is missing",
    "idempotency_key_reused": "was used for another deposit",
}
# The deposit's fields in the specification's words.
DEPOSIT_FIELDS = {"Idempotency-Key": "request key"}
STRATEGY_PROBLEMS = {"unknown_model": "is not a registered model", "required": "is missing"}
STEPS = {
    "registered": "registered",
    "linked a brokerage account": "brokerage_linked",
    "set preferences": "preferences_set",
    "chosen a strategy": "strategy_chosen",
    "funded the account": "funded",
}
_PERCENT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*%\s*$")


def fraction_text(words: str) -> str:
    """``"25 %"`` -> ``"0.25"``; anything else is sent as written (to be refused)."""
    match = _PERCENT.match(words)
    if not match:
        return words
    return format((Decimal(match[1]) / 100).normalize(), "f")


def percent_text(fraction: str) -> str:
    """``"0.25"`` -> ``"25 %"``, as the specification writes weights."""
    try:
        value = (Decimal(fraction) * 100).normalize()
    except InvalidOperation:
        return fraction
    return f"{format(value, 'f')} %"


def symbol_list(words: str) -> list[str]:
    """``"ACME, BOLT and CRUX"`` -> ``["ACME", "BOLT", "CRUX"]``."""
    return [s for s in re.split(r"\s*(?:,|\band\b)\s*", words.strip()) if s]


@dataclass
class ClientSetup:
    brokerage: Brokerage
    market_data: MarketData

    @property
    def onboarding(self) -> Any:
        return self.brokerage.onboarding

    def _ids(self, name: str) -> tuple[str, str]:
        return self.brokerage.client_id(name), self.brokerage.token(name)

    # -- market data the preferences refer to -----------------------------------------
    def has_market_data(self, symbols: list[str]) -> None:
        """A few daily bars of each symbol (aliased), loaded in one operator upload."""
        sessions = ["2024-03-04", "2024-03-05", "2024-03-06"]
        bars = pd.DataFrame(
            [
                {
                    "symbol": self.market_data.aliases.symbol(symbol),
                    "session": session,
                    "open": 100 + i,
                    "high": 101 + i,
                    "low": 99 + i,
                    "close": 100.5 + i,
                    "volume": 1000 + 100 * i,
                }
                for symbol in symbols
                for i, session in enumerate(sessions)
            ]
        )
        with allure.step(f"The platform has market data for {', '.join(symbols)}"):
            run = self.market_data.driver.ingest_csv(
                datasets.to_csv(bars), kind="full", source="operator"
            )
        assert run["status"] == "succeeded", run

    # -- preferences --------------------------------------------------------------------
    def preferences_from(self, given: dict[str, str]) -> dict[str, Any]:
        """The contract's preferences from the specification's words (symbols aliased)."""
        body: dict[str, Any] = {}
        for label, value in given.items():
            key = PREFERENCES.get(label.strip().lower(), label)
            if key in ("universe", "excluded"):
                body[key] = [self.market_data.aliases.symbol(s) for s in symbol_list(value)]
            elif key == "approval_required":
                body[key] = {"required": True, "not required": False}.get(value.strip(), value)
            else:
                body[key] = fraction_text(value)
        return body

    def set_preferences(self, name: str, given: dict[str, str]) -> dict[str, Any] | None:
        client_id, token = self._ids(name)
        body = self.preferences_from(given)
        with allure.step(f"{name} sets their portfolio preferences"):
            return self.brokerage.attempt(
                lambda: self.brokerage.platform.set_preferences(client_id, body, token=token)
            )

    def preferences_shown(self, name: str) -> dict[str, str] | None:
        """``name``'s stored preferences in the specification's words (None if unset)."""
        prefs = self._read(name, "preferences")
        if prefs is None:
            return None
        unalias = {
            real: key.removeprefix("symbol:")
            for key, real in self.market_data.aliases.known().items()
            if key.startswith("symbol:")
        }
        return {
            "universe": ", ".join(unalias.get(s, s) for s in prefs["universe"]),
            "excluded": ", ".join(unalias.get(s, s) for s in prefs["excluded"]),
            "tradable": ", ".join(unalias.get(s, s) for s in prefs["tradable"]),
            "maximum position weight": percent_text(prefs["max_position_weight"]),
            "cash buffer": percent_text(prefs["cash_buffer"]),
            "rebalance approval": "required" if prefs["approval_required"] else "not required",
        }

    def refusal_problems(self, names: dict[str, str], problems: dict[str, str]) -> dict[str, str]:
        refusal = self.brokerage.last_refusal
        assert refusal is not None, "the request was accepted"
        return {names.get(f, f): problems.get(c, c) for f, c in refusal.field_problems.items()}

    # -- strategy -----------------------------------------------------------------------
    def choose_strategy(self, name: str, strategy: str, model: str | None = None) -> Any:
        client_id, token = self._ids(name)
        choice: dict[str, Any] = {"strategy": strategy}
        if model is not None:
            choice["model_alias"] = self.brokerage.aliases.name(model)
        with allure.step(f"{name} chooses the {strategy} strategy"):
            return self.brokerage.attempt(
                lambda: self.brokerage.platform.choose_strategy(client_id, choice, token=token)
            )

    # -- reading, as the client -----------------------------------------------------------
    def _read(self, name: str, what: str, *, viewer: str | None = None) -> Any:
        """``name``'s ``what`` as ``viewer`` (default: ``name``) gets it; None if not found."""
        viewer = viewer or name
        client_id, token = self.brokerage.client_id(name), self.brokerage.token(viewer)
        p = self.brokerage.platform
        readers = {
            "client record": lambda: p.get_client(client_id, token=token),
            "brokerage link": lambda: p.link_of(client_id, token=token),
            "brokerage account": lambda: p.broker_account_of(client_id, token=token),
            "preferences": lambda: p.preferences_of(client_id, token=token),
            "strategy": lambda: p.strategy_of(client_id, token=token),
            "deposits": lambda: p.deposits_of(client_id, token=token),
            "onboarding checklist": lambda: p.onboarding_of(client_id, token=token),
        }
        with allure.step(f"{viewer} asks for {name}'s {what}"):
            result = self.brokerage.attempt(readers[what])
        refusal = self.brokerage.last_refusal
        if result is None and refusal is not None and not isinstance(refusal, NotFound):
            raise refusal
        return result

    def told_not_found(self) -> bool:
        return isinstance(self.brokerage.last_refusal, NotFound)

    def deposit_refusal(self) -> str:
        """Why the last deposit was refused, in the specification's words."""
        refusal = self.brokerage.last_refusal
        assert refusal is not None, "the deposit was made"
        if refusal.field_problems:
            return "; ".join(
                f"the {DEPOSIT_FIELDS.get(field, field)} {AMOUNT_PROBLEMS.get(code, code)}"
                for field, code in refusal.field_problems.items()
            )
        return self.brokerage.refusal_reason()

    def read_as(self, viewer: str, subject: str, what: str) -> Any:
        return self._read(subject, what, viewer=viewer)

    def checklist(self, name: str) -> dict[str, Any]:
        view = self._read(name, "onboarding checklist")
        assert view is not None
        return view

    def checklist_from_each_step(self, name: str) -> dict[str, bool]:
        """The same checklist, asked of each step's own endpoint."""
        link = self._read(name, "brokerage link")
        return {
            "registered": self._read(name, "client record") is not None,
            "brokerage_linked": link is not None and link["status"] == "active",
            "preferences_set": self._read(name, "preferences") is not None,
            "strategy_chosen": self._read(name, "strategy") is not None,
            "funded": bool(self._read(name, "deposits")),
        }

    def status_of(self, name: str) -> tuple[str, str]:
        """(status on the client record, status on the onboarding checklist)."""
        return self._read(name, "client record")["status"], self.checklist(name)["status"]

    def complete_onboarding(self, name: str, *, skip: str | None = None) -> None:
        """Every onboarding step of ``name`` but ``skip`` (words of STEPS, not linking)."""
        if name not in self.onboarding.clients:
            self.onboarding.register(name)
        step = STEPS[skip] if skip else None
        assert step != "brokerage_linked", "funding needs a link: skip another step"
        symbols = ["ACME", "BOLT"]
        self.has_market_data(symbols)
        self.brokerage.link(name)
        if step != "preferences_set":
            assert self.set_preferences(name, {"universe": " and ".join(symbols)}) is not None
        if step != "strategy_chosen":
            assert self.choose_strategy(name, "equal_weight") is not None
        if step != "funded":
            assert self.brokerage.deposit(name, "5,000.00 USD") is not None
