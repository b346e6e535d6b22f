"""A Promethean ActivPanel behind its LAN port (TCP 5000): `F6 cmd type data chk 6F` frames.

Sets are carried out without a word; the only answer it ever gives is to the power status query
(`F6 01 02 00 F9 6F` → `F6 01 02 01 FA 6F` on, `… 02 FB 6F` standby). In standby it carries out
power commands only, and refuses everything in silence, as it answers nothing else.
"""

from __future__ import annotations

from devices.panels import PrometheanCodec
from devices.panels.promethean import (
    GET,
    INPUT,
    MUTE,
    MUTE_SET,
    POWER,
    SET,
    VOLUME,
    PrometheanFrameParser,
    promethean_frame,
)
from devices.simulators._link import SimulatorLink
from devices.simulators._panel_base import PanelRequest, PanelSimulator

_ON, _STANDBY = 0x01, 0x02


class PrometheanSimulator(PanelSimulator):
    def __init__(
        self, link: SimulatorLink, *, transition_seconds: float = 0.0, seed: int = 0
    ) -> None:
        super().__init__(link, transition_seconds=transition_seconds, seed=seed)
        self.inputs = PrometheanCodec().inputs
        self._frames = PrometheanFrameParser()

    def _requests_in(self, data: bytes) -> list[PanelRequest]:
        return [
            self._request(cmd, kind, value, promethean_frame(cmd, kind, value))
            for cmd, kind, value in self._frames.feed(data)
        ]

    def _request(self, cmd: int, kind: int, value: int, raw: bytes) -> PanelRequest:
        if (cmd, kind) == (POWER, GET):
            return PanelRequest("power", None, raw)
        if (cmd, kind) == (POWER, SET) and value in (0x00, 0x01):
            return PanelRequest("power", value == 0x01, raw)
        if (cmd, kind) == (INPUT, SET):
            return PanelRequest("input", self.inputs.name(f"{value:02X}"), raw)
        if (cmd, kind) == (VOLUME, SET):
            return PanelRequest("volume", value, raw)
        if (cmd, kind) == (MUTE, MUTE_SET) and value in (0x00, 0x01):
            return PanelRequest("mute", value == 0x01, raw)
        return PanelRequest(None, None, raw)

    def _answer(self, request: PanelRequest) -> bytes | None:
        if request.about != "power" or request.value is not None:
            return None  # sets are never answered
        return promethean_frame(POWER, GET, _ON if self.power == "on" else _STANDBY)

    def _refusal(self, request: PanelRequest) -> bytes | None:
        return None
