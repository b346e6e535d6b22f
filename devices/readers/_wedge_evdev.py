"""A keyboard-wedge reader's own evdev node (`/dev/input/by-id/…-event-kbd`), grabbed.

While grabbed, the reader's keys reach this process only: never the kiosk, and every burst from
it is a card. Reads are driven by the loop's readiness callback on the node, as for serial ports;
each batch of events becomes the key-down lines `WedgeCodec` reads.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from devices._transport import ChunkQueue, Link, LinkDown
from devices.readers._wedge_burst import InputEventLike, evdev_key_name
from devices.readers.wedge import wedge_line


class EvdevDevice(Protocol):
    """What is used of a python-evdev `InputDevice` (its node is opened non-blocking)."""

    def fileno(self) -> int: ...

    def read(self) -> Iterable[InputEventLike]: ...

    def grab(self) -> None: ...

    def ungrab(self) -> None: ...

    def close(self) -> None: ...


def open_evdev(path: str) -> EvdevDevice:
    try:
        import evdev
    except ImportError as err:
        raise LinkDown(f"python-evdev is not installed: {err}") from err
    return evdev.InputDevice(path)


@dataclass(frozen=True)
class EvdevTransport:
    path: str
    open_device: Callable[[str], EvdevDevice] = field(default=open_evdev, compare=False, repr=False)

    def describe(self) -> str:
        return f"keyboard-wedge {self.path} (grabbed)"

    async def open(self) -> Link:
        try:
            device = self.open_device(self.path)
        except LinkDown:  # an OSError too: keep its own message
            raise
        except OSError as err:
            hint = " (is it plugged in, and is this user in the 'input' group?)"
            raise LinkDown(f"cannot open {self.path}: {err}{hint}") from err
        try:
            device.grab()
        except OSError as err:
            device.close()
            raise LinkDown(f"cannot grab {self.path} (in use?): {err}") from err
        return _EvdevLink(device, self.path, asyncio.get_running_loop())


class _EvdevLink:
    def __init__(self, device: EvdevDevice, path: str, loop: asyncio.AbstractEventLoop) -> None:
        self._device = device
        self._path = path
        self._loop = loop
        self._fd = device.fileno()
        self._batches = ChunkQueue()
        self._closed = False
        loop.add_reader(self._fd, self._readable)

    def _readable(self) -> None:
        try:
            events = list(self._device.read())
        except BlockingIOError:
            return
        except OSError as err:
            self._loop.remove_reader(self._fd)
            self._batches.fail(self._error(err))
            return
        lines = b"".join(
            wedge_line(event.timestamp(), name)
            for event in events
            if (name := evdev_key_name(event)) is not None
        )
        if lines:
            self._batches.put(lines)

    def _error(self, err: OSError) -> LinkDown:
        if err.errno == errno.ENODEV:
            return LinkDown(f"{self._path} was unplugged")
        return LinkDown(f"reading {self._path} failed: {err}")

    async def read(self) -> bytes:
        return await self._batches.get()

    async def write(self, data: bytes) -> None:
        """A keyboard takes nothing from the host."""

    def close(self) -> None:
        """Stop reading, ungrab and close the node (idempotent)."""
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(ValueError, OSError):
            self._loop.remove_reader(self._fd)
        with contextlib.suppress(OSError):  # an unplugged node refuses the ioctl
            self._device.ungrab()
        with contextlib.suppress(OSError):
            self._device.close()
