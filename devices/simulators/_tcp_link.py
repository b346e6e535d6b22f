"""A TCP port on 127.0.0.1 for a simulator, like a serial device server: one client at a time."""

from __future__ import annotations

import asyncio
from typing import cast

from devices.simulators._link import Receiver, Written, ignore_bytes


class TcpLink:
    """The code under test connects to `address` (`socket://127.0.0.1:PORT`, a pyserial URL).

    A second client while one is connected is disconnected at once. Unplugging drops the client
    and stops listening, so connections are refused; replugging listens on the same port again.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self._port = port
        self._server: asyncio.Server | None = None
        self._client: _Client | None = None
        self._on_receive: Receiver = ignore_bytes

    @property
    def port(self) -> int:
        """The listening port (chosen by the system when 0 was asked for, kept on replug)."""
        return self._port

    @property
    def address(self) -> str:
        return f"socket://{self.host}:{self._port}"

    async def open(self, on_receive: Receiver) -> None:
        self._on_receive = on_receive
        await self._listen()

    async def unplug(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        if self._client is not None:
            self._client.abort()
            self._client = None

    async def replug(self) -> None:
        if self._server is None:
            await self._listen()

    async def close(self) -> None:
        await self.unplug()

    def write(self, data: bytes, on_written: Written | None = None) -> None:
        if self._client is not None:
            self._client.write(data, on_written)

    async def _listen(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: _Client(self), self.host, self._port)
        self._port = self._server.sockets[0].getsockname()[1]

    def _attach(self, client: _Client) -> bool:
        if self._client is not None or self._server is None:
            return False
        self._client = client
        return True

    def _detach(self, client: _Client) -> None:
        if self._client is client:
            self._client = None

    def _received(self, data: bytes) -> None:
        self._on_receive(data)


class _Client(asyncio.Protocol):
    def __init__(self, link: TcpLink) -> None:
        self._link = link
        self._transport: asyncio.Transport | None = None
        self._waiting: list[Written] = []  # callbacks for bytes still in the write buffer

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport = cast(asyncio.Transport, transport)
        if not self._link._attach(self):
            transport.close()
            return
        self._transport = transport
        # With no high-water mark, resume_writing says when the buffer has fully drained.
        transport.set_write_buffer_limits(high=0)

    def data_received(self, data: bytes) -> None:
        if self._transport is not None:
            self._link._received(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self._link._detach(self)
        self._transport = None

    def resume_writing(self) -> None:
        waiting, self._waiting = self._waiting, []
        for on_written in waiting:
            on_written()

    def write(self, data: bytes, on_written: Written | None) -> None:
        if self._transport is None or self._transport.is_closing():
            return
        self._transport.write(data)
        if on_written is None:
            return
        if self._transport.get_write_buffer_size() == 0:
            on_written()
        else:
            self._waiting.append(on_written)

    def abort(self) -> None:
        if self._transport is not None:
            self._transport.abort()
