"""Aliases: a Gherkin name such as "Alice" becomes a unique real name per scenario and run,
so scenarios never collide, run in parallel against one system and re-run without cleanup."""

from __future__ import annotations

import re
import secrets


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "x"


class Aliases:
    def __init__(self, tag: str | None = None) -> None:
        self.tag = tag or secrets.token_hex(4)
        self._names: dict[str, str] = {}

    def name(self, alias: str) -> str:
        """``"Alice"`` -> ``"Alice 3f9c2a1b"``: stable within the scenario, unique across them."""
        key = alias.strip()
        if key not in self._names:
            self._names[key] = f"{key} {self.tag}"
        return self._names[key]

    def email(self, alias: str) -> str:
        """``"Alice"`` -> ``"alice-3f9c2a1b@example.com"``."""
        return f"{_slug(alias)}-{self.tag}@example.com"

    def username(self, alias: str) -> str:
        """``"Alice"`` -> ``"alice-3f9c2a1b"``: a sign-in name at another system (the broker)."""
        return f"{_slug(alias)}-{self.tag}"

    def symbol(self, alias: str) -> str:
        """``"SPX"`` -> ``"SPX_3F9C2A1B"``: a ticker of this scenario only (upper case)."""
        key = f"symbol:{alias.strip().upper()}"
        if key not in self._names:
            self._names[key] = f"{re.sub(r'[^A-Z0-9]+', '_', key[7:])}_{self.tag.upper()}"
        return self._names[key]

    def model(self, alias: str) -> str:
        """``"Direction"`` -> ``"direction-3f9c2a1b"``: a model name of this scenario only."""
        return f"{_slug(alias)}-{self.tag}"

    def known(self) -> dict[str, str]:
        return dict(self._names)

    def ticker(self, alias: str, tradable: list[str]) -> str:
        """``"ACME"`` -> the first of the brokerage's ``tradable`` tickers this scenario has
        not given another alias. Scenarios share tickers on purpose: what they trade and at
        what price is their own account's, and the platform's bars of a ticker are loaded
        once a run."""
        key = f"ticker:{alias.strip().upper()}"
        if key not in self._names:
            taken = {v for k, v in self._names.items() if k.startswith("ticker:")}
            self._names[key] = next(t for t in tradable if t not in taken)
        return self._names[key]

    def alias_of_ticker(self, ticker: str) -> str:
        """The alias a ticker stands for in this scenario (the ticker itself if none)."""
        for key, value in self._names.items():
            if key.startswith("ticker:") and value == ticker:
                return key.removeprefix("ticker:")
        return ticker
