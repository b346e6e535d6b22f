"""Links to readers: a serial port (pyserial, by its stable /dev/serial/by-id path) or TCP.
(Keyboard-wedge readers have their own transports in `devices.readers`; `devices._address`
picks the transport from a reader's address.)

`open()` either returns a `Link` or raises `LinkDown`; a `Link` read or write that fails raises
`LinkDown` too, so the runner has one error to handle. Nothing here blocks the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Protocol

import serial


class LinkDown(ConnectionError):
    """The reader cannot be reached: unplugged, not yet plugged in, refused, or gone mid-read."""


class ChunkQueue:
    """What a reading callback hands to `Link.read`: chunks, then possibly the `LinkDown` that
    ended them, after which every read fails the same way."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[bytes | LinkDown] = asyncio.Queue()

    def put(self, chunk: bytes) -> None:
        self._queue.put_nowait(chunk)

    def fail(self, error: LinkDown) -> None:
        self._queue.put_nowait(error)

    async def get(self) -> bytes:
        chunk = await self._queue.get()
        if isinstance(chunk, LinkDown):
            self._queue.put_nowait(chunk)
            raise chunk
        return chunk


class Link(Protocol):
    async def read(self) -> bytes: ...

    async def write(self, data: bytes) -> None: ...

    def close(self) -> None: ...


class Transport(Protocol):
    async def open(self) -> Link: ...

    def describe(self) -> str: ...


@dataclass(frozen=True)
class SerialTransport:
    path: str
    baudrate: int

    def describe(self) -> str:
        return f"serial {self.path} at {self.baudrate} baud"

    async def open(self) -> Link:
        try:
            port = serial.Serial(
                self.path, self.baudrate, timeout=0, write_timeout=0.5, exclusive=True
            )
        except (serial.SerialException, OSError, ValueError) as err:
            raise LinkDown(f"cannot open {self.path}: {err}") from err
        return _SerialLink(port, asyncio.get_running_loop())


class _SerialLink:
    """Reads are driven by the loop's readiness callback on the port's file descriptor."""

    def __init__(self, port: serial.Serial, loop: asyncio.AbstractEventLoop) -> None:
        self._port = port
        self._loop = loop
        self._chunks = ChunkQueue()
        loop.add_reader(port.fileno(), self._readable)

    def _readable(self) -> None:
        try:
            data = self._port.read(self._port.in_waiting or 1)
        except (serial.SerialException, OSError) as err:
            self._fail(LinkDown(f"{self._port.port}: {err}"))
            return
        if data:
            self._chunks.put(data)
        else:  # readable but empty: the device went away
            self._fail(LinkDown(f"{self._port.port}: disconnected"))

    def _fail(self, error: LinkDown) -> None:
        self._loop.remove_reader(self._port.fileno())
        self._chunks.fail(error)

    async def read(self) -> bytes:
        return await self._chunks.get()

    async def write(self, data: bytes) -> None:
        try:
            self._port.write(data)
        except (serial.SerialException, OSError) as err:
            raise LinkDown(f"{self._port.port}: {err}") from err

    def close(self) -> None:
        with contextlib.suppress(ValueError, OSError):
            self._loop.remove_reader(self._port.fileno())
        self._port.close()


@dataclass(frozen=True)
class TcpTransport:
    host: str
    port: int
    connect_timeout: float = 5.0

    def describe(self) -> str:
        return f"tcp {self.host}:{self.port}"

    async def open(self) -> Link:
        try:
            async with asyncio.timeout(self.connect_timeout):
                reader, writer = await asyncio.open_connection(self.host, self.port)
        except (OSError, TimeoutError) as err:
            raise LinkDown(f"cannot connect to {self.host}:{self.port}: {err}") from err
        return _TcpLink(reader, writer)


class _TcpLink:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def read(self) -> bytes:
        try:
            data = await self._reader.read(4096)
        except OSError as err:
            raise LinkDown(f"connection lost: {err}") from err
        if not data:
            raise LinkDown("the device closed the connection")
        return data

    async def write(self, data: bytes) -> None:
        try:
            self._writer.write(data)
            await self._writer.drain()
        except OSError as err:
            raise LinkDown(f"connection lost: {err}") from err

    def close(self) -> None:
        self._writer.close()
