"""One way to try something the platform may refuse.

The expected outcome is a parameter of the action (after LMAX's Simple-DSL): an action
that must be accepted fails the scenario with the refusal, one that must be refused fails
it when accepted, and one whose outcome a later step judges keeps the refusal here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

from support import glossary
from support.drivers.http import ApiError, NotFound

T = TypeVar("T")
Expect = Literal["accepted", "refused", "either"]


def answer_or_refusal(action: Callable[[], T]) -> T | ApiError:
    """The answer of ``action``, or the refusal it met (for outcomes judged together, such
    as simultaneous requests)."""
    try:
        return action()
    except ApiError as refusal:
        return refusal


@dataclass
class Outcomes:
    """The last refusal of a scenario, and the client it was about."""

    refusal: ApiError | None = None
    about: str | None = None

    def attempt(
        self,
        action: Callable[[], T],
        *,
        expect: Expect = "either",
        what: str = "the request",
        about: str | None = None,
    ) -> T | None:
        """Run ``action``: its answer, or None when refused (the refusal kept)."""
        self.refusal, self.about = None, about
        answer = answer_or_refusal(action)
        if isinstance(answer, ApiError):
            if expect == "accepted":
                raise AssertionError(f"{what} was refused: {answer}") from answer
            self.refusal = answer
            return None
        if expect == "refused":
            raise AssertionError(f"{what} was accepted: {answer!r}")
        return answer

    def last_refusal(self, what: str = "the request") -> ApiError:
        """The refusal of the last attempt, which must have been refused."""
        assert self.refusal is not None, f"{what} was accepted"
        return self.refusal

    def stated_reason(self, what: str = "the request") -> str:
        """The reason the platform gave for the last refusal in its own words, if any."""
        return str(self.last_refusal(what).details.get("reason", ""))

    def told_not_found(self) -> bool:
        """Whether the last attempt was told that what it asked for does not exist."""
        return isinstance(self.refusal, NotFound)

    def assert_refused_because(self, words: str) -> None:
        """The last attempt was refused for this reason alone, as the specification words it."""
        expected = glossary.check_reason(words)
        reasons = glossary.reasons_of(self.last_refusal(), self.about)
        assert reasons == [expected], f"refused because {reasons}, not because {expected!r}"

    def assert_refused_listing(self, problems: dict[str, str]) -> None:
        """The last attempt was refused for exactly these ``{field: problem}`` (in words)."""
        expected = glossary.check_problems(problems)
        shown = glossary.problems_of(self.last_refusal())
        assert shown == expected, f"refused listing {shown}, not {expected}"
