"""The hub's Ed25519 content key: it signs the catalog's head; boxes learn its public half when
they enroll. Kept forever in meta "content_key" as base64 of the raw private bytes."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.hub._store import HubStore


def content_key(store: HubStore) -> Ed25519PrivateKey:
    """The hub's Ed25519 content key, made on first use (meta "content_key", base64 raw)."""
    raw = base64.b64decode(store.meta("content_key", _new_content_key))
    return Ed25519PrivateKey.from_private_bytes(raw)


def public_content_key(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def _new_content_key() -> str:
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return base64.b64encode(raw).decode()
