"""A token bucket shared by every download: the bandwidth cap, in bytes per second."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class TokenBucket:
    """`take(n)` returns once n more bytes fit under the rate (0: no cap), allowing a burst of
    `burst_seconds` worth after a pause. Each taker books its bytes on one shared timeline, so
    concurrent downloads share the rate instead of racing for it."""

    def __init__(
        self,
        bytes_per_second: float,
        *,
        burst_seconds: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = bytes_per_second
        self._burst_seconds = burst_seconds
        self._clock = clock
        self._booked_until = clock()

    @classmethod
    def from_kbit(cls, kbit_per_second: int) -> TokenBucket:
        return cls(kbit_per_second * 1000 / 8)

    async def take(self, amount: int) -> None:
        if self.rate <= 0:
            return
        now = self._clock()
        self._booked_until = max(self._booked_until, now - self._burst_seconds)
        self._booked_until += amount / self.rate
        wait = self._booked_until - now
        if wait > 0:
            await asyncio.sleep(wait)
