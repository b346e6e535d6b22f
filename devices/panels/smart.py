"""SMART Board (MX, 6000S) over RS-232 19200 8N1: ASCII commands ending in CR (no LF).

`set powerstate=on`, `get powerstate` → `powerstate=on` and then the `>` prompt; a set is
answered with the new `key=value` the same way. Lines starting with `#` are unsolicited; a
refusal reads `invalid cmd=…`. Answers are taken only at the prompt, so boot noise and half lines
before it are dropped (re-synchronising on `>`). In soft-off (`ready`) the panel hears nothing but
power-on. Older firmware (MX V1–V3) wants upper-case inputs: `upper_case_inputs=True`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from devices.panels._model import Field, Power, Reply
from devices.panels._tables import InputTable, bounded, checked_volume

__all__ = ["SmartCodec"]

KEYS: dict[Field, str] = {
    "power": "powerstate",
    "input": "input",
    "volume": "volume",
    "mute": "mute",
}
FIELDS_BY_KEY = {key: field for field, key in KEYS.items()}
INPUTS = {name: name for name in ("hdmi1", "hdmi2", "hdmi3", "vga1", "ops1", "usbc1")}
UPPER_CASE_INPUTS = {
    "hdmi1": "HDMI1",
    "hdmi2": "HDMI2",
    "hdmi3": "HDMI3",
    "vga1": "VGA",
    "ops1": "OPS",
}
ON_STATES = {"on", "updateon"}
STANDBY_STATES = {"ready", "standby", "powersave", "off", "updateready"}
#: at the end of a line, so noise before it on the same line does not hide it
SETTING = re.compile(rb"(powerstate|input|volume|mute)\s*=\s*([A-Za-z0-9]+)\s*\Z", re.I)
REFUSAL = re.compile(rb"invalid", re.I)
DELIMITER = re.compile(rb"([\r\n>])")
MAX_LINE, MAX_PENDING = 128, 8


class SmartCodec:
    readable: frozenset[Field] = frozenset(KEYS)
    silent_sets = False
    deaf_when_off = True
    reconnect_after_power_on = False

    def __init__(
        self, *, inputs: Mapping[str, str] | None = None, upper_case_inputs: bool = False
    ) -> None:
        defaults = UPPER_CASE_INPUTS if upper_case_inputs else INPUTS
        self.inputs = InputTable("smart", defaults, inputs, re.compile(r"[A-Za-z0-9]{1,16}"))
        self._line = bytearray()
        self._pending: list[Reply] = []  # answers seen since the last prompt
        self.discarded = 0
        self.unsolicited = 0

    def set_power(self, on: bool) -> bytes:
        return b"set powerstate=on\r" if on else b"set powerstate=ready\r"

    def set_input(self, name: str) -> bytes:
        return f"set input={self.inputs.code(name)}\r".encode("ascii")

    def set_volume(self, level: int) -> bytes:
        return f"set volume={checked_volume(level)}\r".encode("ascii")

    def set_mute(self, muted: bool) -> bytes:
        return b"set mute=on\r" if muted else b"set mute=off\r"

    def query(self, field: Field) -> bytes:
        return f"get {KEYS[field]}\r".encode("ascii")

    def feed(self, data: bytes) -> list[Reply]:
        replies: list[Reply] = []
        for piece in DELIMITER.split(data):
            if piece == b">":
                self._end_line()
                replies += self._pending
                self._pending = []
            elif piece in (b"\r", b"\n"):
                self._end_line()
            else:
                self._line += piece
                self.discarded += bounded(self._line, MAX_LINE)
        return replies

    def reset(self) -> None:
        self.discarded += len(self._line)
        self._line.clear()
        self._pending = []

    def _end_line(self) -> None:
        line = bytes(self._line)
        self._line.clear()
        reply = self._reply(line)
        if reply is None:
            self.discarded += len(line) + 1  # and the line end or prompt after it
            self.unsolicited += line.lstrip().startswith(b"#")
            return
        self._pending = [*self._pending[-(MAX_PENDING - 1) :], reply]

    def _reply(self, line: bytes) -> Reply | None:
        if line.lstrip().startswith(b"#"):
            return None  # unsolicited
        if REFUSAL.search(line):
            return Reply(None, refused=line.strip().decode("ascii", "replace"))
        setting = SETTING.search(line)
        if setting is None:
            return None
        field = FIELDS_BY_KEY[setting[1].decode().lower()]
        value = setting[2].decode()
        if field == "power":
            return Reply(field, power=_power(value.lower()))
        if field == "input":
            return Reply(field, input=self.inputs.name(value))
        if field == "volume":
            level = int(value) if value.isdigit() else -1
            return Reply(field, volume=level) if 0 <= level <= 100 else None
        muted = {"on": True, "off": False}.get(value.lower())
        return None if muted is None else Reply(field, muted=muted)


def _power(value: str) -> Power:
    if value in ON_STATES:
        return "on"
    return "standby" if value in STANDBY_STATES else "unknown"
