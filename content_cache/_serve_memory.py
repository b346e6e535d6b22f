"""Small hot blobs kept in memory with their response headers prebuilt (LRU, capped in bytes)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

#: blobs up to this size are read into memory; larger ones go out with sendfile
SMALL_BLOB = 256 * 1024


@dataclass(frozen=True)
class Hot:
    body: bytes
    #: the `/content/{sha256}` answer's headers (ETag, caching, type), built once
    headers: dict[str, str]


class MemoryCache:
    """Least recently used first out once the bodies pass `capacity` bytes. Event loop only."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._items: OrderedDict[str, Hot] = OrderedDict()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)

    @property
    def bytes(self) -> int:
        return self._bytes

    def get(self, sha256: str) -> Hot | None:
        hot = self._items.get(sha256)
        if hot is not None:
            self._items.move_to_end(sha256)
        return hot

    def put(self, sha256: str, hot: Hot) -> None:
        if len(hot.body) > min(self.capacity, SMALL_BLOB):
            return
        old = self._items.pop(sha256, None)
        if old is not None:
            self._bytes -= len(old.body)
        self._items[sha256] = hot
        self._bytes += len(hot.body)
        while self._bytes > self.capacity:
            _, gone = self._items.popitem(last=False)
            self._bytes -= len(gone.body)

    def drop(self, sha256: str) -> None:
        gone = self._items.pop(sha256, None)
        if gone is not None:
            self._bytes -= len(gone.body)

    def clear(self) -> None:
        self._items.clear()
        self._bytes = 0
