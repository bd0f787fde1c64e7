"""The HTML a browser sees at ``/oauth/authorize``: sign-in and consent, or an error."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from fastapi.responses import HTMLResponse

# Never cache, never frame (RFC 6749 10.13: clickjacking).
_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}

_STYLE = (
    "body{font-family:sans-serif;max-width:28rem;margin:3rem auto}"
    "label{display:block;margin:.5rem 0}.error{color:#b00020}"
)


def _page(title: str, body: str, status_code: int) -> HTMLResponse:
    html = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>"
    )
    return HTMLResponse(html, status_code=status_code, headers=_PAGE_HEADERS)


def consent_page(
    params: Mapping[str, str],
    *,
    scopes: list[str],
    username: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """Sign-in and consent form; it posts the OAuth parameters back as hidden fields."""
    hidden = "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in params.items()
    )
    scope_items = "".join(f"<li>{escape(s)}</li>" for s in scopes)
    error_html = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    body = (
        f"<p><strong>{escape(params.get('client_id', ''))}</strong> asks to access your "
        f"brokerage account:</p><ul>{scope_items}</ul>{error_html}"
        '<form method="post" action="/oauth/authorize" id="consent">'
        f"{hidden}"
        '<label>Username <input name="username" autocomplete="username" '
        f'value="{escape(username)}"></label>'
        '<label>Password <input type="password" name="password" '
        'autocomplete="current-password"></label>'
        '<button type="submit" name="decision" value="allow">Allow</button> '
        '<button type="submit" name="decision" value="deny">Deny</button>'
        "</form>"
    )
    return _page("Sign in to the simulated brokerage", body, status_code)


def error_page(error: str, description: str, status_code: int = 400) -> HTMLResponse:
    body = f'<p class="error" role="alert" data-error="{escape(error)}">{escape(description)}</p>'
    return _page("Authorization request refused", body, status_code)
