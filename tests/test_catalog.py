"""The signed content catalog: entries, the chained log digest, the head, the box's index."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import zstandard
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from content_cache import (
    ZERO_DIGEST,
    BadSignature,
    CatalogEntry,
    CatalogError,
    CatalogFile,
    CatalogHead,
    CatalogIndex,
    ExpiredHead,
    RollbackError,
    SignedHead,
    canonical,
    chain,
    entry_from_json,
    entry_to_json,
    sign_head,
    verify_delta,
    verify_head,
)

HUB_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
PUBLIC = HUB_KEY.public_key()
NOW = 1_800_000_000
EXPIRES = NOW + 86_400
SHA = hashlib.sha256(b"index.html").hexdigest()


def entry(version: int, n: int | None = None, **changes: Any) -> CatalogEntry:
    n = version if n is None else n
    base = CatalogEntry(
        id=f"0192f0c4-7a1b-7c3d-9e8f-{n:012d}",
        kind="lesson",
        title=f"Fractions, part {n}",
        subject="mathematics",
        grades=("5", "6"),
        language="en",
        files=(CatalogFile(f"lesson-{n}/index.html", SHA, 18_432, "text/html"),),
        version=version,
    )
    return dataclasses.replace(base, **changes)


def head_for(
    records: list[CatalogEntry], *, key: Ed25519PrivateKey = HUB_KEY, **over: Any
) -> SignedHead:
    """The hub's signed head over the log `records` (versions 1 … n); `over` changes fields."""
    digest = ZERO_DIGEST
    for record in records:
        digest = chain(digest, record)
    live = {r.id: r for r in records}
    head = CatalogHead(
        version=len(records),
        count=sum(not r.deleted for r in live.values()),
        digest=digest.hex(),
        expires=EXPIRES,
    )
    return sign_head(dataclasses.replace(head, **over), key)


@pytest.fixture
def index(tmp_path: Path) -> Iterator[CatalogIndex]:
    with CatalogIndex(tmp_path / "catalog.db") as catalog:
        yield catalog


# --- entries -----------------------------------------------------------------------------------


def test_canonical_encoding_is_stable() -> None:
    e = entry(3, title="Дроби — часть 1", grades=("6", "5"))
    expected = (
        '{"deleted":false,"files":[{"mime":"text/html","path":"lesson-3/index.html",'
        f'"sha256":"{SHA}","size":18432}}],"grades":["6","5"],"id":"0192f0c4-7a1b-7c3d-9e8f-'
        '000000000003","kind":"lesson","language":"en","subject":"mathematics",'
        '"title":"Дроби — часть 1","version":3}'
    )
    assert canonical(e) == expected.encode("utf-8")
    assert entry_from_json(json.loads(canonical(e))) == e
    assert chain(ZERO_DIGEST, e) == hashlib.sha256(bytes(32) + canonical(e)).digest()


def _with(field: str, value: Any, file_field: bool = False) -> dict[str, Any]:
    body = entry_to_json(entry(1))
    target = body["files"][0] if file_field else body
    target[field] = value
    return body


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "entry: must be an object"),
        (_with("kind", "malware"), "kind: 'malware' is not one of"),
        (_with("id", ""), "id: must not be empty"),
        (_with("id", "x" * 201), "id: longer than 200"),
        (_with("version", True), "version: must be a whole number"),
        (_with("version", 0), "version: must be a whole number"),
        (_with("grades", "5"), "grades: must be a list"),
        (_with("grades", [5]), "grades[0]: must be text"),
        (_with("deleted", 0), "deleted: must be true or false"),
        (_with("title", "\ud800"), "title: not valid Unicode"),
        (_with("extra", 1), "entry: unknown field 'extra'"),
        ({k: v for k, v in _with("x", 0).items() if k not in ("x", "files")}, "missing field"),
        (_with("sha256", SHA.upper(), True), "files[0].sha256: must be 64 lowercase hex"),
        (_with("sha256", SHA[:-1], True), "files[0].sha256"),
        (_with("size", -1, True), "files[0].size: must be a whole number"),
        (_with("size", 1.0, True), "files[0].size: must be a whole number"),
        (_with("path", "../etc/passwd", True), "files[0].path: '../etc/passwd' is not a norm"),
        (_with("path", "a/../../b", True), "files[0].path"),
        (_with("path", "/etc/passwd", True), "files[0].path: '/etc/passwd' is absolute"),
        (_with("path", "a\\..\\b", True), "has a backslash"),
        (_with("path", "a\x00.html", True), "control character"),
        (_with("path", "a//b", True), "not a normalized relative path"),
        (_with("path", "", True), "files[0].path: must not be empty"),
        (_with("mime", None, True), "files[0].mime: must be text"),
    ],
)
def test_hostile_entries_are_refused_naming_the_field(body: Any, message: str) -> None:
    with pytest.raises(CatalogError) as refused:
        entry_from_json(body)
    assert message in str(refused.value)


