"""The platform's notion of now: real UTC time, unless test controls have stopped it."""

from __future__ import annotations

from datetime import UTC, date, datetime


class SystemClock:
    """Real time; with test controls enabled an operator can stop it at an instant, so a
    lifetime can be probed to the second (one second before its end, and at its end)."""

    def __init__(self) -> None:
        self._stopped_at: datetime | None = None

    def now(self) -> datetime:
        stopped = self._stopped_at
        return stopped if stopped is not None else datetime.now(UTC)

    @property
    def stopped(self) -> bool:
        return self._stopped_at is not None

    def stop_at(self, moment: datetime | None) -> None:
        """Stop the clock at ``moment`` (aware), or let it run again with ``None``."""
        self._stopped_at = None if moment is None else as_utc(moment).astimezone(UTC)

    def today(self) -> date:
        return self.now().date()


def as_utc(moment: datetime) -> datetime:
    """An aware datetime; SQLite hands back naive datetimes, which are UTC here."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def utc_text(moment: datetime) -> str:
    """ISO 8601 UTC with ``Z``."""
    return as_utc(moment).astimezone(UTC).isoformat().replace("+00:00", "Z")
