"""The catalog log's chained digest and the hub's signed head (docs/catalog-format.md).

Record i (1-based, gapless) of the log is an entry as changed at catalog version i. The digest
after record i is sha256(digest after record i-1 + canonical(record i)); before record 1 it is 32
zero bytes. The hub signs (version, count, digest, expires) with its Ed25519 content key.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from content_cache._catalog import CatalogEntry, canonical, canonical_json
from content_cache._fields import CatalogError, hex_digest, object_field, whole_number

ZERO_DIGEST = bytes(32)
_HEAD_FIELDS = ("version", "count", "digest", "expires")


class BadSignature(CatalogError):
    """The head is not signed by the hub's content key."""


class RollbackError(CatalogError):
    """The head is older than the catalog the box already holds."""


class ExpiredHead(CatalogError):
    """The head has expired: the catalog is frozen until a fresh head arrives."""


@dataclass(frozen=True)
class CatalogHead:
    version: int
    count: int
    digest: str
    expires: int

    def canonical(self) -> bytes:
        return canonical_json({name: getattr(self, name) for name in _HEAD_FIELDS})


@dataclass(frozen=True)
class SignedHead:
    head: CatalogHead
    signature: bytes

    def to_json(self) -> dict[str, Any]:
        fields = {name: getattr(self.head, name) for name in _HEAD_FIELDS}
        return {**fields, "signature": base64.b64encode(self.signature).decode("ascii")}

    @classmethod
    def from_json(cls, obj: object) -> SignedHead:
        body = object_field(obj, "head", frozenset({*_HEAD_FIELDS, "signature"}))
        head = CatalogHead(
            version=whole_number(body["version"], "head.version", low=0),
            count=whole_number(body["count"], "head.count", low=0),
            digest=hex_digest(body["digest"], "head.digest"),
            expires=whole_number(body["expires"], "head.expires", low=0),
        )
        signature = body["signature"]
        try:
            raw = base64.b64decode(signature, validate=True) if isinstance(signature, str) else b""
        except ValueError:  # binascii.Error, or a non-ASCII str
            raw = b""
        if len(raw) != 64:
            raise CatalogError("head.signature: must be 64 bytes in base64")
        return cls(head, raw)


def chain(previous_digest: bytes, entry: CatalogEntry) -> bytes:
    return hashlib.sha256(previous_digest + canonical(entry)).digest()


def sign_head(head: CatalogHead, private_key: Ed25519PrivateKey) -> SignedHead:
    return SignedHead(head, private_key.sign(head.canonical()))


def verify_head(
    signed: SignedHead, public_key: Ed25519PublicKey, *, held_version: int, now: int
) -> CatalogHead:
    """The head, if the content key signed it, it is not older than `held_version` and it
    expires after `now`; else `BadSignature`, `RollbackError` or `ExpiredHead`."""
    head = signed.head
    try:
        public_key.verify(signed.signature, head.canonical())
    except InvalidSignature:
        raise BadSignature("head: bad signature") from None
    if head.version < held_version:
        raise RollbackError(f"head: version {head.version} is older than held {held_version}")
    if head.expires <= now:
        raise ExpiredHead(f"head: expired at {head.expires} (now {now}); the catalog is frozen")
    return head


def verify_delta(
    held_version: int, held_digest: bytes, records: Sequence[CatalogEntry], head: CatalogHead
) -> bytes:
    """The digest at `head.version`, if `records` are versions held+1 … head.version in order
    and chain from `held_digest` to `head.digest`; else `CatalogError` naming the version."""
    if head.version < held_version:
        raise RollbackError(f"head: version {head.version} is older than held {held_version}")
    digest = held_digest
    for version, record in enumerate(records, start=held_version + 1):
        if version > head.version:
            raise CatalogError(f"delta: record {record.version} is past head {head.version}")
        if record.version != version:
            raise CatalogError(f"delta: version {version} expected, record has {record.version}")
        digest = chain(digest, record)
    if held_version + len(records) < head.version:
        first = held_version + len(records) + 1
        raise CatalogError(f"delta: versions {first}…{head.version} are missing")
    if digest.hex() != head.digest:
        raise CatalogError(f"delta: digest at version {head.version} does not match the head")
    return digest
