"""The platform's notion of now; a single place so test controls can move it later."""

from __future__ import annotations

from datetime import UTC, date, datetime


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return self.now().date()


def as_utc(moment: datetime) -> datetime:
    """An aware datetime; SQLite hands back naive datetimes, which are UTC here."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def utc_text(moment: datetime) -> str:
    """ISO 8601 UTC with ``Z``."""
    return as_utc(moment).astimezone(UTC).isoformat().replace("+00:00", "Z")
