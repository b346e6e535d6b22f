"""LG signage, RS-232 9600 8N1 or TCP 9761: ASCII `<c1><c2> <setid> <hex>\\r`, data `ff` queries.

Answers are `<c2> <setid> OK<hex>x` or `… NG<hex>x`, with no line end: `ka 01 ff\\r` → `a 01 OK01x`.
Mute is the other way round from the others: `ke 01 00` mutes, `ke 01 01` unmutes. Input codes
beyond DEVICES.md are the usual signage ones (HDMI1 90, HDMI2 91, HDMI3 92, RGB 60, OPS 98);
models differ, so a panel's table can be corrected with `inputs=`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from devices.panels._model import Field, Power, Reply
from devices.panels._tables import HEX_BYTE, InputTable, bounded, checked_id, checked_volume

__all__ = ["LgCodec", "lg_reply"]

COMMANDS: dict[Field, str] = {"power": "ka", "input": "xb", "volume": "kf", "mute": "ke"}
FIELDS_BY_LETTER = {command[1]: field for field, command in COMMANDS.items()}
INPUTS = {"hdmi1": "90", "hdmi2": "91", "hdmi3": "92", "vga1": "60", "ops1": "98"}
POWER_STATES: dict[str, Power] = {"00": "standby", "01": "on"}
QUERY = 0xFF
REPLY = re.compile(rb"([a-z]) ([0-9A-Fa-f]{2}) (OK|NG)([0-9A-Fa-f]{2})x")
REPLY_LENGTH = 10


def lg_reply(letter: str, set_id: int, ok: bool, data: int) -> bytes:
    """What the panel answers, e.g. `lg_reply("a", 1, True, 1)` → `a 01 OK01x`."""
    return f"{letter} {set_id:02x} {'OK' if ok else 'NG'}{data:02x}x".encode("ascii")


class LgCodec:
    readable: frozenset[Field] = frozenset(COMMANDS)
    silent_sets = False
    deaf_when_off = False
    reconnect_after_power_on = False

    def __init__(self, *, panel_id: int = 1, inputs: Mapping[str, str] | None = None) -> None:
        self.set_id = checked_id("lg", panel_id, 1, 0xFE)
        self.inputs = InputTable("lg", INPUTS, inputs, HEX_BYTE)
        self._buffer = bytearray()
        self.discarded = 0

    def set_power(self, on: bool) -> bytes:
        return self._command("power", 0x01 if on else 0x00)

    def set_input(self, name: str) -> bytes:
        return self._command("input", int(self.inputs.code(name), 16))

    def set_volume(self, level: int) -> bytes:
        return self._command("volume", checked_volume(level))

    def set_mute(self, muted: bool) -> bytes:
        return self._command("mute", 0x00 if muted else 0x01)

    def query(self, field: Field) -> bytes:
        return self._command(field, QUERY)

    def feed(self, data: bytes) -> list[Reply]:
        self._buffer += data
        replies: list[Reply] = []
        consumed = 0
        for match in REPLY.finditer(self._buffer):
            self.discarded += match.start() - consumed
            consumed = match.end()
            reply = self._reply(match) if int(match[2], 16) == self.set_id else None
            if reply is None:
                self.discarded += REPLY_LENGTH
            else:
                replies.append(reply)
        del self._buffer[:consumed]
        self.discarded += bounded(self._buffer, REPLY_LENGTH - 1)
        return replies

    def reset(self) -> None:
        self.discarded += len(self._buffer)
        self._buffer.clear()

    def _command(self, field: Field, value: int) -> bytes:
        return f"{COMMANDS[field]} {self.set_id:02x} {value:02x}\r".encode("ascii")

    def _reply(self, match: re.Match[bytes]) -> Reply | None:
        field = FIELDS_BY_LETTER.get(match[1].decode())
        data = match[4].decode()
        if field is None:  # an answer to a command this driver never sends
            return None
        if match[3] == b"NG":
            return Reply(field, refused=f"NG{data}")
        if field == "power":
            return Reply(field, power=POWER_STATES.get(data, "unknown"))
        if field == "input":
            return Reply(field, input=self.inputs.name(data))
        if field == "volume":
            level = int(data, 16)
            return Reply(field, volume=level if level <= 100 else None)
        return Reply(field, muted={"00": True, "01": False}.get(data))
