"""A ViewSonic or BenQ panel speaking LFD: `8 01 s ! 001` CR sets, `8 01 g l 000` CR gets.

Sets are answered `401+` CR (done) or `401-` CR (refused); the power get `801rl001` CR (on) or
`801rl000` CR (standby). Frames for another id are ignored. In standby it hears power commands
only and refuses the rest with `-`.
"""

from __future__ import annotations

import re

from devices.panels import Field, InputTable, LfdCodec
from devices.panels.lfd import ANSWER, COMMANDS, GET, POWER_QUERY, lfd_frame
from devices.simulators._panel_addressed import AddressedLineSimulator
from devices.simulators._panel_base import PanelRequest

_COMMAND = re.compile(rb"8([0-9]{2})([sg])(.)([0-9]{3})\Z", re.DOTALL)
_FIELDS = {command: field for field, command in COMMANDS.items()}


class LfdSimulator(AddressedLineSimulator):
    command = _COMMAND

    def _input_table(self, panel_id: int) -> InputTable:
        return LfdCodec(panel_id=panel_id).inputs

    def _addressee(self, match: re.Match[bytes]) -> int:
        return int(match[1])

    def _request(self, match: re.Match[bytes], raw: bytes) -> PanelRequest:
        kind, command, digits = match[2].decode(), match[3].decode("latin-1"), match[4].decode()
        if kind == GET:
            return PanelRequest("power" if command == POWER_QUERY else None, None, raw)
        field: Field | None = _FIELDS.get(command)
        if field == "input":
            return PanelRequest(field, self.inputs.name(digits), raw)
        if field == "volume":
            return PanelRequest(field, int(digits), raw)
        if field in ("power", "mute") and digits in ("000", "001"):
            return PanelRequest(field, digits == "001", raw)
        return PanelRequest(None, None, raw)

    def _answer(self, request: PanelRequest) -> bytes | None:
        if request.value is not None:
            return f"4{self.panel_id:02d}+\r".encode("ascii")
        state = "001" if self.power == "on" else "000"
        return lfd_frame(self.panel_id, ANSWER, POWER_QUERY, state)

    def _refusal(self, request: PanelRequest) -> bytes | None:
        return f"4{self.panel_id:02d}-\r".encode("ascii")
