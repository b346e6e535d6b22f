"""Content-Digest (RFC 9530): the hash of a message's content, as a structured-field Dictionary.

Known algorithms are sha-256 and sha-512; the others of the IANA registry (md5, sha, unixsum, ...)
are insecure or unknown here, so they are ignored, and a field without a known one is refused.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

from sync._structured import Item, StructuredFieldError, parse_dictionary, serialize_bare_item

_HASHES: dict[str, Callable[[bytes], bytes]] = {
    "sha-256": lambda body: hashlib.sha256(body).digest(),
    "sha-512": lambda body: hashlib.sha512(body).digest(),
}


class DigestError(ValueError):
    """A Content-Digest that is malformed, has no known algorithm or does not match the body."""


def content_digest(body: bytes, algorithm: str = "sha-256") -> str:
    """The Content-Digest field value for `body`, e.g. `sha-256=:X48E9qOokqqrvdts8nOJRJN3...=:`."""
    hash_body = _HASHES.get(algorithm)
    if hash_body is None:
        raise DigestError(f"unsupported digest algorithm {algorithm!r} (use sha-256 or sha-512)")
    return f"{algorithm}={serialize_bare_item(hash_body(body))}"


def verify_content_digest(header: str, body: bytes) -> None:
    """Check every known digest in the field value against `body`; ignore unknown algorithms."""
    try:
        members = parse_dictionary(header)
    except StructuredFieldError as err:
        raise DigestError(f"malformed Content-Digest: {err}") from err
    known = [(algorithm, member) for algorithm, member in members if algorithm in _HASHES]
    if not known:
        raise DigestError("no known digest algorithm (sha-256 or sha-512)")
    for algorithm, member in known:
        if not isinstance(member, Item) or not isinstance(member.value, bytes):
            raise DigestError(f"malformed Content-Digest: {algorithm} is not a byte sequence")
        if not hmac.compare_digest(member.value, _HASHES[algorithm](body)):
            raise DigestError(f"{algorithm} does not match the body")
