"""A batch's states: allowed moves, conflicts that name the state, expiry to the second."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from quantdesk.domain import batches as b


def test_a_batch_needing_approval_waits_for_it():
    assert b.first_state(True) == b.PENDING_APPROVAL
    assert b.first_state(False) == b.APPROVED


@pytest.mark.parametrize(
    ("state", "to"),
    [
        (b.PENDING_APPROVAL, b.APPROVED),
        (b.PENDING_APPROVAL, b.REJECTED),
        (b.APPROVED, b.EXECUTING),
        (b.EXECUTING, b.EXECUTED),
        (b.EXECUTING, b.APPROVED),
    ],
)
def test_allowed_moves(state, to):
    assert b.move(state, to, action="moved") == to


@pytest.mark.parametrize("state", sorted(b.FINAL))
def test_nothing_leaves_a_final_state_and_the_conflict_names_it(state):
    with pytest.raises(b.WrongState) as refused:
        b.move(state, b.APPROVED, action="approved")
    assert refused.value.state == state
    assert state.replace("_", " ") in str(refused.value)


def test_a_batch_is_not_executed_before_it_is_approved():
    with pytest.raises(b.WrongState):
        b.move(b.PENDING_APPROVAL, b.EXECUTING, action="executed")


def test_every_active_state_can_be_superseded_or_ends():
    assert b.ACTIVE.isdisjoint(b.FINAL)
    assert set(b.STATES) == set(b.MOVES) and all(m <= set(b.STATES) for m in b.MOVES.values())


@pytest.mark.parametrize(("seconds", "expired"), [(3599, False), (3600, True), (3601, True)])
def test_a_batch_lives_exactly_its_lifetime(seconds, expired):
    proposed = datetime(2026, 1, 5, 15, 0, tzinfo=UTC)
    now = proposed + timedelta(seconds=seconds)
    assert b.has_expired(proposed, timedelta(hours=1), now) is expired


def test_prices_of_yesterday_are_not_current_today():
    assert b.prices_are_current(date(2026, 1, 5), date(2026, 1, 5))
    assert not b.prices_are_current(date(2026, 1, 5), date(2026, 1, 6))


@pytest.mark.parametrize(
    ("filled", "outcome"), [(10, b.EXECUTED), (9, b.PARTIALLY_EXECUTED), (0, b.FAILED)]
)
def test_an_execution_ends_by_what_filled(filled, outcome):
    assert b.outcome(filled, 10) == outcome