def test_a_path_listed_twice_is_refused() -> None:
    body = entry_to_json(entry(1))
    body["files"].append(dict(body["files"][0]))
    with pytest.raises(CatalogError, match="files: a path is listed twice"):
        entry_from_json(body)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
FIELDS = st.sampled_from(sorted(entry_to_json(entry(1))))
FILE_FIELDS = st.sampled_from(["path", "sha256", "size", "mime"])


@settings(deadline=None, max_examples=300)
@given(whole=JSON, field=FIELDS, file_field=FILE_FIELDS, value=JSON, where=st.integers(0, 2))
def test_entry_from_json_only_ever_raises_catalog_error(
    whole: Any, field: str, file_field: str, value: Any, where: int
) -> None:
    body: Any = [whole, _with(field, value), _with(file_field, value, file_field=True)][where]
    try:
        decoded = entry_from_json(body)
    except CatalogError:
        return
    assert entry_from_json(json.loads(canonical(decoded))) == decoded


# --- the head ----------------------------------------------------------------------------------


def test_signed_head_round_trips_through_json() -> None:
    signed = head_for([entry(1), entry(2)])
    wire = json.loads(json.dumps(signed.to_json()))
    assert SignedHead.from_json(wire) == signed
    assert verify_head(SignedHead.from_json(wire), PUBLIC, held_version=0, now=NOW) == signed.head


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"signature": "not base64!"}, "head.signature"),
        ({"signature": "AAAA"}, "head.signature: must be 64 bytes"),
        ({"digest": "00"}, "head.digest"),
        ({"version": -1}, "head.version"),
        ({"extra": 1}, "unknown field 'extra'"),
    ],
)
def test_malformed_heads_are_refused(change: dict[str, Any], message: str) -> None:
    with pytest.raises(CatalogError) as refused:
        SignedHead.from_json({**head_for([entry(1)]).to_json(), **change})
    assert message in str(refused.value)


def test_tampered_head_or_wrong_key_is_a_bad_signature() -> None:
    signed = head_for([entry(1)])
    tampered = SignedHead(dataclasses.replace(signed.head, expires=EXPIRES + 1), signed.signature)
    with pytest.raises(BadSignature):
        verify_head(tampered, PUBLIC, held_version=0, now=NOW)
    with pytest.raises(BadSignature):
        verify_head(signed, OTHER_KEY.public_key(), held_version=0, now=NOW)
    forged = sign_head(signed.head, OTHER_KEY)
    with pytest.raises(BadSignature):
        verify_head(forged, PUBLIC, held_version=0, now=NOW)


def test_rollback_and_expired_heads_are_refused() -> None:
    signed = head_for([entry(1), entry(2)])
    assert verify_head(signed, PUBLIC, held_version=2, now=NOW).version == 2
    with pytest.raises(RollbackError, match="version 2 is older than held 3"):
        verify_head(signed, PUBLIC, held_version=3, now=NOW)
    with pytest.raises(ExpiredHead, match="frozen"):
        verify_head(signed, PUBLIC, held_version=0, now=EXPIRES)


