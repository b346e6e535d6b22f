"""Runs one reader: open its link, feed its codec, debounce, emit taps; on trouble, mark it
unavailable and reopen with backoff (5/10/20/40/80 s plus jitter), so a replug is picked up."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from devices._debounce import Debouncer
from devices._events import ReaderState, Tap
from devices._transport import Link, LinkDown, Transport
from devices.readers._codec import ReaderCodec

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Timing:
    backoff: tuple[float, ...] = (5.0, 10.0, 20.0, 40.0, 80.0)
    jitter: float = 0.2  # up to this fraction of a delay is added at random
    tick: float = 0.05  # how often a codec may send (polls, retries)
    debounce: float = 2.0


class ReaderRunner:
    def __init__(
        self,
        reader_id: str,
        transport: Transport,
        codec: Callable[[], ReaderCodec],
        on_tap: Callable[[Tap], None],
        on_state: Callable[[ReaderState], None],
        timing: Timing | None = None,
        wall: Callable[[], datetime] = lambda: datetime.now(UTC),
        name: str = "",
    ) -> None:
        self.reader_id = reader_id
        self.name = name or reader_id
        self._transport = transport
        self._new_codec = codec
        self._on_tap = on_tap
        self._on_state = on_state
        self._timing = timing or Timing()
        self._debouncer = Debouncer(self._timing.debounce)
        self._available: bool | None = None
        self._rng = random.Random()
        self._wall = wall

    async def run(self) -> None:
        """Until cancelled."""
        failures = 0
        while True:
            try:
                link = await self._transport.open()
            except LinkDown as err:
                self._set_available(False, str(err))
                await asyncio.sleep(self._delay(failures))
                failures += 1
                continue
            self._set_available(True, self._transport.describe())
            try:
                await self._serve(link)
            except LinkDown as err:
                self._set_available(False, str(err))
            finally:
                link.close()
            await asyncio.sleep(self._delay(0))
            failures = 1

    async def _serve(self, link: Link) -> None:
        codec = self._new_codec()
        await _send(link, codec.start(time.monotonic()))
        while True:
            try:  # not wait_for: on 3.11 it loses a cancel that meets a finished read
                async with asyncio.timeout(self._timing.tick):
                    data = await link.read()
            except TimeoutError:
                await _send(link, codec.tick(time.monotonic()))
                continue
            received, at = time.monotonic(), self._wall()
            decoded = codec.feed(data, received)
            for uid in decoded.uids:
                if self._debouncer.is_new(uid, received):
                    self._on_tap(Tap(uid, self.reader_id, at, received))
            await _send(link, decoded.reply + codec.tick(received))

    def _delay(self, failures: int) -> float:
        backoff = self._timing.backoff
        base = backoff[min(failures, len(backoff) - 1)]
        return base * (1 + self._rng.random() * self._timing.jitter)

    def _set_available(self, available: bool, detail: str) -> None:
        if available == self._available:
            return
        self._available = available
        log = _log.info if available else _log.warning
        log("reader %s %s: %s", self.name, "available" if available else "unavailable", detail)
        self._on_state(ReaderState(self.reader_id, available, detail, datetime.now(UTC)))


async def _send(link: Link, data: bytes) -> None:
    if data:
        await link.write(data)
