"""What the fetcher is doing, for `edge content status`, the API and the metrics."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Download:
    sha256: str
    entry_id: str
    size: int
    done: int = 0  # bytes stored, a resumed prefix included
    received: int = 0  # bytes received in the current attempt
    attempts: int = 0


@dataclass
class FetchProgress:
    #: idle | fetching | waiting for window | stopped (store full)
    state: str = "idle"
    items_total: int = 0
    items_done: int = 0
    items_failed: int = 0
    bytes_total: int = 0
    bytes_finished: int = 0
    bytes_received: int = 0  # on the wire, re-sent bytes included
    started_at: float = 0.0
    finished_at: float = 0.0
    window_opens_in: float = 0.0
    last_error: str = ""
    active: dict[str, Download] = field(default_factory=dict)

    def begin(self, sizes: list[int], now: float | None = None) -> None:
        self.state = "fetching" if sizes else "idle"
        self.items_total, self.items_done, self.items_failed = len(sizes), 0, 0
        self.bytes_total, self.bytes_finished, self.bytes_received = sum(sizes), 0, 0
        self.started_at, self.finished_at = now or time.time(), 0.0
        self.active.clear()

    @property
    def bytes_done(self) -> int:
        return self.bytes_finished + sum(download.done for download in self.active.values())

    def to_json(self) -> dict[str, Any]:
        body = asdict(self)
        body["bytes_done"] = self.bytes_done
        body["active"] = [asdict(download) for download in self.active.values()]
        return body
