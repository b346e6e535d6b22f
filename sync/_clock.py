"""Hybrid logical clock: (wall ms, counter, node id), never going backwards.

Timestamps encode to fixed-width text so that SQLite and Python order them the same way.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

_log = logging.getLogger(__name__)

#: A remote timestamp further ahead than this is clamped (a box offline for weeks may be way off).
MAX_FUTURE_DRIFT_MS = 5 * 60 * 1000


class ClockError(ValueError):
    """A timestamp that cannot be parsed."""


@dataclass(frozen=True, order=True)
class Timestamp:
    wall_ms: int
    counter: int
    node: str

    def encode(self) -> str:
        return f"{self.wall_ms:013d}-{self.counter:06d}-{self.node}"

    @classmethod
    def decode(cls, text: str) -> Timestamp:
        try:
            wall, counter, node = text.split("-", 2)
            return cls(int(wall), int(counter), node)
        except ValueError as err:
            raise ClockError(f"not a hybrid-clock timestamp: {text!r}") from err


class HybridClock:
    """Thread-safe HLC for one node; `offset_ms` corrects a wall clock known to be wrong."""

    def __init__(
        self,
        node: str,
        last: Timestamp | None = None,
        wall: Callable[[], float] = time.time,
    ) -> None:
        if "-" in node or not node:
            raise ClockError(f"node id must be non-empty and without '-': {node!r}")
        self.node = node
        self.offset_ms = 0
        self._wall = wall
        self._lock = threading.Lock()
        self._last = last or Timestamp(0, 0, node)
        #: the newest timestamp this node holds, clamped or not: while it is ahead of `now()`,
        #: local writes must be stamped above what they replace (docs/sync-protocol.md §6)
        self.newest_held = self._last

    def hold(self, stamp: Timestamp) -> None:
        """Note a timestamp the node now holds without moving the clock (a stamped write)."""
        with self._lock:
            self.newest_held = max(self.newest_held, stamp)

    def _physical_ms(self) -> int:
        return int(self._wall() * 1000) + self.offset_ms

    def now(self) -> Timestamp:
        """A timestamp for a local event, after every timestamp seen so far."""
        with self._lock:
            physical = self._physical_ms()
            if physical > self._last.wall_ms:
                self._last = Timestamp(physical, 0, self.node)
            else:
                self._last = Timestamp(self._last.wall_ms, self._last.counter + 1, self.node)
            return self._last

    def observe(self, remote: Timestamp) -> Timestamp:
        """Merge a timestamp received from another node; clamps one too far in the future."""
        with self._lock:
            self.newest_held = max(self.newest_held, remote)
            physical = self._physical_ms()
            if remote.wall_ms > physical + MAX_FUTURE_DRIFT_MS:
                _log.warning(
                    "clamped a remote clock %d ms ahead of ours (node %s)",
                    remote.wall_ms - physical,
                    remote.node,
                )
                remote = Timestamp(physical + MAX_FUTURE_DRIFT_MS, remote.counter, remote.node)
            wall = max(physical, self._last.wall_ms, remote.wall_ms)
            if wall == self._last.wall_ms == remote.wall_ms:
                counter = max(self._last.counter, remote.counter) + 1
            elif wall == self._last.wall_ms:
                counter = self._last.counter + 1
            elif wall == remote.wall_ms:
                counter = remote.counter + 1
            else:
                counter = 0
            self._last = Timestamp(wall, counter, self.node)
            return self._last
