"""Batches and feed pages survive the round trip exactly; hostile bytes get a clear WireError."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import zstandard
from hypothesis import given
from hypothesis import strategies as st

from bench._diary_changes import school_days
from sync import HybridClock, uuid7
from sync._wire import (
    Batch,
    Change,
    FeedEntry,
    FeedPage,
    WireError,
    decode_batch,
    decode_page,
    encode_batch,
    encode_page,
)

NODE = "box7f3a9c2e"


def changes(count: int, node: str = NODE) -> list[Change]:
    clock = HybridClock(node)
    return [
        Change("marks", uuid7(), "upsert", clock.now().encode(), 3, {"value": n % 5, "note": ""})
        for n in range(count)
    ]


def raw(body: object) -> bytes:
    return zstandard.ZstdCompressor().compress(json.dumps(body).encode())


def test_batch_and_page_round_trip_exactly() -> None:
    tombstone = Change("rooms", "legacy-7", "delete", changes(1)[0].hlc, 0, {"deleted": 1})
    made = [*changes(50), tombstone]  # an older clock: a negative step, and a non-UUID id
    batch = Batch("box-1", NODE, 101, made)
    assert decode_batch(encode_batch(batch)) == batch
    entries = [FeedEntry(7 + i, NODE, change) for i, change in enumerate(made)]
    page = FeedPage(6, 58, False, entries)
    assert decode_page(encode_page(page)) == page


def test_three_school_days_fit_in_the_byte_budget() -> None:
    days = school_days(3, students=200)
    encoded = [
        encode_batch(Batch("b", NODE, i + 1, days[i : i + 5000])) for i in range(0, len(days), 5000)
    ]
    assert [c for blob in encoded for c in decode_batch(blob).changes] == days
    assert sum(map(len, encoded)) / len(days) < 40  # the protocol's ceiling per change


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b"]),
            st.text(max_size=5),
            st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8)),
        ),
        max_size=30,
    )
)
def test_any_scalar_fields_round_trip(items: list[tuple[str, str, object]]) -> None:
    clock = HybridClock(NODE)
    made = [
        Change(table, uuid7(), "upsert", clock.now().encode(), 0, {name or "f": value})
        for table, name, value in items
    ]
    batch = Batch("box", NODE, 1, made)
    assert decode_batch(encode_batch(batch)) == batch


def _valid_body() -> dict[str, Any]:
    encoded = encode_batch(Batch("box", NODE, 1, changes(2)))
    body: dict[str, Any] = json.loads(zstandard.ZstdDecompressor().decompress(encoded))
    return body


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda b: b.update({"v": 2}), "not a version 1 batch"),
        (lambda b: b.update({"to": 9}), "does not match 2 changes"),
        (lambda b: b["changes"][0].__setitem__(0, 9), "no name number 9"),
        (lambda b: b["changes"][0].__setitem__(2, 5), "op must be 0 or 1"),
        (lambda b: b["changes"][0].__setitem__(3, -(10**15)), "bad clock step"),
        (lambda b: b["changes"][0].__setitem__(1, [0, "!!"]), "bad row id"),
        (lambda b: b["changes"][0].__setitem__(1, 17), "a row id is text or"),
        (lambda b: b["changes"][0][6].__setitem__(0, [0, {"nested": 1}]), "JSON scalars"),
        (lambda b: b["changes"][0].pop(), "a change has 7 parts"),
        (lambda b: b.update({"fields": "status"}), "fields: must be a list of names"),
        (lambda b: b.update({"box": ""}), "box: must be non-empty text"),
        (lambda b: b.update({"from": True}), "from: must be a whole number"),
    ],
)
def test_malformed_batches_are_refused(mutate: Callable[[Any], object], message: str) -> None:
    body = _valid_body()
    mutate(body)
    with pytest.raises(WireError, match=message):
        decode_batch(raw(body))


def test_hostile_frames() -> None:
    with pytest.raises(WireError, match="not zstd"):
        decode_batch(b"hello, this is not a zstd frame")
    with pytest.raises(WireError, match="known size"):
        decode_batch(b"\x28\xb5\x2f\xfd" + b"\x00" * 20)
    with pytest.raises(WireError, match="known size"):
        decode_batch(zstandard.ZstdCompressor(write_content_size=False).compress(b"{}"))
    bomb = zstandard.ZstdCompressor().compress(b" " * (17 << 20))
    with pytest.raises(WireError) as refused:
        decode_batch(bomb)
    assert refused.value.too_large
    with pytest.raises(WireError) as big:
        decode_batch(b"x" * ((1 << 20) + 1))
    assert big.value.too_large
    with pytest.raises(WireError, match="not JSON"):
        decode_batch(zstandard.ZstdCompressor().compress(b"\xff{"))
    with pytest.raises(WireError, match="written by other"):
        encode_batch(Batch("box", NODE, 1, changes(1, node="other")))


def test_too_many_changes() -> None:
    body = _valid_body()
    body["changes"] = body["changes"] * 5001
    body["to"] = 10002
    with pytest.raises(WireError) as refused:
        decode_batch(raw(body))
    assert refused.value.too_large
