"""Cutting a panel's byte stream into binary frames that begin with one marker byte."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Generic, Literal, TypeVar

F = TypeVar("F")
#: what `_frame_at` says of the bytes at a marker: a frame and its length, wait for more
#: bytes (None), or not a frame here (SKIP: look again one byte on)
SKIP: Literal["skip"] = "skip"
Found = tuple[F, int] | None | Literal["skip"]


class FrameScanner(ABC, Generic[F]):
    """Every well-formed frame fed to it, in order; anything else is counted in `discarded`."""

    def __init__(self, marker: int) -> None:
        self._marker = marker
        self._buffer = bytearray()
        self.discarded = 0

    def reset(self) -> None:
        self.discarded += len(self._buffer)
        self._buffer.clear()

    def feed(self, data: bytes) -> list[F]:
        self._buffer += data
        frames: list[F] = []
        while (frame := self._next_frame()) is not None:
            frames.append(frame)
        return frames

    @abstractmethod
    def _frame_at(self, buffer: bytearray) -> Found[F]:
        """What starts at buffer[0], the marker."""

    def _next_frame(self) -> F | None:
        buffer = self._buffer
        while True:
            start = buffer.find(self._marker)
            if start < 0:
                self.discarded += len(buffer)
                buffer.clear()
                return None
            self.discarded += start
            del buffer[:start]
            found = self._frame_at(buffer)
            if found is None:
                return None
            if found == SKIP:  # a stray marker or a damaged frame
                self.discarded += 1
                del buffer[:1]
                continue
            frame, length = found
            del buffer[:length]
            return frame
