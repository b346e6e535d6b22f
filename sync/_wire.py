"""Batches and feed pages on the wire (docs/sync-protocol.md §9): JSON with table and field
names sent once and referred to by index, compressed with zstd. Decoding trusts nothing."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import zstandard

from sync._clock import ClockError, Timestamp

MAX_COMPRESSED = 1 << 20
MAX_DECOMPRESSED = 16 << 20
MAX_CHANGES = 10_000
_OPS = ("upsert", "delete")
_LOW_80 = (1 << 80) - 1
_LEVEL = 9  # compression level: ~all of zstd's gain on diary changes, at a few MB/s on a box


class WireError(ValueError):
    """A batch or page that is malformed, too large or inconsistent (the hub answers 400/413)."""

    def __init__(self, why: str, *, too_large: bool = False) -> None:
        super().__init__(why)
        self.too_large = too_large


@dataclass(frozen=True)
class Change:
    table: str
    row: str
    op: str
    hlc: str
    cursor: int
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Batch:
    """A box's changes `first` … `last` (its own sequence numbers), in order, all written by
    its node `node`."""

    box: str
    node: str
    first: int
    changes: list[Change]

    @property
    def last(self) -> int:
        return self.first + len(self.changes) - 1


@dataclass(frozen=True)
class FeedEntry:
    feed_seq: int
    node: str
    change: Change


@dataclass(frozen=True)
class FeedPage:
    since: int
    next: int
    more: bool
    entries: list[FeedEntry]


def encode_batch(batch: Batch) -> bytes:
    names = _Names()
    rows = [names.pack(change, batch.node) for change in batch.changes]
    head = {"box": batch.box, "node": batch.node, "from": batch.first, "to": batch.last}
    return _compress({"v": 1, **head, **names.tables(), "changes": rows})


def encode_page(page: FeedPage) -> bytes:
    names = _Names()
    rows = [[e.feed_seq, e.node, *names.pack(e.change, e.node)] for e in page.entries]
    head = {"since": page.since, "next": page.next, "more": page.more}
    return _compress({"v": 1, **head, **names.tables(), "changes": rows})


def decode_batch(data: bytes) -> Batch:
    body = _decompress(data)
    box, node = _text(body, "box"), _text(body, "node")
    first, last = _count(body, "from"), _count(body, "to")
    names = _Names.read(body)
    rows = _changes(body)
    if last - first + 1 != len(rows):
        raise WireError(f"from {first} to {last} does not match {len(rows)} changes")
    changes = [names.unpack(row, node, f"changes[{i}]") for i, row in enumerate(rows)]
    return Batch(box, node, first, changes)


def decode_page(data: bytes) -> FeedPage:
    body = _decompress(data)
    names = _Names.read(body)
    entries = []
    for i, row in enumerate(_changes(body)):
        where = f"changes[{i}]"
        if not isinstance(row, list) or len(row) < 2:
            raise WireError(f"{where}: not a feed entry")
        node = _str(row[1], where)
        entries.append(FeedEntry(_int(row[0], where), node, names.unpack(row[2:], node, where)))
    more = body.get("more")
    if not isinstance(more, bool):
        raise WireError("more: must be true or false")
    return FeedPage(_count(body, "since"), _count(body, "next"), more, entries)


class _Names:
    """Table and field names, each sent once; HLC wall times as the step from the last one."""

    def __init__(self, tables: Sequence[str] = (), fields: Sequence[str] = ()) -> None:
        self._tables = {name: i for i, name in enumerate(tables)}
        self._fields = {name: i for i, name in enumerate(fields)}
        self._wall = 0

    @classmethod
    def read(cls, body: dict[str, Any]) -> _Names:
        tables, fields = body.get("tables"), body.get("fields")
        for key, names in (("tables", tables), ("fields", fields)):
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise WireError(f"{key}: must be a list of names")
        return cls(tables or [], fields or [])

    def tables(self) -> dict[str, list[str]]:
        return {"tables": list(self._tables), "fields": list(self._fields)}

    def pack(self, change: Change, node: str) -> list[Any]:
        stamp = Timestamp.decode(change.hlc)
        if stamp.node != node:
            raise WireError(f"change {change.row} was written by {stamp.node}, not {node}")
        step, self._wall = stamp.wall_ms - self._wall, stamp.wall_ms
        table = self._tables.setdefault(change.table, len(self._tables))
        values = [[self._field(name), value] for name, value in change.fields.items()]
        op = _OPS.index(change.op)
        row = _pack_row(change.row, stamp.wall_ms)
        return [table, row, op, step, stamp.counter, change.cursor, values]

    def _field(self, name: str) -> int:
        return self._fields.setdefault(name, len(self._fields))

    def unpack(self, row: Any, node: str, where: str) -> Change:
        if not isinstance(row, list) or len(row) != 7:
            raise WireError(f"{where}: a change has 7 parts")
        table, row_id, op, step, counter, cursor, values = row
        if not (isinstance(op, int) and 0 <= op < len(_OPS)):
            raise WireError(f"{where}: op must be 0 or 1")
        if not isinstance(step, int) or isinstance(step, bool) or self._wall + step < 0:
            raise WireError(f"{where}: bad clock step {step!r}")
        self._wall += step
        hlc = Timestamp(self._wall, _int(counter, where), node).encode()
        try:
            Timestamp.decode(hlc)
        except ClockError as err:
            raise WireError(f"{where}: {err}") from err
        tables, fields = list(self._tables), list(self._fields)
        return Change(
            _pick(tables, table, where),
            _unpack_row(row_id, self._wall, where),
            _OPS[op],
            hlc,
            _int(cursor, where),
            _field_values(fields, values, where),
        )


def _pack_row(row: str, wall_ms: int) -> str | list[Any]:
    """A UUIDv7 made with the change goes as its time's offset from the change's clock and its
    80 other bits: less than half the bytes of its text, even after compression."""
    try:
        parsed = uuid.UUID(row)
    except ValueError:
        return row
    if parsed.version != 7 or str(parsed) != row:
        return row
    low = (parsed.int & _LOW_80).to_bytes(10, "big")
    return [(parsed.int >> 80) - wall_ms, base64.urlsafe_b64encode(low).rstrip(b"=").decode()]


def _unpack_row(packed: Any, wall_ms: int, where: str) -> str:
    if isinstance(packed, str) and packed:
        return packed
    if not (isinstance(packed, list) and len(packed) == 2 and isinstance(packed[0], int)):
        raise WireError(f"{where}: a row id is text or [offset, bits]")
    offset, bits = packed
    try:
        low = base64.urlsafe_b64decode(_str(bits, where) + "==")
    except ValueError as err:
        raise WireError(f"{where}: bad row id bits") from err
    high = wall_ms + offset
    if len(low) != 10 or not 0 <= high < 1 << 48:
        raise WireError(f"{where}: bad row id")
    return str(uuid.UUID(int=high << 80 | int.from_bytes(low, "big")))


def _field_values(fields: list[str], values: Any, where: str) -> dict[str, Any]:
    if not isinstance(values, list):
        raise WireError(f"{where}: fields must be a list")
    out: dict[str, Any] = {}
    for pair in values:
        if not (isinstance(pair, list) and len(pair) == 2):
            raise WireError(f"{where}: each field is [index, value]")
        if isinstance(pair[1], dict | list):
            raise WireError(f"{where}: field values are JSON scalars")
        out[_pick(fields, pair[0], where)] = pair[1]
    return out


def _pick(names: list[str], index: Any, where: str) -> str:
    if not (isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(names)):
        raise WireError(f"{where}: no name number {index!r}")
    return names[index]


def _compress(body: dict[str, Any]) -> bytes:
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    return zstandard.ZstdCompressor(level=_LEVEL, write_content_size=True).compress(text)


def _decompress(data: bytes) -> dict[str, Any]:
    if len(data) > MAX_COMPRESSED:
        raise WireError(f"larger than {MAX_COMPRESSED} bytes compressed", too_large=True)
    try:
        size = zstandard.frame_content_size(data)
        if size < 0 or size > MAX_DECOMPRESSED:
            raise WireError("a zstd frame with a known size up to 16 MiB", too_large=size > 0)
        body = json.loads(zstandard.ZstdDecompressor().decompress(data, max_output_size=size))
    except zstandard.ZstdError as err:
        raise WireError(f"not zstd: {err}") from err
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise WireError(f"not JSON: {err}") from err
    if not isinstance(body, dict) or body.get("v") != 1:
        raise WireError("not a version 1 batch")
    return body


def _changes(body: dict[str, Any]) -> list[Any]:
    changes = body.get("changes")
    if not isinstance(changes, list):
        raise WireError("changes: must be a list")
    if len(changes) > MAX_CHANGES:
        raise WireError(f"more than {MAX_CHANGES} changes", too_large=True)
    return changes


def _text(body: dict[str, Any], key: str) -> str:
    return _str(body.get(key), key)


def _count(body: dict[str, Any], key: str) -> int:
    return _int(body.get(key), key)


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise WireError(f"{where}: must be non-empty text")
    return value


def _int(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise WireError(f"{where}: must be a whole number ≥ 0")
    return value
