"""Unlock passwords kept only as salted scrypt hashes, checked in constant time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

# scrypt cost: about 50 ms on a laptop core, 16 MiB of memory; stored with the hash so it can rise.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
MIN_LENGTH = 6
_SCHEME = "scrypt"


class SecretError(ValueError):
    """A password that cannot be used (too short, or blank)."""


def check_new_password(password: str) -> None:
    """Refuse a password too weak to guard client records.

    Raises:
        SecretError: with a plain message.
    """
    if not password.strip():
        raise SecretError("The unlock password cannot be blank.")
    if "\x00" in password:
        raise SecretError("The unlock password cannot contain a NUL character.")
    if len(password) < MIN_LENGTH:
        raise SecretError(f"Use at least {MIN_LENGTH} characters for the unlock password.")


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32
    )


def hash_password(password: str) -> str:
    """A storable hash of a new unlock password (the password itself is never stored).

    Raises:
        SecretError: the password is too weak.
    """
    check_new_password(password)
    salt = os.urandom(16)
    digest = _derive(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    encoded = [base64.b64encode(part).decode("ascii") for part in (salt, digest)]
    return f"{_SCHEME}${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${encoded[0]}${encoded[1]}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a hash from ``hash_password``; False for a malformed hash."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != _SCHEME:
            return False
        expected = base64.b64decode(digest, validate=True)
        actual = _derive(password, base64.b64decode(salt, validate=True), int(n), int(r), int(p))
    except (ValueError, TypeError, MemoryError):
        return False
    return hmac.compare_digest(actual, expected)
