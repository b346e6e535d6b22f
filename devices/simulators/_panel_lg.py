"""An LG signage display: `ka 01 01` CR in, `a 01 OK01x` out (`NG` when refused, no line end).

Data `ff` reads a setting. Mute is inverted as on the real sets (`ke 01 00` mutes). Commands for
another set id are ignored. In standby it hears power commands only and answers the rest `NG`.
"""

from __future__ import annotations

import re

from devices.panels import Field, LgCodec
from devices.panels.lg import COMMANDS, QUERY, lg_reply
from devices.simulators._link import SimulatorLink
from devices.simulators._panel_base import CrLines, PanelRequest, PanelSimulator

_COMMAND = re.compile(rb"([a-z])([a-z]) ([0-9A-Fa-f]{2}) ([0-9A-Fa-f]{2})\Z")
_FIELDS = {command: field for field, command in COMMANDS.items()}
_NG_ILLEGAL_CODE = 0x01
_MAX_LINE = 64


class LgSimulator(PanelSimulator):
    def __init__(
        self,
        link: SimulatorLink,
        *,
        panel_id: int = 1,
        transition_seconds: float = 0.0,
        seed: int = 0,
    ) -> None:
        super().__init__(link, transition_seconds=transition_seconds, seed=seed)
        self.set_id = panel_id
        self.inputs = LgCodec(panel_id=panel_id).inputs
        self._lines = CrLines(_MAX_LINE)

    def _requests_in(self, data: bytes) -> list[PanelRequest]:
        lines = self._lines.feed(data)
        found = ((_COMMAND.search(line), line) for line in lines)
        return [
            self._request(match, line)
            for match, line in found
            if match is not None and int(match[3], 16) == self.set_id
        ]

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
        return lg_reply(COMMANDS[field][1], self.set_id, True, value)

    def _refusal(self, request: PanelRequest) -> bytes | None:
        letter = COMMANDS[request.about][1] if request.about else chr(request.raw[1])
        return lg_reply(letter, self.set_id, False, _NG_ILLEGAL_CODE)
