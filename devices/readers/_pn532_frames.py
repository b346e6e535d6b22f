"""PN532 host-link frames (UM0701 §6.2): building them and finding them in a byte stream.

Normal `00 00 FF LEN LCS TFI PD… DCS 00`, extended `00 00 FF FF FF LENM LENL LCS TFI PD… DCS 00`,
ACK `00 00 FF 00 FF 00`, NACK `00 00 FF FF 00 00`; an error frame is a normal frame whose only
byte is TFI `7F`. The parser scans for the start code `00 FF`; bytes that do not form a frame
with correct LEN/LCS and DCS are skipped, so it resynchronises at the next good frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["ACK", "NACK", "WAKE_UP", "Pn532Frame", "Pn532FrameParser", "pn532_frame"]

ACK = bytes.fromhex("0000FF00FF00")
NACK = bytes.fromhex("0000FFFF0000")
#: HSU wake-up: the chip wakes on 0x55 and needs the zeros as time before the first frame.
WAKE_UP = b"\x55\x55" + bytes(15)

_START_CODE = b"\x00\xff"
_ERROR_TFI = 0x7F
# Far above the PN532's largest frame (TFI + 264 bytes): bounds how long a noise header that
# claims a length can hold back the frames behind it.
_MAX_DATA_LENGTH = 512

FrameKind = Literal["ack", "nack", "error", "data"]


@dataclass(frozen=True)
class Pn532Frame:
    kind: FrameKind
    data: bytes = b""  # TFI and PD… of an information frame


def pn532_frame(tfi_and_data: bytes) -> bytes:
    """An information frame around TFI + data: normal up to 254 bytes, extended above."""
    length = len(tfi_and_data)
    if not 1 <= length <= _MAX_DATA_LENGTH:
        raise ValueError(f"a PN532 frame carries 1-{_MAX_DATA_LENGTH} bytes, not {length}")
    if length < 0xFF:
        header = bytes([length, -length & 0xFF])
    else:
        high, low = divmod(length, 0x100)
        header = bytes([0xFF, 0xFF, high, low, -(high + low) & 0xFF])
    checksum = -sum(tfi_and_data) & 0xFF
    return b"\x00\x00\xff" + header + tfi_and_data + bytes([checksum, 0])


class Pn532FrameParser:
    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[Pn532Frame]:
        """Every frame that `data` completes, in order."""
        self._buffer += data
        frames: list[Pn532Frame] = []
        scan_from = 0
        while (start := self._buffer.find(_START_CODE, scan_from)) >= 0:
            found = _frame_at(self._buffer, start + 2)
            if isinstance(found, tuple):
                frame, scan_from = found
                frames.append(frame)
            elif found is _INCOMPLETE:
                del self._buffer[:start]
                return frames
            else:
                scan_from = start + 2
        self._keep_possible_start(scan_from)
        return frames

    def drop_partial(self) -> None:
        """Give up on the frame still arriving (a noise header can claim a long length)."""
        if self._buffer.startswith(_START_CODE):
            del self._buffer[:2]

    def _keep_possible_start(self, scanned_to: int) -> None:
        """Forget what was scanned, except a last unconsumed 00 that may begin a start code."""
        last_is_free_zero = len(self._buffer) > scanned_to and self._buffer.endswith(b"\x00")
        del self._buffer[: len(self._buffer) - 1 if last_is_free_zero else len(self._buffer)]


_INCOMPLETE = "incomplete"
_NOT_A_FRAME = "not a frame"
_Found = tuple[Pn532Frame, int] | str


def _frame_at(buffer: bytearray, pos: int) -> _Found:
    """The frame after the start code that ends at `pos`, and the position after it."""
    if len(buffer) < pos + 2:
        return _INCOMPLETE
    length, length_checksum = buffer[pos], buffer[pos + 1]
    if (length, length_checksum) == (0x00, 0xFF):
        return Pn532Frame("ack"), pos + 2
    if (length, length_checksum) == (0xFF, 0x00):
        return Pn532Frame("nack"), pos + 2
    if (length, length_checksum) == (0xFF, 0xFF):
        if len(buffer) < pos + 5:
            return _INCOMPLETE
        high, low, checksum = buffer[pos + 2 : pos + 5]
        if (high + low + checksum) & 0xFF:
            return _NOT_A_FRAME
        return _information_frame(buffer, pos + 5, high << 8 | low)
    if length in (0x00, 0xFF) or (length + length_checksum) & 0xFF:
        return _NOT_A_FRAME
    return _information_frame(buffer, pos + 2, length)


def _information_frame(buffer: bytearray, data_at: int, length: int) -> _Found:
    if not 1 <= length <= _MAX_DATA_LENGTH:
        return _NOT_A_FRAME
    end = data_at + length
    if len(buffer) < end + 1:
        return _INCOMPLETE
    data = bytes(buffer[data_at:end])
    if (sum(data) + buffer[end]) & 0xFF:
        return _NOT_A_FRAME
    kind: FrameKind = "error" if data[0] == _ERROR_TFI else "data"
    return Pn532Frame(kind, data), end + 1
