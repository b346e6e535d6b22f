"""Wiegand-26 and the serial lines Wiegand-to-serial converters print.

The uid is the 24 data bits (facility << 16 | card, parity removed) as 10 decimal digits, the
number a converter in decimal mode types. A converter prints, per its setting:
"hex" `XXYYZZ\\r` (it has checked the parity), "decimal" ten digits and CR LF, or "bits" the
raw 26 bits as '0'/'1' text (we check both parity bits). Bad lines are dropped.
"""

from __future__ import annotations

import re
from typing import Literal, get_args

from devices.readers._codec import Decoded
from devices.readers._line_splitter import LineSplitter

__all__ = [
    "WiegandFormat",
    "WiegandSerialCodec",
    "decode_wiegand26",
    "wiegand26_bits",
    "wiegand_line",
]

WiegandFormat = Literal["hex", "decimal", "bits"]

_LINE_PATTERNS: dict[str, re.Pattern[bytes]] = {
    "hex": re.compile(rb"[0-9A-Fa-f]{6}"),
    "decimal": re.compile(rb"[0-9]{10}"),
    "bits": re.compile(rb"[01]{26}"),
}
_MAX_RAW_LINE = 32
_MAX_DATA = 0xFFFFFF


def decode_wiegand26(bits: str) -> tuple[int, int] | None:
    """(facility, card) from 26 '0'/'1' characters, first bit sent first; None if malformed.

    Bit 1 is even parity over bits 1-13, bit 26 odd parity over bits 14-26.
    """
    if re.fullmatch(r"[01]{26}", bits) is None:
        return None
    if bits[:13].count("1") % 2 != 0 or bits[13:].count("1") % 2 != 1:
        return None
    return int(bits[1:9], 2), int(bits[9:25], 2)


def wiegand26_bits(facility: int, card: int) -> str:
    """The 26 bits a Wiegand reader sends for this facility code and card number."""
    _check_card(facility, card)
    data = f"{facility:08b}{card:016b}"
    even = "1" if data[:12].count("1") % 2 else "0"
    odd = "0" if data[12:].count("1") % 2 else "1"
    return even + data + odd


def wiegand_line(facility: int, card: int, fmt: WiegandFormat) -> bytes:
    """The line a converter set to `fmt` prints for this card."""
    _check_card(facility, card)
    value = facility << 16 | card
    if fmt == "hex":
        return f"{value:06X}\r".encode()
    if fmt == "decimal":
        return f"{value:010d}\r\n".encode()
    return f"{wiegand26_bits(facility, card)}\r\n".encode()


class WiegandSerialCodec:
    def __init__(self, fmt: WiegandFormat = "hex", *, stale_after: float = 0.5) -> None:
        if fmt not in get_args(WiegandFormat):
            raise ValueError(f"unknown Wiegand converter format {fmt!r}")
        self._fmt = fmt
        self._lines = LineSplitter(_MAX_RAW_LINE, stale_after)

    def start(self, now: float) -> bytes:
        self._lines.reset()
        return b""

    def feed(self, data: bytes, now: float) -> Decoded:
        values = (self._value_in(line.strip()) for line in self._lines.feed(data, now))
        return Decoded(uids=[f"{value:010d}" for value in values if value is not None])

    def tick(self, now: float) -> bytes:
        return b""

    def _value_in(self, text: bytes) -> int | None:
        if _LINE_PATTERNS[self._fmt].fullmatch(text) is None:
            return None
        if self._fmt == "hex":
            return int(text, 16)
        if self._fmt == "decimal":
            value = int(text)
            return value if value <= _MAX_DATA else None
        decoded = decode_wiegand26(text.decode("ascii"))
        return None if decoded is None else decoded[0] << 16 | decoded[1]


def _check_card(facility: int, card: int) -> None:
    if not (0 <= facility <= 0xFF and 0 <= card <= 0xFFFF):
        raise ValueError(f"facility must be 0-255 and card 0-65535, not {facility}/{card}")
