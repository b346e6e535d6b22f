"""Cuts a reader's byte stream into lines, for the readers that send one line per card."""

from __future__ import annotations

import re

_LINE_END = re.compile(rb"[\r\n]")


class LineSplitter:
    """Splits at CR or LF; drops lines longer than `max_raw_length` and stale partial lines.

    A partial line older than `stale_after` seconds is dropped when the next bytes arrive, so
    noise without a line end (a plug event, a wrong baud rate) cannot spoil the next card.
    """

    def __init__(self, max_raw_length: int, stale_after: float) -> None:
        if max_raw_length < 1:
            raise ValueError(f"max_raw_length must be at least 1, not {max_raw_length}")
        if stale_after <= 0:
            raise ValueError(f"stale_after must be positive, not {stale_after}")
        self._max_raw_length = max_raw_length
        self._stale_after = stale_after
        self._partial = bytearray()
        self._overflowed = False  # the current line is already too long: drop it at its end
        self._last_byte_at = 0.0

    def reset(self) -> None:
        self._partial.clear()
        self._overflowed = False

    def feed(self, data: bytes, now: float) -> list[bytes]:
        """The complete lines (without their line end) that `data` finishes."""
        if not data:
            return []
        if now - self._last_byte_at > self._stale_after:
            self.reset()
        self._last_byte_at = now
        *finished, tail = _LINE_END.split(data)
        lines: list[bytes] = []
        for part in finished:
            line = bytes(self._partial) + part
            if not self._overflowed and len(line) <= self._max_raw_length and line:
                lines.append(line)
            self.reset()
        self._take_partial(tail)
        return lines

    def _take_partial(self, tail: bytes) -> None:
        if self._overflowed:
            return
        self._partial += tail
        if len(self._partial) > self._max_raw_length:
            self.reset()
            self._overflowed = True
