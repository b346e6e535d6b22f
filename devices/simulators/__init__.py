"""Simulated card readers that speak the exact bytes of their protocol over a pty or TCP.

Each simulator takes a link: `PtyLink` (open `sim.address` with pyserial) or `TcpLink` (connect
to `sim.address`, a `socket://127.0.0.1:PORT` URL). All are asyncio-based, own no threads and
never block the loop: `await sim.start()` … `await sim.close()`, or `async with`.
"""

from devices.simulators._base import ReaderSimulator
from devices.simulators._line_readers import LineReaderSimulator, WiegandSimulator
from devices.simulators._link import SimulatorLink
from devices.simulators._pn532 import ERROR_FRAME, Pn532Simulator
from devices.simulators._pty_link import PtyLink
from devices.simulators._rdm6300 import Rdm6300Simulator
from devices.simulators._tcp_link import TcpLink

__all__ = [
    "ERROR_FRAME",
    "LineReaderSimulator",
    "Pn532Simulator",
    "PtyLink",
    "Rdm6300Simulator",
    "ReaderSimulator",
    "SimulatorLink",
    "TcpLink",
    "WiegandSimulator",
]
