"""Live attendance registers: whoever has a lesson's register open hears of every change to it
(taps as they land, a colleague's edits) without polling."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

_log = logging.getLogger(__name__)
QUEUE_LIMIT = 256
Event = dict[str, Any] | None  # None: the box is shutting down


class LiveRegisters:
    def __init__(self) -> None:
        self._listeners: defaultdict[str, set[asyncio.Queue[Event]]] = defaultdict(set)

    @contextlib.contextmanager
    def listen(self, lesson_id: str) -> Iterator[asyncio.Queue[Event]]:
        queue: asyncio.Queue[Event] = asyncio.Queue(QUEUE_LIMIT)
        self._listeners[lesson_id].add(queue)
        try:
            yield queue
        finally:
            self._listeners[lesson_id].discard(queue)
            if not self._listeners[lesson_id]:
                del self._listeners[lesson_id]

    def publish(self, lesson_id: str, event: dict[str, Any]) -> None:
        for queue in self._listeners.get(lesson_id, ()):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:  # a listener that stopped reading misses events
                _log.warning("a live register of lesson %s is not keeping up", lesson_id)

    def close(self) -> None:
        for queues in self._listeners.values():
            for queue in queues:
                with contextlib.suppress(asyncio.QueueFull):
                    queue.put_nowait(None)

    def listening(self, lesson_id: str) -> int:
        return len(self._listeners.get(lesson_id, ()))
