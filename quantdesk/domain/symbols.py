"""The one rule a ticker symbol follows wherever it enters the platform (pure).

A symbol is trimmed of surrounding spaces and tabs, then must be 1 to 40 characters of
ASCII letters, digits, ``.``, ``_`` or ``-``, starting with a letter or a digit; it is
stored upper-cased (``" spx "`` is ``SPX``). Everything else is refused, never repaired:
``SPX?x=1``, ``S X``, ``A/B``, control characters, non-ASCII letters, ``..``. The rule
keeps symbols safe to show, to store and to put into another system's URL (where the
HTTP client still encodes them as a path segment).

CSV rows, feed loads, the ``symbol`` and ``symbols`` query parameters and a client's
universe all apply it through :func:`parse_symbol`; the refusal code is
:data:`INVALID_SYMBOL` and its sentence :data:`SYMBOL_RULE`.
"""

from __future__ import annotations

import re

INVALID_SYMBOL = "invalid_symbol"
MAX_SYMBOL_LENGTH = 40
# The rule before upper-casing, so that upper-casing cannot turn a refused character
# into an accepted one (``"ß".upper()`` is ``"SS"``).
SYMBOL_PATTERN = rf"[A-Za-z0-9][A-Za-z0-9._-]{{0,{MAX_SYMBOL_LENGTH - 1}}}"
# The stored form, for checks on symbols that were already upper-cased.
STORED_SYMBOL_PATTERN = rf"[A-Z0-9][A-Z0-9._-]{{0,{MAX_SYMBOL_LENGTH - 1}}}"
SYMBOL_RULE = (
    f"a symbol is 1 to {MAX_SYMBOL_LENGTH} characters: letters A-Z, digits, '.', '_' or "
    "'-', starting with a letter or a digit"
)
# Surrounding characters a symbol is trimmed of (nothing else is forgiven).
TRIMMED = " \t"

_SYMBOL = re.compile(SYMBOL_PATTERN)


def parse_symbol(text: str) -> str | None:
    """The stored form of ``text`` (trimmed, upper-cased), or ``None`` if it breaks the rule."""
    trimmed = text.strip(TRIMMED)
    if _SYMBOL.fullmatch(trimmed) is None:
        return None
    return trimmed.upper()


def is_symbol(text: str) -> bool:
    return parse_symbol(text) is not None


def symbol_problem(field: str, values: list[str]) -> dict[str, str] | None:
    """The validation problem of ``field`` when any of ``values`` breaks the rule."""
    bad = [v for v in values if parse_symbol(v) is None]
    if not bad:
        return None
    # repr: a control character is shown escaped, never sent back raw.
    shown = ", ".join(repr(v[:50]) for v in bad[:5]) + (" ..." if len(bad) > 5 else "")
    return {
        "field": field,
        "code": INVALID_SYMBOL,
        "message": f"{field} breaks the symbol rule ({SYMBOL_RULE}): {shown}",
    }
