"""How a simulated panel writes its answers, with the faults a test asks for.

`silent`: it never answers. `garbage`: written before every answer. `drop_next_reply`: half of the
next answer goes out, then the link drops (a pty closes, a TCP client is cut off) and comes back
`replug_after` seconds later. `byte_delay`: answers dribble out one byte at a time.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Coroutine
from typing import Any

from devices.simulators._link import SimulatorLink, Written


class PanelReplies:
    def __init__(self, link: SimulatorLink, *, seed: int = 0) -> None:
        self.link = link
        self.silent = False
        self.garbage = b""
        self.drop_next_reply = False
        self.replug_after = 0.0
        self.byte_delay = 0.0
        #: answers written (or begun, for a dropped one)
        self.sent = 0
        self._noise = random.Random(seed)
        self._tasks: set[asyncio.Task[None]] = set()

    def send_noise(self, n_bytes: int) -> None:
        """Line noise: random bytes from the seeded generator."""
        self.link.write(self._noise.randbytes(n_bytes))

    def send_raw(self, data: bytes) -> None:
        self.link.write(data)

    def reply(self, data: bytes | None, then: Written | None = None) -> None:
        """Writes an answer (None: there is none); `then` runs once it is written, or at once."""
        if data is None or self.silent:
            if then is not None:
                then()
            return
        self.sent += 1
        data = self.garbage + data
        if self.drop_next_reply:
            self.drop_next_reply = False
            self.link.write(data[: len(data) // 2], lambda: self.spawn(self._drop))
        elif self.byte_delay > 0:
            self.spawn(lambda: self._dribble(data, then))
        else:
            self.link.write(data, then)

    def spawn(self, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Runs `work` as a task that `close()` cancels."""
        task = asyncio.get_running_loop().create_task(work())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _drop(self) -> None:
        await self.link.unplug()
        await asyncio.sleep(self.replug_after)
        await self.link.replug()

    async def _dribble(self, data: bytes, then: Written | None) -> None:
        for at in range(len(data)):
            self.link.write(data[at : at + 1], then if at == len(data) - 1 else None)
            await asyncio.sleep(self.byte_delay)
