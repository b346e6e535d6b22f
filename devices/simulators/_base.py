"""What every reader simulator can do, whichever protocol it speaks and whatever its link."""

from __future__ import annotations

import random
import time
from abc import ABC, abstractmethod
from types import TracebackType
from typing import Self

from devices.simulators._link import Receiver, SimulatorLink, ignore_bytes


class ReaderSimulator(ABC):
    """A card reader on the far side of a link, speaking its protocol's exact bytes.

    `frames_sent` counts the frames that carried a card (and `send_raw` writes); `last_byte_at`
    is the `time.monotonic()` at which the last byte of the latest one was handed to the kernel,
    the moment a latency measurement starts from.
    """

    def __init__(
        self, link: SimulatorLink, *, seed: int = 0, on_host_bytes: Receiver = ignore_bytes
    ) -> None:
        self.link = link
        self._on_host_bytes = on_host_bytes  # readers that only talk ignore what the host sends
        self.card: str | None = None  # the card in the field
        self.frames_sent = 0
        self.last_byte_at: float | None = None
        self._noise = random.Random(seed)

    @property
    def address(self) -> str:
        return self.link.address

    async def start(self) -> None:
        await self.link.open(self._on_host_bytes)

    async def close(self) -> None:
        self.remove()
        await self.link.close()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    @abstractmethod
    def present(self, uid: str) -> None:
        """A card enters the field; `uid` is written as the reader's protocol carries it."""

    def remove(self) -> None:
        """The card leaves the field."""
        self.card = None

    def send_noise(self, n_bytes: int) -> None:
        """Line noise: random bytes from the simulator's seeded generator."""
        self.link.write(self._noise.randbytes(n_bytes))

    def send_raw(self, data: bytes) -> None:
        self._send_frame(data)

    async def unplug(self) -> None:
        await self.link.unplug()

    async def replug(self) -> None:
        await self.link.replug()

    def _send_frame(self, frame: bytes) -> None:
        self.link.write(frame, self._frame_written)

    def _frame_written(self) -> None:
        self.frames_sent += 1
        self.last_byte_at = time.monotonic()
