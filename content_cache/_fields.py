"""Decoding JSON fields defensively: every refusal is a `CatalogError` naming the field."""

from __future__ import annotations

import re
from typing import Any

MAX_TEXT = 1000
MAX_SIZE = (1 << 63) - 1
_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")


class CatalogError(ValueError):
    """A catalog entry, head or delta that is malformed or does not verify."""


def object_field(
    obj: object,
    where: str,
    fields: frozenset[str],
    optional: frozenset[str] | set[str] = frozenset(),
) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise CatalogError(f"{where}: must be an object")
    keys = obj.keys()
    if keys <= fields and fields - keys <= optional:  # the usual case, without sorting
        return obj
    unknown = sorted(str(key) for key in obj if key not in fields)
    if unknown:
        raise CatalogError(f"{where}: unknown field {unknown[0]!r}")
    missing = sorted(fields - optional - obj.keys())
    if missing:
        raise CatalogError(f"{where}: missing field {missing[0]!r}")
    return obj


def list_field(value: object, where: str, limit: int) -> list[Any]:
    if not isinstance(value, list):
        raise CatalogError(f"{where}: must be a list")
    if len(value) > limit:
        raise CatalogError(f"{where}: more than {limit} items")
    return value


def text(value: object, where: str, *, limit: int = MAX_TEXT, empty: bool = True) -> str:
    if not isinstance(value, str):
        raise CatalogError(f"{where}: must be text")
    if not value and not empty:
        raise CatalogError(f"{where}: must not be empty")
    if len(value) > limit:
        raise CatalogError(f"{where}: longer than {limit} characters")
    try:
        if not value.isascii():
            value.encode()
    except UnicodeEncodeError:
        raise CatalogError(f"{where}: not valid Unicode (a lone surrogate)") from None
    return value


def whole_number(value: object, where: str, *, low: int, high: int = MAX_SIZE) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise CatalogError(f"{where}: must be a whole number from {low} to {high}")
    return value


def hex_digest(value: object, where: str) -> str:
    if not isinstance(value, str) or not _HEX_DIGEST.fullmatch(value):
        raise CatalogError(f"{where}: must be 64 lowercase hex digits")
    return value
