"""The in-process operation runner (quantdesk.jobs.operations) on a real SQLite file."""

from __future__ import annotations

import threading
import time

import pytest

from quantdesk.clock import SystemClock
from quantdesk.errors import BrokerageUnavailable, NotFound, OperationFinished
from quantdesk.jobs.operations import Operations
from quantdesk.store.db import create_db_engine, migrate, session_factory


@pytest.fixture
def sessions(tmp_path):
    engine = create_db_engine(f"sqlite:///{tmp_path / 'ops.db'}")
    migrate(engine)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def operations(sessions):
    runner = Operations(sessions, SystemClock(), workers=1)
    yield runner
    runner.close()


def wait_done(operations: Operations, operation_id: str) -> dict:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        operation = operations.get(operation_id)
        if operation["done"]:
            return operation
        time.sleep(0.005)  # poll interval under a deadline
    raise AssertionError(f"operation {operation_id} not done: {operations.get(operation_id)}")


def test_work_runs_with_progress_and_its_result_is_kept(operations):
    def work(progress):
        progress(0.5, "half way")
        return {"answer": 42}

    submitted = operations.submit("test.work", {"n": 1}, work)
    assert (submitted["status"], submitted["done"], submitted["request"]) == (
        "queued",
        False,
        {"n": 1},
    )
    done = wait_done(operations, submitted["id"])
    assert done["status"] == "succeeded"
    assert done["result"] == {"answer": 42}
    assert done["progress"] == {"percent": 100.0, "message": "half way"}
    assert done["finished_at"] is not None


def test_a_platform_error_fails_the_operation_with_the_error_shape(operations):
    def work(_progress):
        raise BrokerageUnavailable("down", details={"reason": "x"})

    done = wait_done(operations, operations.submit("test.fail", {}, work)["id"])
    assert done["status"] == "failed"
    assert done["error"] == {
        "code": "brokerage_unavailable",
        "message": "down",
        "details": {"reason": "x"},
    }


def test_a_bug_fails_the_operation_without_a_trace(operations):
    def work(_progress):
        raise RuntimeError("secret internals")

    done = wait_done(operations, operations.submit("test.bug", {}, work)["id"])
    assert done["error"]["code"] == "internal_error"
    assert "secret" not in str(done)


def test_a_running_operation_stops_at_its_next_step_when_cancelled(operations):
    started, release = threading.Event(), threading.Event()
    steps = []

    def work(progress):
        started.set()
        release.wait(5)
        for i in range(3):
            progress(i / 3)
            steps.append(i)
        return {}

    operation = operations.submit("test.cancel", {}, work)
    assert started.wait(5)
    answer = operations.cancel(operation["id"])
    assert answer["cancel_requested"] is True and answer["done"] is False
    release.set()
    done = wait_done(operations, operation["id"])
    assert done["status"] == "cancelled" and steps == []
    with pytest.raises(OperationFinished):
        operations.cancel(operation["id"])


def test_a_queued_operation_cancelled_never_runs(operations):
    release = threading.Event()
    blocker = operations.submit("test.block", {}, lambda _p: release.wait(5) and {})
    ran = []
    queued = operations.submit("test.queued", {}, lambda _p: ran.append(1) or {})
    operations.cancel(queued["id"])
    release.set()
    wait_done(operations, blocker["id"])
    assert wait_done(operations, queued["id"])["status"] == "cancelled"
    assert ran == []


def test_unknown_operations_are_not_found(operations):
    with pytest.raises(NotFound):
        operations.get("op_nope")
    with pytest.raises(NotFound):
        operations.cancel("op_nope")


def test_operations_left_running_by_a_stopped_process_are_failed_at_start(sessions):
    first = Operations(sessions, SystemClock(), workers=1)
    release = threading.Event()
    stuck = first.submit("test.stuck", {}, lambda _p: release.wait(5) and {})
    second = Operations(sessions, SystemClock(), workers=1)  # a restart, as seen by the DB
    assert second.get(stuck["id"])["status"] == "failed"
    assert second.get(stuck["id"])["error"]["code"] == "interrupted"
    release.set()
    first.close()
    second.close()


def test_a_lane_runs_its_limit_at_once_and_queues_the_rest_without_blocking_others(sessions):
    runner = Operations(sessions, SystemClock(), workers=1, lanes={"training": 1})
    release = threading.Event()

    def held(progress):
        while not release.is_set():
            progress(0.1, "holding")
            time.sleep(0.005)  # a step of real work
        return {}

    try:
        first = runner.submit("test.lane", {}, held, lane="training")
        second = runner.submit("test.lane", {}, held, lane="training")
        other = runner.submit("test.other", {}, lambda progress: {"ok": True})
        assert wait_done(runner, other["id"])["status"] == "succeeded"
        deadline = time.monotonic() + 5
        while runner.get(first["id"])["status"] != "running":
            assert time.monotonic() < deadline
            time.sleep(0.005)  # poll interval under a deadline
        assert runner.get(second["id"])["status"] == "queued"
        runner.cancel(first["id"])
        assert wait_done(runner, first["id"])["status"] == "cancelled"
        while runner.get(second["id"])["status"] != "running":
            assert time.monotonic() < deadline
            time.sleep(0.005)  # poll interval under a deadline
        release.set()
        assert wait_done(runner, second["id"])["status"] == "succeeded"
    finally:
        release.set()
        runner.close()
