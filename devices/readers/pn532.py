"""PN532 (13.56 MHz, ISO14443A) over UART/HSU: the host side, as a pure state machine.

`start` wakes the chip (`55 55` + zeros) and sends SAMConfiguration (normal mode); after its
`D5 15` comes RFConfiguration MaxRetries, so that InListPassiveTarget answers "no target"
instead of waiting for a card for ever (the chip's default); then InListPassiveTarget (1 target,
106 kbps type A) every `poll_interval` seconds. Each command waits for an ACK and its response;
without them within `timeout`, or on a NACK, it is sent again, and after `max_failures` such
failures the codec starts over with the wake-up (the chip may have been power-cycled). An error
frame also starts over. The uid is the target's UID bytes as upper-case hex.
"""

from __future__ import annotations

from dataclasses import dataclass

from devices.readers._codec import Decoded
from devices.readers._pn532_frames import (
    ACK,
    NACK,
    WAKE_UP,
    Pn532Frame,
    Pn532FrameParser,
    pn532_frame,
)

__all__ = [
    "ACK",
    "IN_LIST_PASSIVE_TARGET",
    "NACK",
    "SAM_CONFIGURATION",
    "SET_PASSIVE_RETRIES",
    "WAKE_UP",
    "Pn532Codec",
    "Pn532Frame",
    "Pn532FrameParser",
    "pn532_frame",
]

SAM_CONFIGURATION = pn532_frame(bytes.fromhex("D4 14 01 14 01"))  # normal mode, IRQ on
#: RFConfiguration item 5: MxRtyATR FF, MxRtyPSL 01, MxRtyPassiveActivation 02.
SET_PASSIVE_RETRIES = pn532_frame(bytes.fromhex("D4 32 05 FF 01 02"))
IN_LIST_PASSIVE_TARGET = pn532_frame(bytes.fromhex("D4 4A 01 00"))  # 1 target, 106 kbps type A

_CHIP_TFI = 0xD5
_SAM_ANSWER, _RETRIES_ANSWER, _TARGET_ANSWER = 0x15, 0x33, 0x4B
_UID_LENGTHS = (4, 7, 10)


@dataclass
class _Command:
    wire: bytes  # sent again as it stands on a retry
    answer_code: int
    deadline: float


class Pn532Codec:
    def __init__(
        self, *, poll_interval: float = 0.1, timeout: float = 0.5, max_failures: int = 3
    ) -> None:
        if poll_interval < 0 or timeout <= 0 or max_failures < 1:
            raise ValueError("poll_interval >= 0, timeout > 0 and max_failures >= 1 are needed")
        self._poll_interval = poll_interval
        self._timeout = timeout
        self._max_failures = max_failures
        self._parser = Pn532FrameParser()
        self._pending: _Command | None = None
        self._next_poll_at: float | None = None
        self._failures = 0

    def start(self, now: float) -> bytes:
        self._parser = Pn532FrameParser()
        self._next_poll_at = None
        self._failures = 0
        return self._send(WAKE_UP + SAM_CONFIGURATION, _SAM_ANSWER, now)

    def feed(self, data: bytes, now: float) -> Decoded:
        decoded = Decoded()
        for frame in self._parser.feed(data):
            decoded.reply += self._on_frame(frame, now, decoded.uids)
        return decoded

    def tick(self, now: float) -> bytes:
        if self._pending is not None and now >= self._pending.deadline:
            self._parser.drop_partial()
            return self._retry(self._pending, now)
        if self._next_poll_at is not None and now >= self._next_poll_at:
            return self._send(IN_LIST_PASSIVE_TARGET, _TARGET_ANSWER, now)
        return b""

    def _send(self, wire: bytes, answer_code: int, now: float) -> bytes:
        self._next_poll_at = None
        self._pending = _Command(wire, answer_code, now + self._timeout)
        return wire

    def _retry(self, command: _Command, now: float) -> bytes:
        self._failures += 1
        if self._failures >= self._max_failures:
            return self.start(now)
        command.deadline = now + self._timeout
        return command.wire

    def _on_frame(self, frame: Pn532Frame, now: float, uids: list[str]) -> bytes:
        pending = self._pending
        if pending is None:
            return b""  # late or unsolicited
        if frame.kind == "ack":
            pending.deadline = now + self._timeout  # now the time to answer runs
            return b""
        if frame.kind == "nack":
            return self._retry(pending, now)
        if frame.kind == "error":
            return self.start(now)
        if frame.data[:2] != bytes([_CHIP_TFI, pending.answer_code]):
            return b""
        self._pending = None
        self._failures = 0
        return self._on_answer(pending.answer_code, frame.data[2:], now, uids)

    def _on_answer(self, code: int, params: bytes, now: float, uids: list[str]) -> bytes:
        if code == _SAM_ANSWER:
            return self._send(SET_PASSIVE_RETRIES, _RETRIES_ANSWER, now)
        if code == _RETRIES_ANSWER:
            return self._send(IN_LIST_PASSIVE_TARGET, _TARGET_ANSWER, now)
        uid = _target_uid(params)
        if uid is not None:
            uids.append(uid)
        self._next_poll_at = now + self._poll_interval
        return b""


def _target_uid(params: bytes) -> str | None:
    """The first target's UID from `NbTg Tg SENS_RES(2) SEL_RES NFCIDLength NFCID…`.

    None for no target, a short answer, and a Type 1 (Jewel/Topaz) target: its SENS_RES has no
    anticollision bit and its answer has no SEL_RES or UID length, just a 4-byte JEWELID.
    """
    if len(params) < 6 or params[0] == 0 or params[3] & 0x1F == 0:
        return None
    uid = params[6 : 6 + params[5]]
    if params[5] not in _UID_LENGTHS or len(uid) != params[5]:
        return None
    return uid.hex().upper()
