"""An httpx client that records every exchange as Allure evidence and maps errors to types."""

from __future__ import annotations

import ssl
import time
from dataclasses import dataclass
from functools import cache
from typing import Any

import allure
import httpx

from support.drivers.redaction import Redactor


class ApiError(Exception):
    """The system refused a request; ``code`` and ``message`` come from its error body."""

    status: int = 0

    def __init__(
        self, status: int, code: str, message: str, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}

    @property
    def field_problems(self) -> dict[str, str]:
        """``{field: problem_code}`` of a validation refusal."""
        return {f["field"]: f["code"] for f in self.details.get("fields", [])}


class BadRequest(ApiError): ...


class Unauthenticated(ApiError): ...


class Forbidden(ApiError): ...


class NotFound(ApiError): ...


class Conflict(ApiError): ...


class ValidationRefused(ApiError): ...


class Unavailable(ApiError): ...


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthenticated,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    422: ValidationRefused,
    503: Unavailable,
}


def error_from(response: httpx.Response) -> ApiError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    code = str(body.get("code") or body.get("error") or f"http_{response.status_code}")
    message = str(body.get("message") or body.get("error_description") or response.reason_phrase)
    details = body.get("details") if isinstance(body.get("details"), dict) else {}
    cls = _BY_STATUS.get(response.status_code, ApiError)
    return cls(response.status_code, code, message, details)


@dataclass
class Exchange:
    method: str
    url: str
    status: int
    duration_ms: float
    request_headers: dict[str, str]
    request_body: str
    response_headers: dict[str, str]
    response_body: str

    def render(self) -> str:
        def block(headers: dict[str, str], body: str) -> str:
            lines = [f"{k}: {v}" for k, v in headers.items()]
            return "\n".join(lines) + ("\n\n" + shown(body) if body else "")

        return (
            f"{self.method} {self.url}\n{block(self.request_headers, self.request_body)}"
            f"\n\n--- {self.status} in {self.duration_ms:.1f} ms ---\n"
            f"{block(self.response_headers, self.response_body)}\n"
        )


# A body is shown in the report up to this many characters: enough to read any answer
# a person reads, while the megabyte uploads of the size-limit scenarios would make the
# report tens of megabytes and slow to open. Bodies are redacted before they are cut.
SHOWN_BODY_CHARS = 16_384


def shown(body: str, limit: int = SHOWN_BODY_CHARS) -> str:
    """``body``, or its first ``limit`` characters (cut at a line end where there is one)
    and how much is left out."""
    if len(body) <= limit:
        return body
    head = body[:limit]
    cut = head.rfind("\n")
    head = head[:cut] if cut > limit // 2 else head
    return f"{head}\n... ({len(body) - len(head):,} more characters not shown of {len(body):,})"


@cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context for every client: loading the CA bundle takes tens of milliseconds,
    and each scenario makes new clients."""
    return httpx.create_ssl_context()


@dataclass
class RecordingClient:
    """One per system per scenario. Every exchange is redacted, kept and attached to Allure."""

    base_url: str
    redactor: Redactor
    system: str = "quantdesk"
    timeout: float = 10.0

    def __post_init__(self) -> None:
        self._client = httpx.Client(
            base_url=self.base_url, timeout=self.timeout, verify=_tls_context()
        )

    def request(
        self, method: str, path: str, *, expect: int | None = None, **kwargs: Any
    ) -> httpx.Response:
        """Send a request; raise a typed ``ApiError`` for any 4xx/5xx answer, and an
        ``AssertionError`` for a success other than the ``expect``ed status the contract
        promises (201 for what a request creates)."""
        response = self.send(method, path, **kwargs)
        if response.status_code >= 400:
            raise error_from(response)
        if expect is not None and response.status_code != expect:
            raise AssertionError(
                f"the contract promises {expect} for {method} {response.request.url.path}; "
                f"the answer was {response.status_code}"
            )
        return response

    def send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send a request and return whatever came back (redirects are not followed)."""
        started = time.perf_counter()
        response = self._client.request(method, path, **kwargs)
        self._record(response, (time.perf_counter() - started) * 1000)
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.request(method, path, **kwargs).json()

    def _record(self, response: httpx.Response, duration_ms: float) -> None:
        request = response.request
        r = self.redactor
        exchange = Exchange(
            method=request.method,
            url=r.url(str(request.url)),
            status=response.status_code,
            duration_ms=duration_ms,
            request_headers=r.headers(request.headers),
            request_body=r.body(request.content, request.headers.get("content-type", "")),
            response_headers=r.headers(response.headers),
            response_body=r.body(response.content, response.headers.get("content-type", "")),
        )
        allure.attach(
            exchange.render(),
            name=f"{self.system}: {exchange.method} {request.url.path} -> {exchange.status}",
            attachment_type=allure.attachment_type.TEXT,
        )

    def close(self) -> None:
        self._client.close()


class PlatformApi:
    """A part of QuantDesk's HTTP contract, called as an operator or as a signed-in client."""

    def __init__(self, http: RecordingClient, operator_key: str | None) -> None:
        self.http = http
        self.operator_key = operator_key
        http.redactor.remember(operator_key)

    def _operator(self, key: str | None = None) -> dict[str, str]:
        """The operator's credentials (``key`` instead of the operator's, when given)."""
        key = self.operator_key if key is None else key
        return {"X-API-Key": key} if key else {}

    def _as(self, token: str | None) -> dict[str, str]:
        """A signed-in client's credentials, or the operator's without a ``token``."""
        return {"Authorization": f"Bearer {token}"} if token else self._operator()
