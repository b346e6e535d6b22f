"""Promethean ActivPanel over TCP 5000 (RS-232 tunnelled over LAN): `F6 cmd type data chk 6F`.

chk = (F6 + cmd + type + data) & FF. Sets get no reply at all; only the power status can be read
(`F6 01 02 00 F9 6F` → `F6 01 02 <01 on | 02 standby | 03 sleep> chk 6F`), so the driver reads
it back after each set. Mute off (`F6 02 00 00 F8 6F`) mirrors the documented mute on.
"""

from __future__ import annotations

from collections.abc import Mapping

from devices.panels._frames import SKIP, Found, FrameScanner
from devices.panels._model import Field, Power, Reply
from devices.panels._tables import HEX_BYTE, InputTable, checked_volume

__all__ = ["PrometheanCodec", "PrometheanFrameParser", "promethean_frame"]

START, END = 0xF6, 0x6F
POWER, MUTE, VOLUME, INPUT = 0x01, 0x02, 0x0C, 0x30
SET, GET, MUTE_SET = 0x01, 0x02, 0x00  # the type byte; mute is set with type 00
FRAME_LENGTH = 6
INPUTS = {"hdmi1": "09", "hdmi2": "0A", "ops1": "12"}
POWER_STATES: dict[int, Power] = {0x01: "on", 0x02: "standby", 0x03: "standby"}  # 03: sleep


def promethean_frame(cmd: int, kind: int, data: int) -> bytes:
    return bytes([START, cmd, kind, data, (START + cmd + kind + data) & 0xFF, END])


class PrometheanFrameParser(FrameScanner[tuple[int, int, int]]):
    """(cmd, type, data) of every well-formed frame; anything else is counted in `discarded`."""

    def __init__(self) -> None:
        super().__init__(START)

    def _frame_at(self, buffer: bytearray) -> Found[tuple[int, int, int]]:
        if len(buffer) < FRAME_LENGTH:
            return None
        if buffer[5] == END and sum(buffer[:4]) & 0xFF == buffer[4]:
            return (buffer[1], buffer[2], buffer[3]), FRAME_LENGTH
        return SKIP


class PrometheanCodec:
    readable: frozenset[Field] = frozenset({"power"})
    silent_sets = True
    deaf_when_off = False
    reconnect_after_power_on = False

    def __init__(self, *, inputs: Mapping[str, str] | None = None) -> None:
        self.inputs = InputTable("promethean", INPUTS, inputs, HEX_BYTE)
        self._frames = PrometheanFrameParser()

    @property
    def discarded(self) -> int:
        return self._frames.discarded

    def set_power(self, on: bool) -> bytes:
        return promethean_frame(POWER, SET, 0x01 if on else 0x00)

    def set_input(self, name: str) -> bytes:
        return promethean_frame(INPUT, SET, int(self.inputs.code(name), 16))

    def set_volume(self, level: int) -> bytes:
        return promethean_frame(VOLUME, SET, checked_volume(level))

    def set_mute(self, muted: bool) -> bytes:
        return promethean_frame(MUTE, MUTE_SET, 0x01 if muted else 0x00)

    def query(self, field: Field) -> bytes:
        if field != "power":
            raise ValueError(f"promethean panels cannot report their {field}")
        return promethean_frame(POWER, GET, 0x00)

    def feed(self, data: bytes) -> list[Reply]:
        return [
            Reply("power", power=POWER_STATES.get(value, "unknown"))
            for cmd, kind, value in self._frames.feed(data)
            if (cmd, kind) == (POWER, GET) and value != 0x00  # 00: a query, not an answer
        ]

    def reset(self) -> None:
        self._frames.reset()
