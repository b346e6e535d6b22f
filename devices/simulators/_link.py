"""What a simulator needs of its link to the code under test (a pty pair or a TCP port)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

Receiver = Callable[[bytes], None]
#: Called once the last byte of a write has been handed to the kernel.
Written = Callable[[], None]


def ignore_bytes(data: bytes) -> None:
    """The receiver of a link not yet opened."""


class SimulatorLink(Protocol):
    @property
    def address(self) -> str:
        """Where the code under test connects: a device path or a pyserial socket:// URL."""
        ...

    async def open(self, on_receive: Receiver) -> None: ...

    def write(self, data: bytes, on_written: Written | None = None) -> None:
        """Never blocks; bytes written while unplugged or with no client are lost."""
        ...

    async def unplug(self) -> None: ...

    async def replug(self) -> None: ...

    async def close(self) -> None: ...
