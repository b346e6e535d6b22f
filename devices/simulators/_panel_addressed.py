"""What the LFD and LG simulators share: commands are CR-terminated lines, each naming the panel
it is for; a line for another id, or one that does not parse, is ignored."""

from __future__ import annotations

import re
from abc import abstractmethod
from typing import ClassVar

from devices.panels import InputTable
from devices.simulators._link import SimulatorLink
from devices.simulators._panel_base import CrLines, PanelRequest, PanelSimulator

_MAX_LINE = 64


class AddressedLineSimulator(PanelSimulator):
    #: one whole command line; `_addressee` and `_request` read its groups
    command: ClassVar[re.Pattern[bytes]]

    def __init__(
        self,
        link: SimulatorLink,
        *,
        panel_id: int = 1,
        transition_seconds: float = 0.0,
        seed: int = 0,
    ) -> None:
        super().__init__(link, transition_seconds=transition_seconds, seed=seed)
        self.panel_id = panel_id
        self.inputs = self._input_table(panel_id)
        self._lines = CrLines(_MAX_LINE)

    def _requests_in(self, data: bytes) -> list[PanelRequest]:
        found = ((self.command.search(line), line) for line in self._lines.feed(data))
        return [
            self._request(match, line)
            for match, line in found
            if match is not None and self._addressee(match) == self.panel_id
        ]

    @abstractmethod
    def _input_table(self, panel_id: int) -> InputTable: ...

    @abstractmethod
    def _addressee(self, match: re.Match[bytes]) -> int: ...

    @abstractmethod
    def _request(self, match: re.Match[bytes], raw: bytes) -> PanelRequest: ...
