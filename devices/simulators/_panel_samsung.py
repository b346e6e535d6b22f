"""A Samsung display speaking MDC: `AA cmd id len data chk` in, `AA FF id 03 41|4E cmd value chk`
out (ACK or NAK). A frame with no data reads the setting, one data byte sets it.

It misses the first `power_on_misses` power-ons (they go unacknowledged, as on a display still
waking its controller). Over TCP, `lan_restart_seconds` after acknowledging power-on its network
module restarts: the connection drops and new ones are refused until it is back, so a driver
must reconnect. In standby it hears power commands only and NAKs the rest.
"""

from __future__ import annotations

import asyncio

from devices.panels import SamsungCodec
from devices.panels.samsung import (
    ACK,
    COMMANDS,
    FIELDS_BY_COMMAND,
    NAK,
    REPLY,
    MdcFrameParser,
    mdc_frame,
)
from devices.simulators._link import SimulatorLink
from devices.simulators._panel_base import PanelRequest, PanelSimulator
from devices.simulators._tcp_link import TcpLink

_NAK_NOT_AVAILABLE = 0x01


class SamsungSimulator(PanelSimulator):
    def __init__(
        self,
        link: SimulatorLink,
        *,
        panel_id: int = 1,
        transition_seconds: float = 0.0,
        power_on_misses: int = 0,
        lan_restart_seconds: float | None = 10.0,
        seed: int = 0,
    ) -> None:
        super().__init__(link, transition_seconds=transition_seconds, seed=seed)
        self.panel_id = panel_id
        self.inputs = SamsungCodec(panel_id=panel_id).inputs
        self.power_on_misses = power_on_misses
        self.lan_restart_seconds = lan_restart_seconds
        self.lan_restarts = 0
        self._frames = MdcFrameParser()

    def _requests_in(self, data: bytes) -> list[PanelRequest]:
        return [
            self._request(cmd, body, mdc_frame(cmd, panel_id, body))
            for cmd, panel_id, body in self._frames.feed(data)
            if panel_id == self.panel_id
        ]

    def _request(self, cmd: int, body: bytes, raw: bytes) -> PanelRequest:
        field = FIELDS_BY_COMMAND.get(cmd)
        if field is None or len(body) > 1:
            return PanelRequest(None, None, raw)
        if not body:
            return PanelRequest(field, None, raw)
        value = body[0]
        if field == "input":
            return PanelRequest(field, self.inputs.name(f"{value:02X}"), raw)
        if field == "volume":
            return PanelRequest(field, value, raw)
        return PanelRequest(field if value in (0, 1) else None, value == 1, raw)

    def _hears_in_standby(self, request: PanelRequest) -> bool:
        if request.about == "power" and request.value is True and self.power_on_misses > 0:
            self.power_on_misses -= 1
            return False
        return request.about == "power"

    def _answer(self, request: PanelRequest) -> bytes | None:
        field = request.about or "power"
        value = {
            "power": int(self.power == "on"),
            "volume": self.volume,
            "mute": int(self.muted),
            "input": int(self.inputs.code(self.input), 16),
        }[field]
        return mdc_frame(REPLY, self.panel_id, bytes([ACK, COMMANDS[field], value]))

    def _refusal(self, request: PanelRequest) -> bytes | None:
        if request.about == "power" and self.power != "on" and not self.in_transition:
            return None  # a missed power-on: no answer at all
        cmd = COMMANDS[request.about] if request.about else request.raw[1]
        return mdc_frame(REPLY, self.panel_id, bytes([NAK, cmd, _NAK_NOT_AVAILABLE]))

    def _powered(self, on: bool) -> None:
        if on and self.lan_restart_seconds is not None and isinstance(self.link, TcpLink):
            self.replies.spawn(self._restart_lan)

    async def _restart_lan(self) -> None:
        self.lan_restarts += 1
        await self.link.unplug()
        await asyncio.sleep(self.lan_restart_seconds or 0.0)
        await self.link.replug()
