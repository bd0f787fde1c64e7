"""Which build of the platform is running: its version and the commit it was built from."""

from __future__ import annotations

import os
import subprocess
from functools import cache
from pathlib import Path


@cache
def commit() -> str:
    """``QUANTDESK_COMMIT`` when a deployment sets it, else the commit of the checkout the
    package runs from, else ``unknown`` (an installed wheel has no checkout)."""
    given = os.environ.get("QUANTDESK_COMMIT", "").strip()
    if given:
        return given
    try:
        found = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return found.stdout.strip() or "unknown"
