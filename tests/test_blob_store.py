"""The content-addressed blob store, on real files and SQLite in tmp_path."""

from __future__ import annotations

import errno
import hashlib
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import content_cache._blobs_partial as partial_module
from content_cache import BlobMismatch, BlobStore, BlobStoreError, StoreFull

BIG = 10**12


def blob(label: str, size: int = 1000) -> tuple[bytes, str]:
    data = (label.encode() * size)[:size]
    return data, hashlib.sha256(data).hexdigest()


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def make_store(tmp_path: Path) -> Iterator[Callable[..., BlobStore]]:
    stores: list[BlobStore] = []

    def make(**options: object) -> BlobStore:
        settings: dict[str, object] = {"quota_bytes": BIG, "reserve_free_bytes": 0}
        settings["disk_free"] = lambda _path: BIG
        settings.update(options)
        store = BlobStore(tmp_path / "store", **settings)  # type: ignore[arg-type]
        stores.append(store)
        return store

    yield make
    for store in stores:
        store.close()


def temp_files(store_root: Path) -> list[Path]:
    return list((store_root / "tmp").iterdir())


def test_round_trip(make_store: Callable[..., BlobStore], tmp_path: Path) -> None:
    store = make_store()
    data, sha = blob("a")
    path = store.put_bytes(data, sha)
    assert path == tmp_path / "store" / "blobs" / sha[:2] / sha[2:4] / sha
    assert path.read_bytes() == data
    assert store.path(sha) == path
    assert store.has(sha)
    assert store.size(sha) == len(data)
    source = tmp_path / "usb.bin"
    other, other_sha = blob("usb", 3 << 20)
    source.write_bytes(other)
    assert store.put_file(source, other_sha).read_bytes() == other
    usage = store.usage()
    assert (usage.count, usage.bytes, usage.pinned_bytes) == (2, len(data) + len(other), 0)
    assert not store.has(blob("never stored")[1])
    assert store.path(blob("never stored")[1]) is None


def test_resume_after_a_crash(make_store: Callable[..., BlobStore]) -> None:
    data, sha = blob("lesson", 5000)
    first = make_store()
    partial = first.open_partial(sha, len(data))
    assert partial.offset == 0
    partial.append(data[:1700])
    first.close()  # the process dies here; only the prefix in root/tmp survives

    second = make_store()
    resumed = second.open_partial(sha, len(data))
    assert resumed.offset == 1700
    resumed.append(data[resumed.offset :])
    assert second.commit(sha).read_bytes() == data
    assert second.check() == []


def test_released_partials(make_store: Callable[..., BlobStore]) -> None:
    store = make_store()
    data, sha = blob("lesson", 3000)
    first = store.open_partial(sha, len(data))
    first.append(data[:1000])
    with pytest.raises(BlobStoreError, match="already being written"):
        store.open_partial(sha, len(data))
    store.release_partial(sha)  # the link dropped: keep the prefix for later
    with pytest.raises(BlobStoreError, match="closed"):
        first.append(data[1000:])
    second = store.open_partial(sha, len(data))
    assert second.offset == 1000
    store.release_partial(sha, keep_prefix=False)
    third = store.open_partial(sha, len(data))
    assert third.offset == 0
    third.append(data)
    store.commit(sha)
    with pytest.raises(BlobStoreError, match="already stored"):
        store.open_partial(sha, len(data))
    with pytest.raises(BlobStoreError, match="no partial open"):
        store.commit(sha)


def test_a_corrupt_prefix_is_caught_at_commit(
    make_store: Callable[..., BlobStore], tmp_path: Path
) -> None:
    data, sha = blob("lesson", 2000)
    (tmp_path / "store" / "tmp").mkdir(parents=True)
    (tmp_path / "store" / "tmp" / f"{sha}.part").write_bytes(b"X" * 500)
    store = make_store()
    partial = store.open_partial(sha, len(data))
    partial.append(data[partial.offset :])
    with pytest.raises(BlobMismatch):
        store.commit(sha)
    assert not store.has(sha)
    assert temp_files(tmp_path / "store") == []


