"""Readers that send one text line per card: Wiegand-to-serial converters, generic line readers."""

from __future__ import annotations

import re

from devices.readers.wiegand import WiegandFormat, wiegand_line
from devices.simulators._base import ReaderSimulator
from devices.simulators._link import SimulatorLink

_WIEGAND_UID = re.compile(r"[0-9]{1,10}")


class WiegandSimulator(ReaderSimulator):
    """A Wiegand-26 reader behind a converter printing `fmt` ("hex", "decimal" or "bits")."""

    def __init__(self, link: SimulatorLink, fmt: WiegandFormat = "hex", *, seed: int = 0) -> None:
        super().__init__(link, seed=seed)
        self.fmt: WiegandFormat = fmt

    def present(self, uid: str) -> None:
        """`uid`: the 24 data bits as decimal (facility << 16 | card), e.g. "0005898564"."""
        value = int(uid) if _WIEGAND_UID.fullmatch(uid) else -1
        if not 0 <= value <= 0xFFFFFF:
            raise ValueError(f"a Wiegand-26 uid is a decimal number below 2**24, not {uid!r}")
        self.card = uid
        self._send_frame(wiegand_line(value >> 16, value & 0xFFFF, self.fmt))


class LineReaderSimulator(ReaderSimulator):
    """A reader that prints the card's text and `line_end`."""

    def __init__(self, link: SimulatorLink, *, line_end: bytes = b"\r\n", seed: int = 0) -> None:
        super().__init__(link, seed=seed)
        self.line_end = line_end

    def present(self, uid: str) -> None:
        self.card = uid
        self._send_frame(uid.encode("ascii") + self.line_end)
