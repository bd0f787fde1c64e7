"""Secrets: random values, their stored hashes, password hashing and PKCE."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# RFC 7636 4.1: code_verifier = 43*128unreserved; an S256 challenge is 43 base64url chars.
_PKCE_VALUE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


def new_secret() -> str:
    """A random, URL-safe value (256 bits) for codes and tokens."""
    return secrets.token_urlsafe(32)


def secret_hash(value: str) -> str:
    """The stored form of a high-entropy secret (code or token)."""
    return hashlib.sha256(value.encode()).hexdigest()


def same_secret(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def is_pkce_value(value: str) -> bool:
    return bool(_PKCE_VALUE.match(value))


def s256_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def pkce_matches(verifier: str, challenge: str) -> bool:
    return is_pkce_value(verifier) and same_secret(s256_challenge(verifier), challenge)


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    # argon2id at OWASP's minimum (19 MiB, 2 passes): ~45 ms, so sign-ups stay quick.
    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Checks a password; an unknown user costs the same time as a known one."""
    try:
        return _hasher().verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False
