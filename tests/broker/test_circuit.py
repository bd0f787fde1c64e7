"""The circuit breaker in front of the brokerage's trading desk, on the platform's clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from quantdesk.broker.circuit import BrokerageCircuit
from quantdesk.clock import SystemClock
from quantdesk.errors import BrokerageUnavailable, ValidationFailed

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


class Desk:
    def __init__(self) -> None:
        self.calls = 0
        self.down = True

    def __call__(self) -> str:
        self.calls += 1
        if self.down:
            raise BrokerageUnavailable("down")
        return "answered"


@pytest.fixture
def clock():
    clock = SystemClock()
    clock.stop_at(T0)
    return clock


def fail(circuit: BrokerageCircuit, desk: Desk, times: int) -> None:
    for _ in range(times):
        with pytest.raises(BrokerageUnavailable):
            circuit.call("placing an order", desk)


def test_it_opens_at_the_failures_in_a_row_and_then_fails_fast(clock):
    circuit, desk = BrokerageCircuit(clock, failures=3, cooldown_seconds=30), Desk()
    fail(circuit, desk, 2)
    assert circuit.view()["state"] == "closed"
    fail(circuit, desk, 1)
    assert circuit.view()["state"] == "open"
    assert circuit.view()["opened_at"] == "2026-12-01T12:00:00Z"
    desk.down = False
    with pytest.raises(BrokerageUnavailable) as fast:
        circuit.call("placing an order", desk)
    assert fast.value.details["circuit"] == "open"
    assert fast.value.details["retry_at"] == "2026-12-01T12:00:30Z"
    assert desk.calls == 3  # the fast failure never reached the desk


def test_a_success_in_between_starts_the_count_again(clock):
    circuit, desk = BrokerageCircuit(clock, failures=2, cooldown_seconds=30), Desk()
    fail(circuit, desk, 1)
    desk.down = False
    circuit.call("reading the account", desk)
    desk.down = True
    fail(circuit, desk, 1)
    assert circuit.view()["state"] == "closed"


def test_a_refusal_is_an_answer_and_does_not_count(clock):
    circuit = BrokerageCircuit(clock, failures=1, cooldown_seconds=30)

    def refuse() -> None:
        raise ValidationFailed([])

    with pytest.raises(ValidationFailed):
        circuit.call("placing an order", refuse)
    assert circuit.view()["state"] == "closed"


def test_the_cool_down_is_kept_to_the_second_on_the_platforms_clock(clock):
    circuit, desk = BrokerageCircuit(clock, failures=1, cooldown_seconds=30), Desk()
    fail(circuit, desk, 1)
    desk.down = False
    clock.stop_at(T0 + timedelta(seconds=29))
    fail(circuit, desk, 1)  # still open: fails fast
    assert desk.calls == 1
    clock.stop_at(T0 + timedelta(seconds=30))
    assert circuit.call("placing an order", desk) == "answered"  # the trial call
    assert (circuit.view()["state"], circuit.view()["opened_at"]) == ("closed", None)


def test_a_failed_trial_call_opens_it_for_another_cool_down(clock):
    circuit, desk = BrokerageCircuit(clock, failures=1, cooldown_seconds=30), Desk()
    fail(circuit, desk, 1)
    clock.stop_at(T0 + timedelta(seconds=30))
    fail(circuit, desk, 1)  # the trial reaches the desk and fails
    assert (desk.calls, circuit.view()["state"]) == (2, "open")
    assert circuit.view()["opened_at"] == "2026-12-01T12:00:30Z"
