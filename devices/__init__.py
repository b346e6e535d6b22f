"""Card-reader and panel drivers: pure codecs, transports, runners, simulators (DESIGN.md, Devices).

Devices never write SQL: they emit typed events (`Tap`, `ReaderState`) keyed by the reader's
stable id, and the box decides what they mean.
"""

from devices._address import parse_address
from devices._events import ReaderState, Tap
from devices._runner import ReaderRunner, Timing
from devices._transport import Link, LinkDown, SerialTransport, TcpTransport, Transport
from devices.readers._wedge_evdev import EvdevTransport
from devices.readers._wedge_pynput import PynputTransport

__all__ = [
    "EvdevTransport",
    "Link",
    "LinkDown",
    "PynputTransport",
    "ReaderRunner",
    "ReaderState",
    "SerialTransport",
    "Tap",
    "TcpTransport",
    "Timing",
    "Transport",
    "parse_address",
]
