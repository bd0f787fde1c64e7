"""Failures a test control can inject into the platform itself (only reachable through
the controls, which are mounted only when enabled): they prove that a failure half-way
through a unit of work leaves nothing half-written."""

from __future__ import annotations

import threading


class InjectedFault(Exception):
    """The failure a test control asked for."""


class InjectedFaults:
    """Per client, how many of its next fills fail half-way through being recorded."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._recording: dict[str, int] = {}

    def fail_recording(self, client_id: str, fills: int) -> None:
        with self._lock:
            if fills:
                self._recording[client_id] = fills
            else:
                self._recording.pop(client_id, None)

    def recording_fails(self, client_id: str) -> int:
        with self._lock:
            return self._recording.get(client_id, 0)

    def check_recording(self, client_id: str) -> None:
        """Raise :class:`InjectedFault` when this fill's recording is to fail."""
        with self._lock:
            left = self._recording.get(client_id, 0)
            if left <= 0:
                return
            if left == 1:
                del self._recording[client_id]
            else:
                self._recording[client_id] = left - 1
        raise InjectedFault("a fault injected by a test control while recording a fill")
