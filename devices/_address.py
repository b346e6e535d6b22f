"""A reader's address → the transport that reaches it.

`tcp://host:port` (or pyserial's `socket://host:port`): TCP. A path under `/dev/input/`: a
keyboard-wedge reader's own evdev node, grabbed. `keyboard:`: the pynput fallback that hears
every keyboard. Any other absolute path: a serial port.
"""

from __future__ import annotations

import posixpath

from devices._transport import SerialTransport, TcpTransport, Transport
from devices.readers._wedge_evdev import EvdevTransport
from devices.readers._wedge_pynput import PynputTransport

INPUT_DIR = "/dev/input/"
KEYBOARD = "keyboard:"


def parse_address(address: str, baudrate: int) -> Transport:
    """Raises ValueError for an address that names no transport. `baudrate` is used by serial
    ports only."""
    if address == KEYBOARD:
        return PynputTransport()
    if posixpath.normpath(address).startswith(INPUT_DIR):
        return EvdevTransport(address)
    scheme = next((s for s in ("tcp://", "socket://") if address.startswith(s)), None)
    if scheme is not None:
        host, _, port = address.removeprefix(scheme).rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"{address!r}: expected tcp://HOST:PORT")
        return TcpTransport(host.strip("[]"), int(port))
    if not address.startswith("/"):
        raise ValueError(
            f"{address!r}: expected a device path like /dev/serial/by-id/…,"
            f" tcp://HOST:PORT, or {KEYBOARD} for a keyboard-wedge reader"
        )
    return SerialTransport(address, baudrate)
