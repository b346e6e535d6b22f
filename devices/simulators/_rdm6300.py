"""An RDM6300: sends its 14-byte frame every `repeat_interval` seconds while a card is present."""

from __future__ import annotations

import asyncio

from devices.readers.rdm6300 import rdm6300_frame
from devices.simulators._base import ReaderSimulator
from devices.simulators._link import SimulatorLink


class Rdm6300Simulator(ReaderSimulator):
    def __init__(self, link: SimulatorLink, *, repeat_interval: float = 0.1, seed: int = 0) -> None:
        super().__init__(link, seed=seed)
        self.repeat_interval = repeat_interval
        self._repeat: asyncio.TimerHandle | None = None

    def present(self, uid: str) -> None:
        """`uid`: the card's 10 hex characters (version byte + 4 id bytes), e.g. "0F002A1B3C"."""
        frame = rdm6300_frame(uid)
        self.remove()
        self.card = uid.upper()
        self._send_repeatedly(frame)

    def remove(self) -> None:
        if self._repeat is not None:
            self._repeat.cancel()
            self._repeat = None
        super().remove()

    def _send_repeatedly(self, frame: bytes) -> None:
        self._send_frame(frame)
        loop = asyncio.get_running_loop()
        self._repeat = loop.call_later(self.repeat_interval, self._send_repeatedly, frame)
