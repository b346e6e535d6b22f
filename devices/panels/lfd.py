"""The LFD protocol of ViewSonic and BenQ panels, all ASCII: `Len ID ID Type Cmd V1 V2 V3 CR`.

RS-232 9600 8N1 (some BenQ models 38400), or TCP 5000 (ViewSonic) / 4660 (BenQ). Len counts the
bytes before CR; type `s` sets, `g` gets, `r` answers a get. Sets are answered `401+` (done) or
`401-` (refused); only the power can be read (`801gl000` → `801rl001` on, `801rl000` standby).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from devices.panels._model import Field, Power, Reply
from devices.panels._tables import InputTable, bounded, checked_id, checked_volume

__all__ = ["LfdCodec", "lfd_frame"]

SET, GET, ANSWER = "s", "g", "r"
COMMANDS: dict[Field, str] = {"power": "!", "input": '"', "volume": "5", "mute": "6"}
POWER_QUERY = "l"
INPUTS = {"hdmi1": "004", "hdmi2": "014", "ops1": "007"}
POWER_STATES: dict[bytes, Power] = {b"000": "standby", b"001": "on"}
#: the end of a line: an acknowledgement or a get's answer (noise may come before it)
REPLY = re.compile(rb"(?:4([0-9]{2})([+-])|8([0-9]{2})r(.)([0-9]{3}))\Z", re.DOTALL)
MAX_LINE = 64
BROADCAST = 99


def lfd_frame(panel_id: int, kind: str, command: str, value: str) -> bytes:
    """`lfd_frame(1, "s", "!", "001")` → `801s!001\\r`; an acknowledgement has no command."""
    body = f"{panel_id:02d}{kind}{command}{value}"
    return f"{len(body) + 1}{body}\r".encode("ascii")


class LfdCodec:
    readable: frozenset[Field] = frozenset({"power"})
    silent_sets = False
    deaf_when_off = False
    reconnect_after_power_on = False

    def __init__(self, *, panel_id: int = 1, inputs: Mapping[str, str] | None = None) -> None:
        self.panel_id = checked_id("lfd", panel_id, 1, BROADCAST - 1)
        self.inputs = InputTable("lfd", INPUTS, inputs, re.compile(r"[0-9]{3}"))
        self._line = bytearray()
        self.discarded = 0

    def set_power(self, on: bool) -> bytes:
        return self._set("power", "001" if on else "000")

    def set_input(self, name: str) -> bytes:
        return self._set("input", self.inputs.code(name))

    def set_volume(self, level: int) -> bytes:
        return self._set("volume", f"{checked_volume(level):03d}")

    def set_mute(self, muted: bool) -> bytes:
        return self._set("mute", "001" if muted else "000")

    def query(self, field: Field) -> bytes:
        if field != "power":
            raise ValueError(f"lfd panels cannot report their {field}")
        return lfd_frame(self.panel_id, GET, POWER_QUERY, "000")

    def feed(self, data: bytes) -> list[Reply]:
        *finished, tail = data.split(b"\r")
        replies: list[Reply] = []
        for part in finished:
            self._line += part
            line = bytes(self._line)
            self._line.clear()
            match = REPLY.search(line)
            reply = None if match is None else self._reply(match)
            used = 0 if match is None or reply is None else len(match[0]) + 1
            self.discarded += len(line) + 1 - used
            if reply is not None:
                replies.append(reply)
        self._line += tail
        self.discarded += bounded(self._line, MAX_LINE)
        return replies

    def reset(self) -> None:
        self.discarded += len(self._line)
        self._line.clear()

    def _set(self, field: Field, value: str) -> bytes:
        return lfd_frame(self.panel_id, SET, COMMANDS[field], value)

    def _reply(self, match: re.Match[bytes]) -> Reply | None:
        if int(match[1] or match[3]) != self.panel_id:
            return None
        if match[2] is not None:
            return Reply(None) if match[2] == b"+" else Reply(None, refused="-")
        if match[4] != POWER_QUERY.encode():
            return None
        return Reply("power", power=POWER_STATES.get(match[5], "unknown"))
