"""Structured Field Values for HTTP (RFC 8941), the parts the signature and digest fields use.

`parse_dictionary` keeps every member in order, duplicates included, so that a caller can refuse
a duplicated key instead of silently keeping the last one. Byte sequences must be valid base64
(padding may be left out, but not overdone). Dates and display strings (RFC 9651) are refused.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from decimal import Decimal


class StructuredFieldError(ValueError):
    """A field value that is not a valid structured field, or a value that cannot be one."""


@dataclass(frozen=True)
class Token:
    """An sf-token, kept apart from an sf-string."""

    value: str


BareItem = int | Decimal | str | Token | bytes | bool
Params = dict[str, BareItem]


@dataclass(frozen=True)
class Item:
    value: BareItem
    params: Params = field(default_factory=dict)


@dataclass(frozen=True)
class InnerList:
    items: tuple[Item, ...]
    params: Params = field(default_factory=dict)


Member = Item | InnerList

_KEY = re.compile(r"[a-z*][a-z0-9_.*-]*")
_TOKEN = re.compile(r"[A-Za-z*][!#$%&'*+.^_`|~0-9A-Za-z:/-]*")
_NUMBER = re.compile(r"-?(?:\d{1,12}\.\d{1,3}|\d{1,15})(?![\d.])")
_NUMBER_START = frozenset("-0123456789")
_STRING = re.compile(r'"((?:[ !#-\[\]-~]|\\["\\])*)"')
_STRING_CHARS = re.compile(r"[ -~]*")
_ESCAPED = re.compile(r'\\(["\\])')
_BYTES = re.compile(r":([A-Za-z0-9+/]*={0,2}):")
_BOOLEAN = re.compile(r"\?([01])")
_SEPARATOR = re.compile(r",[ \t]*(?=[^ \t])")


def parse_dictionary(text: str) -> list[tuple[str, Member]]:
    """Every `key[=member]` of a Dictionary field value, in order; an empty value has none."""
    parser = _Parser(text.rstrip(" "))
    parser.skip(" ")
    return parser.dictionary()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, what: str) -> StructuredFieldError:
        return StructuredFieldError(f"{what} at offset {self.pos}")

    def peek(self) -> str:
        return self.text[self.pos : self.pos + 1]

    def skip(self, chars: str) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in chars:
            self.pos += 1

    def take(self, pattern: re.Pattern[str], what: str) -> re.Match[str]:
        found = pattern.match(self.text, self.pos)
        if found is None:
            raise self.fail(f"expected {what}")
        self.pos = found.end()
        return found

    def dictionary(self) -> list[tuple[str, Member]]:
        members: list[tuple[str, Member]] = []
        while self.pos < len(self.text):
            key = self.take(_KEY, "a key").group()
            if self.peek() == "=":
                self.pos += 1
                members.append((key, self.inner_list() if self.peek() == "(" else self.item()))
            else:
                members.append((key, Item(True, self.params())))
            self.skip(" \t")
            if self.pos < len(self.text):
                self.take(_SEPARATOR, "',' and another member")
        return members

    def inner_list(self) -> InnerList:
        self.pos += 1
        items: list[Item] = []
        while True:
            self.skip(" ")
            if self.peek() == ")":
                self.pos += 1
                return InnerList(tuple(items), self.params())
            if self.pos == len(self.text):
                raise self.fail("unterminated inner list")
            items.append(self.item())
            if self.peek() not in (" ", ")", ""):
                raise self.fail("expected ' ' or ')' in an inner list")

    def item(self) -> Item:
        return Item(self.bare_item(), self.params())

    def params(self) -> Params:
        params: Params = {}
        while self.peek() == ";":
            self.pos += 1
            self.skip(" ")
            key = self.take(_KEY, "a parameter key").group()
            value: BareItem = True
            if self.peek() == "=":
                self.pos += 1
                value = self.bare_item()
            params[key] = value
        return params

    def bare_item(self) -> BareItem:
        first = self.peek()
        if first in _NUMBER_START:
            number = self.take(_NUMBER, "a number").group()
            return Decimal(number) if "." in number else int(number)
        if first == '"':
            return _ESCAPED.sub(r"\1", self.take(_STRING, "a string").group(1))
        if first == ":":
            return _decode_base64(self.take(_BYTES, "a byte sequence").group(1))
        if first == "?":
            return self.take(_BOOLEAN, "a boolean").group(1) == "1"
        return Token(self.take(_TOKEN, "an item").group())


def _decode_base64(encoded: str) -> bytes:
    """Padding may be left out (RFC 8941 §3.3.5), but not overdone."""
    try:
        if "=" in encoded and len(encoded) % 4:
            raise binascii.Error("too much padding")
        return base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except binascii.Error as err:
        raise StructuredFieldError(f"byte sequence is not base64: {err}") from err


def serialize_bare_item(value: BareItem) -> str:
    """The canonical text of a bare item (RFC 8941 §4.1.3)."""
    if isinstance(value, bool):
        return "?1" if value else "?0"
    if isinstance(value, int) and abs(value) < 10**15:
        return str(value)
    if isinstance(value, Decimal) and abs(value) < 10**12:
        text = format(value.quantize(Decimal("0.001")), "f").rstrip("0")
        return text + "0" if text.endswith(".") else text
    if isinstance(value, str) and _STRING_CHARS.fullmatch(value):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, Token) and _TOKEN.fullmatch(value.value):
        return value.value
    if isinstance(value, bytes):
        return ":" + base64.b64encode(value).decode("ascii") + ":"
    raise StructuredFieldError(f"cannot serialize {value!r} as a structured field item")


def serialize_key(key: str) -> str:
    if not _KEY.fullmatch(key):
        raise StructuredFieldError(f"not a structured field key: {key!r}")
    return key


def serialize_params(params: Params) -> str:
    """`;key=value` for each parameter, `;key` alone for a true boolean."""
    return "".join(_serialize_param(key, value) for key, value in params.items())


def _serialize_param(key: str, value: BareItem) -> str:
    if value is True:
        return f";{serialize_key(key)}"
    return f";{serialize_key(key)}={serialize_bare_item(value)}"


def serialize_inner_list(inner: InnerList) -> str:
    items = " ".join(serialize_bare_item(i.value) + serialize_params(i.params) for i in inner.items)
    return f"({items}){serialize_params(inner.params)}"
