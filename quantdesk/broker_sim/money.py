"""Money as decimal strings with two places (Alpaca style), stored as integer cents."""

from __future__ import annotations

import re
from decimal import Decimal

_AMOUNT = re.compile(r"^\d{1,12}(\.\d{1,2})?$")


def parse_amount(text: str) -> int | None:
    """Cents for a plain decimal string such as ``"250"`` or ``"99.95"``; None otherwise."""
    if not _AMOUNT.match(text):
        return None
    return int(Decimal(text) * 100)


def format_cents(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole}.{part:02d}"
