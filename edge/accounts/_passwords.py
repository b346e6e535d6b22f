"""Password hashing with scrypt (memory-hard): `scrypt$n$r$p$salt$hash`, all base64."""

from __future__ import annotations

import base64
import hmac
import os

from cryptography.exceptions import InvalidKey
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

# 2**15 * 8 * 128 bytes = 32 MiB per hash: slow for a cracker, ~0.1 s for a login
_N, _R, _P, _LENGTH = 2**15, 8, 1, 32
MIN_PASSWORD_LENGTH = 8


class WeakPassword(ValueError):
    """The password is too short to be allowed."""


def check_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = Scrypt(salt=salt, length=_LENGTH, n=_N, r=_R, p=_P).derive(password.encode())
    return "$".join(["scrypt", str(_N), str(_R), str(_P), _b64(salt), _b64(digest)])


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        kdf = Scrypt(salt=_unb64(salt), length=_LENGTH, n=int(n), r=int(r), p=int(p))
        kdf.verify(password.encode(), _unb64(digest))
    except (ValueError, InvalidKey):
        return False
    return True


def burn_time(password: str) -> None:
    """Spend as long as a real check, so a missing account cannot be told by timing."""
    hmac.compare_digest(hash_password(password), "")


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)
