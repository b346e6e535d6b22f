"""A generic reader that sends each card as one text line (CR, LF or CR LF at its end).

The uid is the line stripped of surrounding whitespace and upper-cased. Lines that are empty,
longer than `max_length` or hold anything outside [0-9A-Za-z:-] are dropped. Noise that happens
to hold a line end, a few such characters and another line end looks exactly like a card: a
generic line protocol has no checksum to tell them apart.
"""

from __future__ import annotations

import re

from devices.readers._codec import Decoded
from devices.readers._line_splitter import LineSplitter

__all__ = ["LineCodec"]

_CARD_TEXT = re.compile(rb"[0-9A-Za-z:-]+")
_WHITESPACE_ALLOWANCE = 16  # room for padding around the card text before a line is cut off


class LineCodec:
    def __init__(self, max_length: int = 32, *, stale_after: float = 0.5) -> None:
        if max_length < 1:
            raise ValueError(f"max_length must be at least 1, not {max_length}")
        self._max_length = max_length
        self._lines = LineSplitter(max_length + _WHITESPACE_ALLOWANCE, stale_after)

    def start(self, now: float) -> bytes:
        self._lines.reset()
        return b""

    def feed(self, data: bytes, now: float) -> Decoded:
        cards = (self._card_in(line) for line in self._lines.feed(data, now))
        return Decoded(uids=[card for card in cards if card is not None])

    def tick(self, now: float) -> bytes:
        return b""

    def _card_in(self, line: bytes) -> str | None:
        text = line.strip()
        if len(text) > self._max_length or _CARD_TEXT.fullmatch(text) is None:
            return None
        return text.decode("ascii").upper()
