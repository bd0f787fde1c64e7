"""Redacts secrets from evidence before anyone can read it (the Allure report is public)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "***"
SECRET_KEYS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "api_key",
        "apikey",
        "operator_key",
        "access_token",
        "refresh_token",
        "id_token",
        "token",
        "client_secret",
        "password",
        "new_password",
        "code",
        "code_verifier",
        "secret",
    }
)


URL_HEADERS = frozenset({"location", "content-location", "referer", "refresh"})

_NORMALISED_KEYS = frozenset(k.replace("-", "_") for k in SECRET_KEYS)


def is_secret_key(key: str) -> bool:
    return key.lower().replace("-", "_") in _NORMALISED_KEYS


class Redactor:
    """Removes secrets by key (headers, JSON, forms, query strings) and by known value."""

    def __init__(self, known_secrets: Iterable[str] = ()) -> None:
        self._values: set[str] = set()
        for value in known_secrets:
            self.remember(value)

    def remember(self, value: str | None) -> None:
        """Redact this value wherever it appears, whatever key carries it."""
        if value and len(value) >= 4:
            self._values.add(value)

    @property
    def secrets(self) -> frozenset[str]:
        return frozenset(self._values)

    def text(self, text: str) -> str:
        for value in sorted(self._values, key=len, reverse=True):
            text = text.replace(value, REDACTED)
        return text

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        def one(key: str, value: str) -> str:
            if is_secret_key(key):
                return REDACTED
            if key.lower() in URL_HEADERS:  # a redirect carries codes in its query
                return self.url(value)
            return self.text(value)

        return {k: one(k, v) for k, v in headers.items()}

    def data(self, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {
                k: (REDACTED if is_secret_key(str(k)) and v is not None else self.data(v))
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [self.data(v) for v in value]
        if isinstance(value, str):
            return self.text(value)
        return value

    def url(self, url: str) -> str:
        parts = urlsplit(url)
        if not parts.query:
            return self.text(url)
        query = urlencode(
            [
                (k, REDACTED if is_secret_key(k) else v)
                for k, v in parse_qsl(parts.query, keep_blank_values=True)
            ],
            safe="*",
        )
        return self.text(urlunsplit(parts._replace(query=query)))

    def body(self, content: bytes, content_type: str) -> str:
        if not content:
            return ""
        raw = content.decode(errors="replace")
        if "json" in content_type:
            try:
                return json.dumps(self.data(json.loads(raw)), indent=2, ensure_ascii=False)
            except ValueError:
                pass
        if "x-www-form-urlencoded" in content_type:
            pairs = parse_qsl(raw, keep_blank_values=True)
            return self.text(
                urlencode([(k, REDACTED if is_secret_key(k) else v) for k, v in pairs], safe="*")
            )
        return _redact_inline(self.text(raw))


_INLINE = re.compile(
    r"(?P<key>\b(?:" + "|".join(sorted(k.replace("-", "[-_]") for k in SECRET_KEYS)) + r"))"
    r"(?P<sep>=|\"?\s*:\s*\"?)(?P<value>[^&\s\"',<]+)",
    re.IGNORECASE,
)


def _redact_inline(text: str) -> str:
    return _INLINE.sub(lambda m: f"{m['key']}{m['sep']}{REDACTED}", text)
