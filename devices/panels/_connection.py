"""The link to one panel: opened on demand, reopened after it drops, with backoff between failed
attempts (a call in the backoff window fails at once instead of waiting).

Raises `LinkDown` and `TimeoutError` only; the `Panel` turns them into panel errors.
"""

from __future__ import annotations

import asyncio
import logging
import time

from devices._transport import Link, LinkDown, TcpTransport, Transport
from devices.panels._model import Field, PanelCodec, Reply

_log = logging.getLogger(__name__)
_MAX_STALE_CHUNKS = 64  # a panel flooding the line cannot keep a command from being sent


class PanelConnection:
    def __init__(self, transport: Transport, codec: PanelCodec, backoff: tuple[float, ...]) -> None:
        self._transport = transport
        self._codec = codec
        self._backoff = backoff
        self._link: Link | None = None
        self._failures = 0
        self._retry_at = 0.0
        self._last_error = ""
        #: the link dropped since the state was last read: read it back before trusting it
        self.needs_read_back = False

    @property
    def is_tcp(self) -> bool:
        return isinstance(self._transport, TcpTransport)

    def describe(self) -> str:
        return self._transport.describe()

    async def ensure_open(self) -> None:
        """An open link with nothing stale waiting on it; a link found dead is reopened once."""
        if self._link is not None:
            try:
                await self._drain(self._link)
                return
            except LinkDown as err:
                _log.info("panel link %s dropped while idle (%s): reopening", self.describe(), err)
                self.drop()
        self._link = await self._open()

    async def send(self, frame: bytes) -> None:
        link = self._open_link()
        await self._drain(link)
        self._codec.reset()  # a half frame from before cannot be the answer to this command
        await link.write(frame)

    async def reply(self, about: Field, *, query: bool, within: float) -> Reply:
        """The first reply that answers a command about `about`; TimeoutError after `within` s."""
        link = self._open_link()
        try:
            async with asyncio.timeout(within):
                while True:
                    for reply in self._codec.feed(await link.read()):
                        if _answers(reply, about, query=query):
                            return reply
        except TimeoutError:
            self._codec.reset()  # a half frame must not spoil the next answer
            raise

    def drop(self) -> None:
        if self._link is not None:
            self._link.close()
            self._link = None
            self.needs_read_back = True
        self._codec.reset()

    async def _open(self) -> Link:
        wait = self._retry_at - time.monotonic()
        if wait > 0:
            raise LinkDown(f"{self._last_error}; next attempt in {wait:.1f} s")
        try:
            link = await self._transport.open()
        except LinkDown as err:
            delay = self._backoff[min(self._failures, len(self._backoff) - 1)]
            self._failures += 1
            self._retry_at = time.monotonic() + delay
            self._last_error = str(err)
            raise
        if self._failures:
            _log.info("panel link %s is back", self.describe())
        self._failures = 0
        self._retry_at = 0.0
        self._codec.reset()
        return link

    def _open_link(self) -> Link:
        if self._link is None:
            raise LinkDown("not connected")
        return self._link

    async def _drain(self, link: Link) -> None:
        """Feed what already arrived (late answers, unsolicited lines) to the codec, unused."""
        for _ in range(_MAX_STALE_CHUNKS):
            try:
                async with asyncio.timeout(0):
                    data = await link.read()
            except TimeoutError:
                return
            self._codec.feed(data)


def _answers(reply: Reply, about: Field, *, query: bool) -> bool:
    if reply.about == about or (reply.refused is not None and reply.about is None):
        return True
    return reply.about is None and not query  # a bare acknowledgement answers a set only