def test_verify_delta_names_the_version_that_broke() -> None:
    records = [entry(v) for v in range(1, 6)]
    head = head_for(records).head
    held = chain(chain(ZERO_DIGEST, records[0]), records[1])
    assert verify_delta(2, held, records[2:], head).hex() == head.digest
    with pytest.raises(CatalogError, match="version 4 expected, record has 5"):
        verify_delta(2, held, [records[2], records[4]], head)
    with pytest.raises(CatalogError, match="versions 5…5 are missing"):
        verify_delta(2, held, records[2:4], head)
    with pytest.raises(CatalogError, match="version 3 expected, record has 4"):
        verify_delta(2, held, [records[3], records[2], records[4]], head)
    tampered = [records[2], dataclasses.replace(records[3], title="x"), records[4]]
    with pytest.raises(CatalogError, match="digest at version 5 does not match"):
        verify_delta(2, held, tampered, head)


# --- the index ---------------------------------------------------------------------------------


def log() -> list[CatalogEntry]:
    """Six versions: four entries, one of them retitled, one deleted."""
    return [
        entry(1, 1),
        entry(2, 2, title="Photosynthesis", subject="biology", grades=("7",), kind="video"),
        entry(3, 3, title="Algebra test", kind="test", grades=("8",)),
        entry(4, 1, title="Fractions, revised"),
        entry(5, 4, title="The water cycle", subject="geography", kind="presentation"),
        entry(6, 3, title="Algebra test", kind="test", grades=("8",), deleted=True),
    ]


def snapshot(index: CatalogIndex) -> tuple[Any, ...]:
    return index.held(), index.count(), index.search(), index.get(entry(1).id)


def test_apply_stores_the_latest_record_of_each_entry(index: CatalogIndex) -> None:
    assert index.held() == (0, ZERO_DIGEST)
    records = log()
    head = index.apply(head_for(records), records, PUBLIC, NOW)
    assert index.held() == (6, bytes.fromhex(head.digest))
    assert index.count() == 3
    assert index.get(entry(1).id) == records[3]
    assert index.get(entry(3).id) is None
    assert index.get(entry(3).id, include_deleted=True) == records[5]
    assert index.get("no-such-entry") is None


def test_the_index_survives_reopening(tmp_path: Path) -> None:
    records = log()
    with CatalogIndex(tmp_path / "catalog.db") as first:
        first.apply(head_for(records), records, PUBLIC, NOW)
        before = snapshot(first)
    with CatalogIndex(tmp_path / "catalog.db") as again:
        assert snapshot(again) == before


def test_two_deltas_in_turn_equal_one_delta(tmp_path: Path) -> None:
    records = log()
    with CatalogIndex(tmp_path / "a.db") as a, CatalogIndex(tmp_path / "b.db") as b:
        a.apply(head_for(records[:2]), records[:2], PUBLIC, NOW)
        a.apply(head_for(records), records[2:], PUBLIC, NOW)
        b.apply(head_for(records), records, PUBLIC, NOW)
        assert snapshot(a) == snapshot(b)
        assert a.search("algebra", kind="test") == b.search("algebra", kind="test") == []


@pytest.mark.parametrize(
    ("bad", "refusal"),
    [
        ("gap", "version 4 expected, record has 5"),
        ("reordered", "version 3 expected, record has 4"),
        ("tampered", "digest at version 6 does not match the head"),
        ("short", "versions 6…6 are missing"),
        ("wrong count", "head: count 4, catalog holds 3 entries"),
        ("bad signature", "bad signature"),
        ("rollback", "version 1 is older than held 2"),
        ("expired", "the catalog is frozen"),
    ],
)
def test_a_refused_delta_changes_nothing(index: CatalogIndex, bad: str, refusal: str) -> None:
    records = log()
    index.apply(head_for(records[:2]), records[:2], PUBLIC, NOW)
    before = snapshot(index)
    head, delta, now = head_for(records), records[2:], NOW
    if bad == "gap":
        delta = [records[2], *records[4:]]
    elif bad == "reordered":
        delta = [records[3], records[2], *records[4:]]
    elif bad == "tampered":
        delta = [*records[2:5], dataclasses.replace(records[5], deleted=False)]
    elif bad == "short":
        delta = records[2:5]
    elif bad == "wrong count":
        head = head_for(records, count=4)
    elif bad == "bad signature":
        head = head_for(records, key=OTHER_KEY)
    elif bad == "rollback":
        head, delta = head_for(records[:1]), []
    else:
        now = EXPIRES
    with pytest.raises(CatalogError) as refused:
        index.apply(head, delta, PUBLIC, now)
    assert refusal in str(refused.value)
    assert snapshot(index) == before


