"""A pty pair for a simulator: it owns the master; the code under test opens the slave."""

from __future__ import annotations

import asyncio
import os
import pty
import tty
from collections import deque
from pathlib import Path

from devices.simulators._link import Receiver, Written, ignore_bytes


class PtyLink:
    """The code under test opens `address` with pyserial: the stable `link_path` symlink (like a
    udev /dev/serial/by-id link) when one is given, else the current slave path.

    Unplugging closes the master, so reads on the slave fail, and removes the symlink; replugging
    opens a new pair whose slave path differs from the last one and points the symlink at it.
    Bytes nobody reads queue up to `max_pending`; beyond that they are lost, as on a real line.
    """

    def __init__(self, link_path: str | Path | None = None, *, max_pending: int = 1 << 16) -> None:
        self.link_path = None if link_path is None else Path(link_path)
        self._max_pending = max_pending
        self._master: int | None = None
        self._slave: int | None = None
        self._slave_path = ""
        self._pending: deque[tuple[bytes, Written | None]] = deque()
        self._pending_bytes = 0
        self._on_receive: Receiver = ignore_bytes

    @property
    def slave_path(self) -> str:
        """The slave of the current pair (of the last one while unplugged)."""
        return self._slave_path

    @property
    def address(self) -> str:
        return str(self.link_path) if self.link_path is not None else self._slave_path

    async def open(self, on_receive: Receiver) -> None:
        self._on_receive = on_receive
        self._plug()

    async def unplug(self) -> None:
        self._unplug()

    async def replug(self) -> None:
        self._unplug()
        self._plug()

    async def close(self) -> None:
        self._unplug()

    def write(self, data: bytes, on_written: Written | None = None) -> None:
        if self._master is None or self._pending_bytes + len(data) > self._max_pending:
            return
        self._pending.append((data, on_written))
        self._pending_bytes += len(data)
        self._flush(self._master)

    def _plug(self) -> None:
        master, slave = self._new_pair()
        tty.setraw(slave)  # no echo or CR/LF translation even before the client sets raw mode
        os.set_blocking(master, False)
        self._master, self._slave = master, slave
        self._slave_path = os.ttyname(slave)
        asyncio.get_running_loop().add_reader(master, self._readable, master)
        if self.link_path is not None:
            _point_symlink(self.link_path, self._slave_path)

    def _new_pair(self) -> tuple[int, int]:
        master, slave = pty.openpty()
        if os.ttyname(slave) != self._slave_path:
            return master, slave
        # The kernel reused the unplugged pair's number: hold it while taking another one.
        other = pty.openpty()
        os.close(master)
        os.close(slave)
        return other

    def _unplug(self) -> None:
        if self._master is None or self._slave is None:
            return
        loop = asyncio.get_running_loop()
        loop.remove_reader(self._master)
        loop.remove_writer(self._master)
        os.close(self._master)
        os.close(self._slave)
        self._master = self._slave = None
        self._pending.clear()
        self._pending_bytes = 0
        if self.link_path is not None:
            self.link_path.unlink(missing_ok=True)

    def _readable(self, master: int) -> None:
        try:
            data = os.read(master, 4096)
        except BlockingIOError:
            return
        except OSError:
            asyncio.get_running_loop().remove_reader(master)
            return
        self._on_receive(data)

    def _flush(self, master: int) -> None:
        while self._pending:
            chunk, on_written = self._pending[0]
            try:
                written = os.write(master, chunk)
            except BlockingIOError:
                break
            self._pending_bytes -= written
            if written < len(chunk):
                self._pending[0] = (chunk[written:], on_written)
                break
            self._pending.popleft()
            if on_written is not None:
                on_written()
        loop = asyncio.get_running_loop()
        if self._pending:
            loop.add_writer(master, self._flush, master)
        else:
            loop.remove_writer(master)


def _point_symlink(link: Path, target: str) -> None:
    """Re-point `link` at `target` in one step, as udev does."""
    link.parent.mkdir(parents=True, exist_ok=True)
    staging = link.with_name(f".{link.name}.new")
    staging.unlink(missing_ok=True)
    staging.symlink_to(target)
    staging.replace(link)
