"""A large blob answered with `sendfile(2)`: our own validators and range, the kernel's copy.

`web.FileResponse` would compute its own ETag (mtime-size) and answer conditionals with it;
a blob's ETag is its hash, so the decisions are made before and only the copy is delegated."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import BinaryIO

from aiohttp import web
from aiohttp.abc import AbstractStreamWriter

CHUNK = 256 * 1024


def open_blob(path: Path) -> tuple[BinaryIO, int] | None:
    """The open file and its size, or None when it has gone (deleted behind the store's back).
    Blocking: run it in a thread."""
    try:
        handle = path.open("rb")
    except (FileNotFoundError, NotADirectoryError):
        return None
    return handle, os.fstat(handle.fileno()).st_size


class BlobFile(web.StreamResponse):
    """`count` bytes from `offset` of an open file; the file is closed once sent (or not)."""

    def __init__(
        self, handle: BinaryIO, offset: int, count: int, *, status: int, headers: dict[str, str]
    ) -> None:
        super().__init__(status=status, headers=headers)
        self._handle, self._offset, self._count = handle, offset, count
        self.content_length = count

    async def prepare(self, request: web.BaseRequest) -> AbstractStreamWriter | None:
        try:
            writer = await super().prepare(request)
            if writer is not None and request.method != "HEAD" and self._count:
                await self._send(request, writer)
            return writer
        finally:
            await asyncio.to_thread(self._handle.close)

    async def _send(self, request: web.BaseRequest, writer: AbstractStreamWriter) -> None:
        transport = request.transport
        if transport is None:
            raise ConnectionResetError("connection lost")
        try:
            await asyncio.get_running_loop().sendfile(
                transport, self._handle, self._offset, self._count
            )
        except NotImplementedError:  # e.g. TLS, or a loop without sendfile
            await self._copy(writer)

    async def _copy(self, writer: AbstractStreamWriter) -> None:
        left, offset = self._count, self._offset
        while left > 0:
            chunk = await asyncio.to_thread(
                os.pread, self._handle.fileno(), min(CHUNK, left), offset
            )
            if not chunk:
                raise ConnectionResetError("blob shrank while it was being sent")
            await writer.write(chunk)
            left, offset = left - len(chunk), offset + len(chunk)
