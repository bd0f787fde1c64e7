"""Process logging: one line per event, secrets in URLs and messages redacted."""

from __future__ import annotations

import logging
import re
from typing import Any

SECRET_PARAMS = (
    "code",
    "code_verifier",
    "access_token",
    "refresh_token",
    "token",
    "client_secret",
    "password",
    "api_key",
)
_SECRET_RE = re.compile(
    r"(?P<key>\b(?:" + "|".join(SECRET_PARAMS) + r"))"
    r"(?P<sep>=|\"?\s*:\s*\"?)(?P<value>[^&\s\"',]+)",
    re.IGNORECASE,
)


def redact_text(text: str) -> str:
    """Replace the value of every secret-looking ``key=value`` or ``"key": "value"``."""
    return _SECRET_RE.sub(lambda m: f"{m['key']}{m['sep']}***", text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_text(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def log_config(level: str = "info") -> dict[str, Any]:
    """A dictConfig for uvicorn and the platform's own loggers."""
    level = level.upper()
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "plain",
        "filters": ["redact"],
        "stream": "ext://sys.stdout",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": RedactingFilter}},
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
        "handlers": {"default": handler},
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"handlers": ["default"], "level": level, "propagate": False},
            "quantdesk": {"handlers": ["default"], "level": level, "propagate": False},
            "broker_sim": {"handlers": ["default"], "level": level, "propagate": False},
        },
    }
