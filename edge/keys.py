"""The box's Ed25519 identity key pair (signs sync requests; the hub pins the public key)."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

PRIVATE_NAME = "box_ed25519.pem"
PUBLIC_NAME = "box_ed25519.pub.pem"


def ensure_box_keys(keys_dir: Path) -> tuple[Path, bool]:
    """Make the key pair unless it exists; returns (private key path, created)."""
    private_path = keys_dir / PRIVATE_NAME
    if private_path.exists():
        load_private_key(private_path)  # refuse to carry on with a damaged key
        return private_path, False
    keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    _write_atomically(private_path, private_pem, 0o600)
    _write_atomically(keys_dir / PUBLIC_NAME, public_pem, 0o644)
    return private_path, True


def load_private_key(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return key


def _write_atomically(path: Path, data: bytes, mode: int) -> None:
    temporary = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temporary, path)
