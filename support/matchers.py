"""Custom pyhamcrest matchers."""

from __future__ import annotations

from typing import Any

from hamcrest.core.base_matcher import BaseMatcher
from hamcrest.core.description import Description


class AllChecksOk(BaseMatcher[dict[str, Any]]):
    """A readiness report whose named checks are all ``ok``."""

    def __init__(self, *names: str) -> None:
        self.names = names

    def _matches(self, item: dict[str, Any]) -> bool:
        return all(item.get(name) == "ok" for name in self.names)

    def describe_to(self, description: Description) -> None:
        description.append_text(f"checks {', '.join(self.names)} all ok")

    def describe_mismatch(self, item: dict[str, Any], description: Description) -> None:
        failing = {n: item.get(n, "missing") for n in self.names if item.get(n) != "ok"}
        description.append_text(f"failing checks: {failing}")


def all_checks_ok(*names: str) -> AllChecksOk:
    return AllChecksOk(*names)


def as_shown(value: Any) -> Any:
    """A detail as the platform shows it: whole numbers given as text become numbers."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return value
