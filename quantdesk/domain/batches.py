"""The life of a rebalance batch (pure): its states and the moves between them.

```
proposed ──► pending_approval ──► approved ──► executing ──► executed
   │               │    │            │  ▲          │    ├──► partially_executed
   │               │    │            │  └──────────┘    └──► failed
   │               ▼    ▼            ▼   (nothing sent:
   └──────────► rejected expired  expired  the brokerage was unavailable)
(any state before executing) ──► superseded (a newer proposal for the client)
```

A batch that needs no approval goes from ``proposed`` straight to ``approved``. Acting
on a batch in a state that does not allow the action is a conflict that names the
state. A batch is executable only on the trading day its prices are from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

PROPOSED = "proposed"
PENDING_APPROVAL = "pending_approval"
APPROVED = "approved"
REJECTED = "rejected"
EXPIRED = "expired"
SUPERSEDED = "superseded"
EXECUTING = "executing"
EXECUTED = "executed"
PARTIALLY_EXECUTED = "partially_executed"
FAILED = "failed"

MOVES: dict[str, frozenset[str]] = {
    PROPOSED: frozenset({PENDING_APPROVAL, APPROVED, SUPERSEDED}),
    PENDING_APPROVAL: frozenset({APPROVED, REJECTED, EXPIRED, SUPERSEDED}),
    APPROVED: frozenset({EXECUTING, EXPIRED, SUPERSEDED}),
    EXECUTING: frozenset({EXECUTED, PARTIALLY_EXECUTED, FAILED, APPROVED}),
    REJECTED: frozenset(),
    EXPIRED: frozenset(),
    SUPERSEDED: frozenset(),
    EXECUTED: frozenset(),
    PARTIALLY_EXECUTED: frozenset(),
    FAILED: frozenset(),
}
STATES = tuple(MOVES)
FINAL = frozenset(state for state, moves in MOVES.items() if not moves)
# A batch in one of these states is the client's active proposal: one at a time.
ACTIVE = frozenset({PROPOSED, PENDING_APPROVAL, APPROVED, EXECUTING})


class WrongState(Exception):
    """The action is not allowed in the batch's current state."""

    def __init__(self, state: str, action: str) -> None:
        super().__init__(f"The batch is {state.replace('_', ' ')}: it cannot be {action}.")
        self.state = state
        self.action = action


@dataclass(frozen=True)
class Transition:
    """One line of a batch's audit trail."""

    from_state: str
    to_state: str
    at: datetime
    by: str
    reason: str | None = None


def move(state: str, to: str, *, action: str) -> str:
    """``to`` when the batch may go there from ``state``; ``WrongState`` otherwise."""
    if to not in MOVES.get(state, frozenset()):
        raise WrongState(state, action)
    return to


def first_state(approval_required: bool) -> str:
    return PENDING_APPROVAL if approval_required else APPROVED


def expires_at(proposed_at: datetime, lifetime: timedelta) -> datetime:
    return proposed_at + lifetime


def has_expired(proposed_at: datetime, lifetime: timedelta, now: datetime) -> bool:
    """A batch lives exactly its lifetime: at ``proposed_at + lifetime`` it has expired."""
    return now >= expires_at(proposed_at, lifetime)


def prices_are_current(priced_on: date, today: date) -> bool:
    """A batch priced on another day must be proposed afresh before it is executed."""
    return priced_on == today


def outcome(filled: int, ordered: int) -> str:
    """How an execution ends from the shares filled of the shares ordered."""
    if ordered <= 0:
        raise ValueError("an execution orders at least one share")
    if filled == ordered:
        return EXECUTED
    return PARTIALLY_EXECUTED if filled > 0 else FAILED
