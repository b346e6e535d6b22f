"""An LG signage display: `ka 01 01` CR in, `a 01 OK01x` out (`NG` when refused, no line end).

Data `ff` reads a setting. Mute is inverted as on the real sets (`ke 01 00` mutes). Commands for
another set id are ignored. In standby it hears power commands only and answers the rest `NG`.
"""

from __future__ import annotations

import re

from devices.panels import Field, InputTable, LgCodec
from devices.panels.lg import COMMANDS, QUERY, lg_reply
from devices.simulators._panel_addressed import AddressedLineSimulator
from devices.simulators._panel_base import PanelRequest

_COMMAND = re.compile(rb"([a-z])([a-z]) ([0-9A-Fa-f]{2}) ([0-9A-Fa-f]{2})\Z")
_FIELDS = {command: field for field, command in COMMANDS.items()}
_NG_ILLEGAL_CODE = 0x01


class LgSimulator(AddressedLineSimulator):
    command = _COMMAND

    def _input_table(self, panel_id: int) -> InputTable:
        return LgCodec(panel_id=panel_id).inputs

    def _addressee(self, match: re.Match[bytes]) -> int:
        return int(match[3], 16)

    def _request(self, match: re.Match[bytes], raw: bytes) -> PanelRequest:
        field: Field | None = _FIELDS.get((match[1] + match[2]).decode())
        value = int(match[4], 16)
        if field is None or value == QUERY:
            return PanelRequest(field, None, raw)
        if field == "input":
            return PanelRequest(field, self.inputs.name(f"{value:02X}"), raw)
        if field == "volume":
            return PanelRequest(field, value, raw)
        if value not in (0, 1):
            return PanelRequest(None, None, raw)
        return PanelRequest(field, value == 1 if field == "power" else value == 0, raw)

    def _answer(self, request: PanelRequest) -> bytes | None:
        field = request.about or "power"
        value = {
            "power": int(self.power == "on"),
            "volume": self.volume,
            "mute": 0 if self.muted else 1,
            "input": int(self.inputs.code(self.input), 16),
        }[field]
        return lg_reply(COMMANDS[field][1], self.panel_id, True, value)

    def _refusal(self, request: PanelRequest) -> bytes | None:
        letter = COMMANDS[request.about][1] if request.about else chr(request.raw[1])
        return lg_reply(letter, self.panel_id, False, _NG_ILLEGAL_CODE)
