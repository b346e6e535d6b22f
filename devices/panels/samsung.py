"""Samsung MDC, RS-232 9600 8N1 or TCP 1515: `AA cmd id len data chk`, chk = sum after AA & FF.

A set carries one data byte, a query none (`AA 11 01 00 12` reads the power). The display answers
`AA FF id 03 41 cmd value chk` ('A', ACK) or `… 4E cmd error chk` ('N', NAK). Id FE broadcasts and
gets no ACK, so a driver addresses one display. Input codes beyond HDMI1 are the MDC
specification's (HDMI2 23, HDMI3 31, PC 14, plug-in module / OPS 50).
"""

from __future__ import annotations

from collections.abc import Mapping

from devices.panels._frames import SKIP, Found, FrameScanner
from devices.panels._model import Field, Power, Reply
from devices.panels._tables import HEX_BYTE, InputTable, checked_id, checked_volume

__all__ = ["MdcFrameParser", "SamsungCodec", "mdc_frame"]

HEADER, REPLY = 0xAA, 0xFF
ACK, NAK = 0x41, 0x4E
COMMANDS: dict[Field, int] = {"power": 0x11, "volume": 0x12, "mute": 0x13, "input": 0x14}
FIELDS_BY_COMMAND = {cmd: field for field, cmd in COMMANDS.items()}
INPUTS = {"hdmi1": "21", "hdmi2": "23", "hdmi3": "31", "vga1": "14", "ops1": "50"}
POWER_STATES: dict[int, Power] = {0x00: "standby", 0x01: "on"}
MAX_DATA = 32  # longer claims are noise: no answer to these commands comes near


def mdc_frame(cmd: int, panel_id: int, data: bytes = b"") -> bytes:
    body = bytes([cmd, panel_id, len(data)]) + data
    return bytes([HEADER]) + body + bytes([sum(body) & 0xFF])


class MdcFrameParser(FrameScanner[tuple[int, int, bytes]]):
    """(cmd, id, data) of every frame whose checksum holds; the rest is counted in `discarded`.

    `replies_only` (the host side): a header not followed by FF is dropped at once, so noise
    cannot hold an answer back while it waits for the length it claims.
    """

    def __init__(self, *, replies_only: bool = False) -> None:
        super().__init__(HEADER)
        self._replies_only = replies_only

    def _frame_at(self, buffer: bytearray) -> Found[tuple[int, int, bytes]]:
        if self._replies_only and len(buffer) > 1 and buffer[1] != REPLY:
            return SKIP
        if len(buffer) < 4 or (len(buffer) < 5 + buffer[3] and buffer[3] <= MAX_DATA):
            return None
        end = 4 + buffer[3]
        if buffer[3] <= MAX_DATA and sum(buffer[1:end]) & 0xFF == buffer[end]:
            return (buffer[1], buffer[2], bytes(buffer[4:end])), end + 1
        return SKIP


class SamsungCodec:
    readable: frozenset[Field] = frozenset(COMMANDS)
    silent_sets = False
    deaf_when_off = False
    reconnect_after_power_on = True

    def __init__(self, *, panel_id: int = 1, inputs: Mapping[str, str] | None = None) -> None:
        self.panel_id = checked_id("samsung", panel_id, 0, 0xFD)
        self.inputs = InputTable("samsung", INPUTS, inputs, HEX_BYTE)
        self._frames = MdcFrameParser(replies_only=True)
        self._ignored = 0

    @property
    def discarded(self) -> int:
        return self._frames.discarded + self._ignored

    def set_power(self, on: bool) -> bytes:
        return self._set("power", 0x01 if on else 0x00)

    def set_input(self, name: str) -> bytes:
        return self._set("input", int(self.inputs.code(name), 16))

    def set_volume(self, level: int) -> bytes:
        return self._set("volume", checked_volume(level))

    def set_mute(self, muted: bool) -> bytes:
        return self._set("mute", 0x01 if muted else 0x00)

    def query(self, field: Field) -> bytes:
        return mdc_frame(COMMANDS[field], self.panel_id)

    def feed(self, data: bytes) -> list[Reply]:
        replies: list[Reply] = []
        for cmd, panel_id, body in self._frames.feed(data):
            reply = self._reply(body) if (cmd, panel_id) == (REPLY, self.panel_id) else None
            if reply is None:
                self._ignored += 5 + len(body)
            else:
                replies.append(reply)
        return replies

    def reset(self) -> None:
        self._frames.reset()

    def _set(self, field: Field, value: int) -> bytes:
        return mdc_frame(COMMANDS[field], self.panel_id, bytes([value]))

    def _reply(self, body: bytes) -> Reply | None:
        if len(body) < 3 or body[0] not in (ACK, NAK) or body[1] not in FIELDS_BY_COMMAND:
            return None
        field, value = FIELDS_BY_COMMAND[body[1]], body[2]
        if body[0] == NAK:
            return Reply(field, refused=f"NAK, error code {value:02X}")
        if field == "power":
            return Reply(field, power=POWER_STATES.get(value, "unknown"))
        if field == "input":
            return Reply(field, input=self.inputs.name(f"{value:02X}"))
        if field == "volume":
            return Reply(field, volume=value if value <= 100 else None)
        return Reply(field, muted={0x00: False, 0x01: True}.get(value))
