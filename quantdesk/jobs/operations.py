"""Long-running operations (AIP-151) run by an in-process pool of worker threads.

An operation is a row in ``operations`` (see ``quantdesk.store.models.OperationRow``):
``queued`` when submitted, ``running`` once a worker takes it, then ``succeeded`` (with a
``result``), ``failed`` (with an ``error`` in the platform's error shape) or
``cancelled``. The row is written at each change of status.

Progress and cancel requests of a *live* operation (queued or running in this process)
are kept in memory and merged into what :meth:`Operations.get` answers: the work may
hold the database's write lock for a long time (one SQLite writer), so neither a
progress report nor a cancel request may wait for the database. The work calls its
:class:`Progress` between steps; that call raises :class:`OperationCancelled` once a
cancel was asked for, so the work stops at a step boundary and rolls back whatever it
had not committed.

Operations that were queued or running when the process stopped are marked failed
(``interrupted``) when the next process starts: the in-process pool cannot resume them.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from quantdesk.clock import SystemClock, utc_text
from quantdesk.errors import NotFound, OperationFinished, PlatformError
from quantdesk.store.models import OperationRow

log = logging.getLogger("quantdesk.jobs")

STATUSES: tuple[str, ...] = ("queued", "running", "succeeded", "failed", "cancelled")
TERMINAL: frozenset[str] = frozenset({"succeeded", "failed", "cancelled"})


class OperationCancelled(Exception):
    """Raised by :class:`Progress` inside the work once a cancel was requested."""


class Progress:
    """What the work calls between steps: ``progress(fraction, message)``."""

    def __init__(self, live: _Live, operation_id: str = "") -> None:
        self._live = live
        self.operation_id = operation_id

    @property
    def cancelled(self) -> bool:
        return self._live.cancel.is_set()

    def __call__(self, fraction: float, message: str | None = None) -> None:
        with self._live.lock:
            percent = round(max(0.0, min(1.0, fraction)) * 100, 1)
            # Progress never goes backwards, whatever order the steps report in.
            self._live.percent = max(self._live.percent, percent)
            if message is not None:
                self._live.message = message
        if self._live.cancel.is_set():
            raise OperationCancelled


@dataclass
class _Live:
    status: str = "queued"
    percent: float = 0.0
    message: str | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)


Work = Callable[[Progress], dict[str, Any]]


def operation_view(row: OperationRow, live: _Live | None = None) -> dict[str, Any]:
    status, percent, message = row.status, row.progress_percent, row.progress_message
    cancel_requested = row.cancel_requested
    if live is not None and row.status not in TERMINAL:
        with live.lock:
            status, percent, message = live.status, live.percent, live.message
        cancel_requested = cancel_requested or live.cancel.is_set()
    return {
        "id": row.id,
        "kind": row.kind,
        "status": status,
        "done": status in TERMINAL,
        "progress": {"percent": percent, "message": message},
        "cancel_requested": cancel_requested,
        "request": json.loads(row.request),
        "result": json.loads(row.result) if row.result else None,
        "error": json.loads(row.error) if row.error else None,
        "created_at": utc_text(row.created_at),
        "updated_at": utc_text(row.updated_at),
        "started_at": utc_text(row.started_at) if row.started_at else None,
        "finished_at": utc_text(row.finished_at) if row.finished_at else None,
    }


class Operations:
    """Submit work, read its state, cancel it. One instance per platform process."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: SystemClock,
        *,
        workers: int = 2,
        lanes: dict[str, int] | None = None,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="operation")
        # A lane is a pool of its own for one kind of work (training): at most that many
        # run at once; the rest wait queued, and the other operations do not wait for them.
        self._lanes = {
            name: ThreadPoolExecutor(max_workers=size, thread_name_prefix=f"operation-{name}")
            for name, size in (lanes or {}).items()
        }
        self._live: dict[str, _Live] = {}
        self._lock = threading.Lock()
        self._interrupt_leftovers()

    def _interrupt_leftovers(self) -> None:
        error = {
            "code": "interrupted",
            "message": "The platform restarted while the operation was queued or running.",
            "details": {},
        }
        now = self.clock.now()
        with self.sessions.begin() as session:
            session.execute(
                update(OperationRow)
                .where(OperationRow.status.in_(("queued", "running")))
                .values(status="failed", error=json.dumps(error), updated_at=now, finished_at=now)
            )

    # -- API -------------------------------------------------------------------------

    def queued(self, kind: str, request: dict[str, Any]) -> OperationRow:
        """A queued operation's row, for the caller to write in its own transaction (with
        the change that starts it) before :meth:`start`."""
        now = self.clock.now()
        return OperationRow(
            id=f"op_{uuid.uuid4().hex}",
            kind=kind,
            status="queued",
            progress_percent=0.0,
            progress_message=None,
            cancel_requested=False,
            request=json.dumps(request),
            created_at=now,
            updated_at=now,
        )

    def start(self, row: OperationRow, work: Work, *, lane: str | None = None) -> dict[str, Any]:
        """Hand ``work`` to a worker (of ``lane``, if named) for the queued operation ``row``
        (already written)."""
        live = _Live()
        with self._lock:
            self._live[row.id] = live
        pool = self._lanes[lane] if lane is not None else self._pool
        pool.submit(self._run, row.id, live, work)
        return operation_view(row, live)

    def submit(
        self, kind: str, request: dict[str, Any], work: Work, *, lane: str | None = None
    ) -> dict[str, Any]:
        """Record a queued operation, hand ``work`` to a worker, answer the operation."""
        row = self.queued(kind, request)
        with self.sessions.begin() as session:
            session.add(row)
        return self.start(row, work, lane=lane)

    def get(self, operation_id: str) -> dict[str, Any]:
        # The live state first: a worker writes the final row before it drops the live
        # state, so a row read after a missing live state is final, never stale.
        live = self._live.get(operation_id)
        with self.sessions() as session:
            row = self._row(session, operation_id)
        if live is not None and row.status not in TERMINAL:
            with live.lock:
                finished = live.status in TERMINAL
            if finished:
                # The worker wrote the final row after it was read here (it marks the live
                # state finished only once that row is committed): read the final row, so
                # an operation is never shown done without its result or error.
                with self.sessions() as session:
                    row = self._row(session, operation_id)
        return operation_view(row, live)

    def cancel(self, operation_id: str) -> dict[str, Any]:
        """Ask a queued or running operation to stop; 409 once it has finished."""
        with self.sessions() as session:
            row = self._row(session, operation_id)
        live = self._live.get(operation_id)
        if live is None or row.status in TERMINAL:
            raise OperationFinished(
                f"The operation has already finished ({row.status}); it cannot be cancelled.",
                details={"operation_id": operation_id, "status": row.status},
            )
        live.cancel.set()
        return operation_view(row, live)

    def close(self) -> None:
        """Ask every live operation to stop, then wait for the workers."""
        with self._lock:
            for live in self._live.values():
                live.cancel.set()
        for pool in (self._pool, *self._lanes.values()):
            pool.shutdown(wait=True, cancel_futures=False)

    # -- worker ----------------------------------------------------------------------

    @staticmethod
    def _row(session: Session, operation_id: str) -> OperationRow:
        row = session.get(OperationRow, operation_id)
        if row is None:
            raise NotFound("No operation with that id.", details={"operation_id": operation_id})
        return row

    def _write(self, operation_id: str, **values: Any) -> None:
        with self.sessions.begin() as session:
            session.execute(
                update(OperationRow)
                .where(OperationRow.id == operation_id)
                .values(updated_at=self.clock.now(), **values)
            )

    def _run(self, operation_id: str, live: _Live, work: Work) -> None:
        try:
            if live.cancel.is_set():
                self._finish(operation_id, live, "cancelled")
                return
            self._write(operation_id, status="running", started_at=self.clock.now())
            with live.lock:
                live.status = "running"
            try:
                result = work(Progress(live, operation_id))
            except OperationCancelled:
                self._finish(operation_id, live, "cancelled")
            except PlatformError as exc:
                error = {"code": exc.code, "message": exc.message, "details": exc.details}
                self._finish(operation_id, live, "failed", error=error)
            except Exception:
                log.exception("operation %s failed unexpectedly", operation_id)
                error = {
                    "code": "internal_error",
                    "message": "The operation failed unexpectedly; it has been logged.",
                    "details": {},
                }
                self._finish(operation_id, live, "failed", error=error)
            else:
                self._finish(operation_id, live, "succeeded", result=result)
        except Exception:  # pragma: no cover - the database itself failed
            log.exception("operation %s could not be recorded", operation_id)
        finally:
            with self._lock:
                self._live.pop(operation_id, None)

    def _finish(
        self,
        operation_id: str,
        live: _Live,
        status: str,
        *,
        result: dict[str, Any] | None = None,
        error: dict[str, Any] | None = None,
    ) -> None:
        with live.lock:
            # Done is 100 %: shown only with the final status, never while running.
            percent = 100.0 if status == "succeeded" else live.percent
            message = live.message
        self._write(
            operation_id,
            status=status,
            progress_percent=percent,
            progress_message=message,
            cancel_requested=live.cancel.is_set(),
            result=json.dumps(result) if result is not None else None,
            error=json.dumps(error) if error is not None else None,
            finished_at=self.clock.now(),
        )
        with live.lock:
            live.status, live.percent = status, percent
