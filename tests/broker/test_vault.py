"""Brokerage tokens at rest: Fernet encryption, key rotation, the generated key file."""

import stat

import pytest
from cryptography.fernet import Fernet

from quantdesk.broker.vault import TokenVault, VaultKeyError


def test_a_token_round_trips_and_is_not_stored_in_the_clear(tmp_path):
    vault = TokenVault.from_settings(None, tmp_path)
    cipher = vault.encrypt("access-token-value")
    assert "access-token-value" not in cipher
    assert vault.decrypt(cipher) == "access-token-value"


def test_without_configured_keys_one_key_file_is_made_private_and_reused(tmp_path):
    first = TokenVault.from_settings(None, tmp_path)
    key_file = tmp_path / "token-encryption.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    second = TokenVault.from_settings(None, tmp_path)  # e.g. after a restart
    assert second.decrypt(first.encrypt("t")) == "t"


def test_rotation_new_key_encrypts_old_key_still_decrypts(tmp_path):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    before = TokenVault.from_settings(old, tmp_path).encrypt("refresh")
    rotated = TokenVault.from_settings(f"{new},{old}", tmp_path)
    assert rotated.decrypt(before) == "refresh"
    assert TokenVault.from_settings(new, tmp_path).decrypt(rotated.encrypt("x")) == "x"


def test_a_bad_key_is_refused_without_echoing_it(tmp_path):
    with pytest.raises(VaultKeyError) as refused:
        TokenVault.from_settings("not-a-fernet-key", tmp_path)
    assert "not-a-fernet-key" not in str(refused.value)


def test_a_token_from_another_key_cannot_be_read(tmp_path):
    theirs = TokenVault.from_settings(Fernet.generate_key().decode(), tmp_path)
    ours = TokenVault.from_settings(Fernet.generate_key().decode(), tmp_path)
    with pytest.raises(VaultKeyError):
        ours.decrypt(theirs.encrypt("secret"))
