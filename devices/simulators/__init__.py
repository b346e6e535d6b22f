"""Simulated card readers and panels that speak the exact bytes of their protocol over a pty or TCP.

Each simulator takes a link: `PtyLink` (open `sim.address` with pyserial) or `TcpLink` (connect
to `sim.address`, a `socket://127.0.0.1:PORT` URL). All are asyncio-based, own no threads and
never block the loop: `await sim.start()` … `await sim.close()`, or `async with`.
"""

from devices.simulators._base import ReaderSimulator
from devices.simulators._line_readers import LineReaderSimulator, WiegandSimulator
from devices.simulators._link import SimulatorLink
from devices.simulators._panel_base import PanelRequest, PanelSimulator
from devices.simulators._panel_faults import PanelReplies
from devices.simulators._panel_lfd import LfdSimulator
from devices.simulators._panel_lg import LgSimulator
from devices.simulators._panel_promethean import PrometheanSimulator
from devices.simulators._panel_samsung import SamsungSimulator
from devices.simulators._panel_smart import SmartSimulator
from devices.simulators._pn532 import ERROR_FRAME, Pn532Simulator
from devices.simulators._pty_link import PtyLink
from devices.simulators._rdm6300 import Rdm6300Simulator
from devices.simulators._tcp_link import TcpLink

__all__ = [
    "ERROR_FRAME",
    "LfdSimulator",
    "LgSimulator",
    "LineReaderSimulator",
    "PanelReplies",
    "PanelRequest",
    "PanelSimulator",
    "Pn532Simulator",
    "PrometheanSimulator",
    "PtyLink",
    "Rdm6300Simulator",
    "ReaderSimulator",
    "SamsungSimulator",
    "SimulatorLink",
    "SmartSimulator",
    "TcpLink",
    "WiegandSimulator",
]
