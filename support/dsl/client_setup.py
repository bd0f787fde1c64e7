"""A client's portfolio preferences and strategy choice, in business terms."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import allure

from support import glossary
from support.datasets import symbol_list
from support.drivers.client_setup import ClientSetupDriver
from support.dsl.market_data import MarketData
from support.dsl.onboarding import Onboarding
from support.dsl.outcomes import Expect, Outcomes

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


@dataclass
class ClientSetup:
    driver: ClientSetupDriver
    onboarding: Onboarding
    market_data: MarketData
    outcomes: Outcomes

    def _as(self, name: str, viewer: str | None = None) -> tuple[str, str]:
        """``name``'s client id and the sign-in of ``viewer`` (default: ``name``)."""
        return self.onboarding.client_id(name), self.onboarding.token(viewer or name)

    # -- preferences --------------------------------------------------------------------
    def preferences_from(
        self, given: dict[str, str], symbol_of: Callable[[str], str] | None = None
    ) -> dict[str, Any]:
        """The contract's preferences from the specification's words; symbols aliased by
        ``symbol_of`` (default: a ticker of this scenario only)."""
        symbol_of = symbol_of or self.market_data.aliases.symbol
        body: dict[str, Any] = {}
        for label, value in given.items():
            key = glossary.field_named(label)
            if key in ("universe", "excluded"):
                body[key] = [symbol_of(s) for s in symbol_list(value)]
            elif key == "approval_required":
                body[key] = {"required": True, "not required": False}.get(value.strip(), value)
            else:
                body[key] = fraction_text(value)
        return body

    def set_preferences(
        self,
        name: str,
        given: dict[str, str],
        *,
        expect: Expect = "either",
        symbol_of: Callable[[str], str] | None = None,
    ) -> dict[str, Any] | None:
        client_id, token = self._as(name)
        body = self.preferences_from(given, symbol_of)
        with allure.step(f"{name} sets their portfolio preferences"):
            return self.outcomes.attempt(
                lambda: self.driver.set_preferences(client_id, body, token=token),
                expect=expect,
                what=f"{name}'s preferences",
                about=name,
            )

    def preferences_of(self, name: str) -> dict[str, Any] | None:
        """``name``'s preferences as they see them; None when they have none."""
        return self._read(name, "preferences", self.driver.preferences_of)

    def strategy_of(self, name: str) -> dict[str, Any] | None:
        """``name``'s strategy as they see it; None when they have not chosen one."""
        return self._read(name, "strategy", self.driver.strategy_of)

    def _read(self, name: str, what: str, reader: Any) -> Any:
        client_id, token = self._as(name)
        with allure.step(f"{name} looks at their {what}"):
            found = self.outcomes.attempt(lambda: reader(client_id, token=token), about=name)
        refusal = self.outcomes.refusal
        if found is None and refusal is not None and not self.outcomes.told_not_found():
            raise refusal
        return found

    def preferences_shown(self, name: str) -> dict[str, str] | None:
        """``name``'s stored preferences in the specification's words (None if unset)."""
        prefs = self.preferences_of(name)
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

    # -- strategy -----------------------------------------------------------------------
    def choose_strategy(
        self, name: str, strategy: str, model: str | None = None, *, expect: Expect = "either"
    ) -> Any:
        client_id, token = self._as(name)
        choice: dict[str, Any] = {"strategy": strategy}
        if model is not None:
            choice["model_alias"] = model_reference(self.onboarding.aliases, model)
        with allure.step(f"{name} chooses the {strategy} strategy"):
            return self.outcomes.attempt(
                lambda: self.driver.choose_strategy(client_id, choice, token=token),
                expect=expect,
                what=f"{name}'s choice of strategy",
                about=name,
            )


def model_reference(aliases: Any, model: str) -> str:
    """``"Direction"`` or ``"Direction's staging version"`` as the strategy names it:
    the scenario's model name, with its alias when one is named (production otherwise)."""
    name, _, alias = model.partition("'s ")
    alias = alias.removesuffix(" version")
    return aliases.model(name) + (f"@{alias}" if alias else "")