def test_mismatch_stores_nothing(make_store: Callable[..., BlobStore], tmp_path: Path) -> None:
    store = make_store()
    data, _ = blob("a")
    _, wrong_sha = blob("b")
    with pytest.raises(BlobMismatch, match="hashes to"):
        store.put_bytes(data, wrong_sha)
    too_long = store.open_partial(wrong_sha, 10)
    with pytest.raises(BlobMismatch, match="longer"):
        too_long.append(data)
    assert not store.has(wrong_sha)
    assert store.path(wrong_sha) is None
    assert store.usage().count == 0
    assert temp_files(tmp_path / "store") == []
    assert list((tmp_path / "store" / "blobs").rglob("*")) == []


def test_quota_evicts_least_recently_used_and_never_pinned(
    make_store: Callable[..., BlobStore],
) -> None:
    clock = Clock()
    store = make_store(quota_bytes=3000, clock=clock)
    (a, a_sha), (b, b_sha), (c, c_sha), (d, d_sha), (e, e_sha) = map(blob, "abcde")
    for data, sha in [(a, a_sha), (b, b_sha), (c, c_sha)]:
        store.put_bytes(data, sha)
        clock.now += 10
    store.pin([c_sha], "timetable")
    clock.now += 100
    assert store.path(a_sha) is not None  # a read makes `a` recent
    store.put_bytes(d, d_sha)  # `b` is the least recently used unpinned blob
    assert [store.has(sha) for sha in (a_sha, b_sha, c_sha, d_sha)] == [True, False, True, True]
    clock.now += 100
    store.put_bytes(e, e_sha)  # then `a`; `c` is older but pinned
    assert [store.has(sha) for sha in (a_sha, c_sha, d_sha, e_sha)] == [False, True, True, True]
    assert store.pinned_bytes() == 1000


def test_reads_touch_at_most_once_a_minute(make_store: Callable[..., BlobStore]) -> None:
    clock = Clock()
    store = make_store(quota_bytes=2000, clock=clock)
    (a, a_sha), (b, b_sha), (c, c_sha) = map(blob, "abc")
    store.put_bytes(a, a_sha)
    clock.now += 1
    store.put_bytes(b, b_sha)
    clock.now += 30
    store.path(a_sha)  # within a minute of being added: not recorded, `a` stays the oldest
    store.put_bytes(c, c_sha)
    assert (store.has(a_sha), store.has(b_sha)) == (False, True)


def test_store_full_when_only_pinned_blobs_remain(
    make_store: Callable[..., BlobStore], tmp_path: Path
) -> None:
    store = make_store(quota_bytes=2500)
    (a, a_sha), (b, b_sha) = blob("a"), blob("b")
    store.put_bytes(a, a_sha)
    store.put_bytes(b, b_sha)
    store.set_pins("teacher:7", [a_sha])
    big, big_sha = blob("big", 1600)
    with pytest.raises(StoreFull, match="1000 are pinned"):
        store.put_bytes(big, big_sha)
    assert store.has(b_sha), "nothing is evicted for a blob that cannot fit anyway"
    store.pin([b_sha], "timetable")
    c, c_sha = blob("c")
    with pytest.raises(StoreFull, match=r"no room for 1000 bytes.*2000 are pinned"):
        store.open_partial(c_sha, len(c))
    assert (store.has(a_sha), store.has(b_sha), store.has(c_sha)) == (True, True, False)
    assert store.check() == []
    assert temp_files(tmp_path / "store") == []
    store.unpin_reason("timetable")
    store.put_bytes(c, c_sha)
    assert (store.has(b_sha), store.has(c_sha)) == (False, True)


def test_set_pins_replaces_a_reason(make_store: Callable[..., BlobStore]) -> None:
    store = make_store()
    (a, a_sha), (b, b_sha) = blob("a"), blob("b")
    store.put_bytes(a, a_sha)
    store.put_bytes(b, b_sha)
    store.pin([a_sha, b_sha], "timetable")
    store.pin([a_sha], "teacher:3")
    store.set_pins("timetable", [b_sha])
    assert store.pinned_bytes() == 2000
    store.unpin_reason("timetable")
    assert store.usage().pinned_bytes == 1000


