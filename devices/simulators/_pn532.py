"""The chip side of a PN532 on HSU: asleep until `55 55`, then ACK + response to each command.

It answers GetFirmwareVersion (PN532 v1.6), SAMConfiguration, RFConfiguration and
InListPassiveTarget (the present card at 106 kbps type A, else NbTg=0); any other command gets
the syntax-error frame. A NACK from the host gets the last response again. `power_cycle()`
puts it back to sleep, as a chip that lost power.
"""

from __future__ import annotations

from devices.readers.pn532 import ACK, Pn532Frame, Pn532FrameParser, pn532_frame
from devices.simulators._base import ReaderSimulator
from devices.simulators._link import SimulatorLink

ERROR_FRAME = pn532_frame(b"\x7f")
_HOST_TFI = 0xD4
_FIRMWARE = bytes.fromhex("D5 03 32 01 06 07")  # IC PN532, version 1.6, supports A, B, ISO18092
_SIMPLE_ANSWERS = {0x02: _FIRMWARE, 0x14: b"\xd5\x15", 0x32: b"\xd5\x33"}
_IN_LIST_PASSIVE_TARGET = 0x4A
_TYPE_A_106 = 0x00
#: UID length → SENS_RES (ATQA) and SEL_RES (SAK): MIFARE Classic 1K, then Ultralight / NTAG.
_CARD_KINDS = {4: (b"\x00\x04", 0x08), 7: (b"\x00\x44", 0x00), 10: (b"\x00\x84", 0x00)}


class Pn532Simulator(ReaderSimulator):
    def __init__(self, link: SimulatorLink, *, seed: int = 0) -> None:
        super().__init__(link, seed=seed, on_host_bytes=self._received)
        self.awake = False
        #: TFI + data of every command received while awake, for tests to check.
        self.commands: list[bytes] = []
        self._uid: bytes | None = None
        self._parser = Pn532FrameParser()
        self._before_wake_up = b""
        self._last_answer = b""

    def present(self, uid: str) -> None:
        """`uid`: 4, 7 or 10 bytes as hex, e.g. "04A1B2C3" or "0416C6C2D73881"."""
        raw = bytes.fromhex(uid)
        if len(raw) not in _CARD_KINDS:
            raise ValueError(f"an ISO14443A UID has 4, 7 or 10 bytes, not {uid!r}")
        self._uid = raw
        self.card = raw.hex().upper()

    def remove(self) -> None:
        self._uid = None
        super().remove()

    def power_cycle(self) -> None:
        self.awake = False
        self._parser = Pn532FrameParser()
        self._before_wake_up = b""
        self._last_answer = b""

    def _received(self, data: bytes) -> None:
        if not self.awake:
            data = self._after_wake_up(data)
        for frame in self._parser.feed(data):
            self._on_frame(frame)

    def _after_wake_up(self, data: bytes) -> bytes:
        seen = self._before_wake_up + data
        at = seen.find(b"\x55\x55")
        if at < 0:
            self._before_wake_up = seen[-1:]
            return b""
        self.awake = True
        return seen[at + 2 :]

    def _on_frame(self, frame: Pn532Frame) -> None:
        if frame.kind == "nack":
            if self._last_answer:
                self.link.write(self._last_answer)
            return
        if frame.kind != "data" or frame.data[0] != _HOST_TFI or len(frame.data) < 2:
            return  # a host ACK would abort a command in progress: none here takes time
        self.commands.append(frame.data)
        self.link.write(ACK)
        answer, has_card = self._answer(frame.data[1], frame.data[2:])
        self._last_answer = answer
        if has_card:
            self._send_frame(answer)
        else:
            self.link.write(answer)

    def _answer(self, code: int, params: bytes) -> tuple[bytes, bool]:
        if code in _SIMPLE_ANSWERS:
            return pn532_frame(_SIMPLE_ANSWERS[code]), False
        if code != _IN_LIST_PASSIVE_TARGET:
            return ERROR_FRAME, False
        if self._uid is None or params[1:2] != bytes([_TYPE_A_106]):
            return pn532_frame(b"\xd5\x4b\x00"), False
        atqa, sak = _CARD_KINDS[len(self._uid)]
        target = b"\x01" + atqa + bytes([sak, len(self._uid)]) + self._uid
        return pn532_frame(b"\xd5\x4b\x01" + target), True
