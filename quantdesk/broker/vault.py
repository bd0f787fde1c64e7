"""Brokerage tokens and PKCE verifiers encrypted at rest (Fernet: AES-128-CBC + HMAC-SHA256).

Keys come from ``QUANTDESK_TOKEN_ENCRYPTION_KEYS`` (comma-separated, newest first, so a
key can be rotated: the newest encrypts, every listed key decrypts). Without that setting
a key is generated once into ``<data_dir>/token-encryption.key`` (mode 0600), so a
developer's start needs no set-up and tokens survive a restart.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class VaultKeyError(RuntimeError):
    """The configured keys are unusable; the message never contains a key."""


class TokenVault:
    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise VaultKeyError("no token encryption key is configured")
        try:
            self._fernet = MultiFernet([Fernet(key) for key in keys])
        except (ValueError, TypeError):
            raise VaultKeyError(
                "a token encryption key is not a Fernet key (32 url-safe base64 bytes)"
            ) from None

    @classmethod
    def from_settings(cls, configured: str | None, data_dir: Path) -> TokenVault:
        if configured:
            return cls([k.strip().encode() for k in configured.split(",") if k.strip()])
        return cls([_key_file(data_dir / "token-encryption.key")])

    def encrypt(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode()

    def decrypt(self, cipher: str) -> str:
        try:
            return self._fernet.decrypt(cipher.encode()).decode()
        except InvalidToken:
            raise VaultKeyError(
                "a stored token cannot be decrypted with the configured keys"
            ) from None


def _key_file(path: Path) -> bytes:
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key