def test_free_disk_reserve_is_honoured(
    make_store: Callable[..., BlobStore], tmp_path: Path
) -> None:
    def disk_free(_root: Path) -> int:
        folders = [tmp_path / "store" / "blobs", tmp_path / "store" / "tmp"]
        return 10_000 - sum(p.stat().st_size for d in folders for p in d.rglob("*") if p.is_file())

    clock = Clock()
    store = make_store(reserve_free_bytes=5000, disk_free=disk_free, clock=clock)
    blobs = [blob(label, 2000) for label in "abc"]
    for data, sha in blobs:
        store.put_bytes(data, sha)
        clock.now += 10
    assert [store.has(sha) for _, sha in blobs] == [False, True, True]
    assert store.usage().free_disk == 6000
    with pytest.raises(StoreFull, match="5000 of them kept in reserve"):
        store.open_partial(blob("huge", 5500)[1], 5500)
    assert [store.has(sha) for _, sha in blobs] == [False, True, True]


def test_disk_full_while_writing(
    make_store: Callable[..., BlobStore], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = make_store()
    data, sha = blob("a")

    def no_space(path: Path, chunk: bytes) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(partial_module, "append_to_file", no_space)
    with pytest.raises(StoreFull, match="disk full"):
        store.put_bytes(data, sha)
    assert not store.has(sha)
    assert store.usage().count == 0
    assert temp_files(tmp_path / "store") == []
    monkeypatch.undo()
    assert store.put_bytes(data, sha).read_bytes() == data  # nothing left half-open


def test_check_repairs_files_index_and_temps(
    make_store: Callable[..., BlobStore], tmp_path: Path
) -> None:
    root = tmp_path / "store"
    store = make_store()
    (a, a_sha), (b, b_sha), (c, c_sha) = map(blob, "abc")
    store.put_bytes(a, a_sha).unlink()  # deleted behind the store's back
    store.put_bytes(b, b_sha)
    unindexed = root / "blobs" / c_sha[:2] / c_sha[2:4] / c_sha
    unindexed.parent.mkdir(parents=True)
    unindexed.write_bytes(c)  # e.g. a crash between rename and index
    (root / "blobs" / "zz").mkdir()
    (root / "blobs" / "zz" / "junk").write_bytes(b"junk")
    _, d_sha = blob("d")
    liar = root / "blobs" / d_sha[:2] / d_sha[2:4] / d_sha
    liar.parent.mkdir(parents=True)
    liar.write_bytes(b"not d")
    stale, fresh = root / "tmp" / "old.part", root / "tmp" / "new.part"
    stale.write_bytes(b"x")
    fresh.write_bytes(b"x")
    os.utime(stale, (0, 0))

    problems = store.check()
    assert len(problems) == 5, problems
    assert (store.has(a_sha), store.has(b_sha), store.has(c_sha)) == (False, True, True)
    assert not liar.exists()
    assert not (root / "blobs" / "zz" / "junk").exists()
    assert (stale.exists(), fresh.exists()) == (False, True)
    assert store.check() == []


def test_concurrent_commits_of_different_blobs(make_store: Callable[..., BlobStore]) -> None:
    store = make_store()
    blobs = [blob(label, 200_000) for label in ("first", "second")]
    start = threading.Barrier(len(blobs))
    errors: list[BaseException] = []

    def write(data: bytes, sha: str) -> None:
        try:
            partial = store.open_partial(sha, len(data))
            start.wait(timeout=5)
            for offset in range(0, len(data), 16_384):
                partial.append(data[offset : offset + 16_384])
            store.commit(sha)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=write, args=item) for item in blobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert errors == []
    assert all(store.has(sha) for _, sha in blobs)
    assert store.usage().count == 2
    assert store.check() == []