def titles(found: list[CatalogEntry]) -> list[str]:
    return [e.title for e in found]


def test_search_by_text_subject_grade_and_kind(index: CatalogIndex) -> None:
    records = log()
    index.apply(head_for(records), records, PUBLIC, NOW)
    assert titles(index.search()) == ["Fractions, revised", "Photosynthesis", "The water cycle"]
    assert titles(index.search("fract")) == ["Fractions, revised"]
    assert titles(index.search("part")) == []  # the old title left the full-text index
    assert titles(index.search("PHOTO")) == ["Photosynthesis"]
    assert titles(index.search("video")) == ["Photosynthesis"]
    assert titles(index.search("water geography")) == ["The water cycle"]
    assert titles(index.search("water biology")) == []
    assert titles(index.search(subject="biology")) == ["Photosynthesis"]
    assert titles(index.search(grade="6")) == ["Fractions, revised", "The water cycle"]
    assert titles(index.search(grade="8")) == []  # the algebra test was deleted
    assert titles(index.search("algebra")) == []
    assert titles(index.search(kind="presentation")) == ["The water cycle"]
    assert titles(index.search("cycle", subject="geography", grade="5", kind="presentation")) == [
        "The water cycle"
    ]
    assert len(index.search(limit=1)) == 1


def test_search_finds_text_without_its_diacritics(index: CatalogIndex) -> None:
    records = [entry(1, title="Žiema ir vasara", language="lt")]
    index.apply(head_for(records), records, PUBLIC, NOW)
    assert [e.title for e in index.search("ziema")] == ["Žiema ir vasara"]


@pytest.mark.parametrize(
    "text",
    ['"foo', "AND", "OR NOT", "NEAR(a b)", "*", "title:x", '"', "a -b", "(", "^x", "\\", "—"],
)
def test_weird_search_text_is_only_text(index: CatalogIndex, text: str) -> None:
    records = log()
    index.apply(head_for(records), records, PUBLIC, NOW)
    assert isinstance(index.search(text), list)


@settings(deadline=None, max_examples=100)
@given(text=st.text(max_size=30))
def test_any_search_text_is_safe(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "catalog.db"
    with CatalogIndex(path) as catalog:
        assert catalog.search(text) == []


def test_a_delta_of_100_entries_is_small() -> None:
    """O(d): a box 1000 versions in receives the 100 changed records and a constant-size head.
    Uncompressed, a one-file entry with a UUID id is ~340 bytes (100 of them ≈ 34 KB, above the
    30 KB first guessed); zstd, as on the sync wire, leaves ~5 KB (the hashes do not compress)."""
    history = [entry(v, v % 1000) for v in range(1, 1001)]
    changed = [
        entry(v, v % 1000, title=f"Fractions, part {v} (revised)", files=(_file(v),))
        for v in range(1001, 1101)
    ]
    signed = head_for([*history, *changed])
    held = ZERO_DIGEST
    for record in history:
        held = chain(held, record)
    assert verify_delta(1000, held, changed, signed.head).hex() == signed.head.digest
    wire = b"[" + b",".join(canonical(e) for e in changed) + b"]"
    assert len(wire) < 40_000, len(wire)
    assert len(zstandard.ZstdCompressor(level=9).compress(wire)) < 10_000
    assert len(json.dumps(signed.to_json())) < 250
    assert [entry_from_json(e) for e in json.loads(wire)] == changed


def _file(n: int) -> CatalogFile:
    sha = hashlib.sha256(n.to_bytes(8, "big")).hexdigest()
    return CatalogFile(f"lesson-{n}/index.html", sha, 18_432, "text/html")
