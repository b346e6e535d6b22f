"""sd_notify without libsystemd: readiness, watchdog pings and status over $NOTIFY_SOCKET."""

from __future__ import annotations

import asyncio
import logging
import os
import socket

_log = logging.getLogger(__name__)


def notify(message: str) -> bool:
    """Send one notification; False when not running under a systemd notify service."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]  # abstract namespace
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(address)
            sock.sendall(message.encode())
        except OSError as err:
            _log.warning("sd_notify to %s failed: %s", address, err)
            return False
    return True


def watchdog_interval() -> float | None:
    """Half the watchdog timeout systemd asked for, or None when it asked for none."""
    usec = os.environ.get("WATCHDOG_USEC")
    pid = os.environ.get("WATCHDOG_PID")
    if not usec or (pid and pid != str(os.getpid())):
        return None
    return int(usec) / 1_000_000 / 2


async def ping_watchdog_forever(interval: float) -> None:
    """Pings from the event loop itself, so a blocked loop stops them and systemd restarts us."""
    while True:
        notify("WATCHDOG=1")
        await asyncio.sleep(interval)
