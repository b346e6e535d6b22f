"""RDM6300 / EM4100 (125 kHz) serial frames: `02`, 10 hex chars, 2 hex checksum chars, `03`.

The reader only talks. A frame is accepted when its body is exactly 12 hex characters (or 12
followed by CR LF: the ID-20LA puts those before ETX) and the XOR of the five decoded bytes
matches the checksum. Anything else is dropped and the decoder waits for the next STX.

What the checksum cannot catch: noise on an open RX line can form a frame with a valid XOR
(the Tasmota readings in the fixtures). `required_reads=2` rejects such one-off frames by
returning a uid only once the same frame has arrived twice in a row, at most `read_window`
seconds apart: a real RDM6300 repeats its frame while the card stays in the field. The default
(1) returns every good frame, which suits readers that send a card once (ID-20LA).
"""

from __future__ import annotations

import re
from functools import reduce

from devices.readers._codec import Decoded

__all__ = ["Rdm6300Codec", "em4100_uid", "rdm6300_frame"]

_STX = 0x02
_ETX = 0x03
_MAX_BODY = 14  # 12 hex characters, plus the ID-20LA's CR LF
_BODY = re.compile(rb"([0-9A-Fa-f]{10})([0-9A-Fa-f]{2})(?:\r\n)?")
_HEX10 = re.compile(r"[0-9A-Fa-f]{10}")


def em4100_uid(uid_hex10: str) -> str:
    """The 4 id bytes (after the version byte) as the 10-digit decimal USB readers type."""
    _check_hex10(uid_hex10)
    return f"{int(uid_hex10[2:], 16):010d}"


def rdm6300_frame(uid_hex10: str) -> bytes:
    """The 14-byte frame an RDM6300 sends for a card carrying `uid_hex10` (version + id)."""
    _check_hex10(uid_hex10)
    text = uid_hex10.upper()
    return b"\x02" + f"{text}{_xor(bytes.fromhex(text)):02X}".encode() + b"\x03"


class Rdm6300Codec:
    def __init__(self, *, required_reads: int = 1, read_window: float = 0.5) -> None:
        if required_reads < 1:
            raise ValueError(f"required_reads must be at least 1, not {required_reads}")
        if read_window <= 0:
            raise ValueError(f"read_window must be positive, not {read_window}")
        self._required_reads = required_reads
        self._read_window = read_window
        self._body: bytearray | None = None  # None: waiting for STX
        self._last_card = ""
        self._last_read_at = 0.0
        self._streak = 0

    def start(self, now: float) -> bytes:
        self._body = None
        self._streak = 0
        return b""

    def feed(self, data: bytes, now: float) -> Decoded:
        decoded = Decoded()
        for byte in data:
            if byte == _STX:
                self._body = bytearray()
            elif self._body is None:
                continue
            elif byte == _ETX:
                card = _card_in(bytes(self._body))
                self._body = None
                if card is not None and self._confirmed(card, now):
                    decoded.uids.append(em4100_uid(card))
            elif len(self._body) == _MAX_BODY:
                self._body = None
            else:
                self._body.append(byte)
        return decoded

    def tick(self, now: float) -> bytes:
        return b""

    def _confirmed(self, card: str, now: float) -> bool:
        repeated = card == self._last_card and now - self._last_read_at <= self._read_window
        self._streak = self._streak + 1 if repeated else 1
        self._last_card, self._last_read_at = card, now
        return self._streak >= self._required_reads


def _card_in(body: bytes) -> str | None:
    """The 10 hex characters of a well-formed body whose checksum holds, else None."""
    match = _BODY.fullmatch(body)
    if match is None:
        return None
    card = match[1].decode().upper()
    if _xor(bytes.fromhex(card)) != int(match[2], 16):
        return None
    return card


def _xor(data: bytes) -> int:
    return reduce(lambda acc, byte: acc ^ byte, data, 0)


def _check_hex10(uid_hex10: str) -> None:
    if _HEX10.fullmatch(uid_hex10) is None:
        raise ValueError(f"an EM4100 card id is 10 hex characters, not {uid_hex10!r}")
