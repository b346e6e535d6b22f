"""A SMART Board on RS-232: `set key=value` / `get key` lines ending in CR, answered with
`key=value` CR LF and the `>` prompt, or `invalid cmd=…`.

In soft-off (`ready`) it is deaf to everything but `set powerstate=on`, and misses the first
`wake_misses` of those while its serial port wakes (with `answers_power_query_in_standby` it also
answers `get powerstate`, as some models do in `ready`). Powering on prints `boot_noise`.
"""

from __future__ import annotations

import re

from devices.panels import Field, SmartCodec
from devices.panels.smart import FIELDS_BY_KEY, KEYS
from devices.simulators._link import SimulatorLink
from devices.simulators._panel_base import CrLines, PanelRequest, PanelSimulator

BOOT_NOISE = b"\x00\xff\r\nU-Boot 2020.04 (SMART)\r\n#boot: starting services\r\nloading...>\r\n"
_SET = re.compile(rb"\s*set\s+(powerstate|input|volume|mute)\s*=\s*(\S+)\s*", re.I)
_GET = re.compile(rb"\s*get\s+(powerstate|input|volume|mute)\s*", re.I)
_POWER_WORDS = {"on": True, "ready": False, "standby": False, "off": False, "powersave": False}
_MAX_LINE = 256


class SmartSimulator(PanelSimulator):
    def __init__(
        self,
        link: SimulatorLink,
        *,
        transition_seconds: float = 0.0,
        wake_misses: int = 1,
        answers_power_query_in_standby: bool = False,
        upper_case_inputs: bool = False,
        boot_noise: bytes = BOOT_NOISE,
        seed: int = 0,
    ) -> None:
        super().__init__(link, transition_seconds=transition_seconds, seed=seed)
        self.inputs = SmartCodec(upper_case_inputs=upper_case_inputs).inputs
        self.wake_misses = wake_misses
        self.answers_power_query_in_standby = answers_power_query_in_standby
        self.boot_noise = boot_noise
        self._missed = 0
        self._lines = CrLines(_MAX_LINE)

    def _requests_in(self, data: bytes) -> list[PanelRequest]:
        lines = self._lines.feed(data)
        stripped = (line.strip(b"\n") for line in lines)
        return [self._request(line) for line in stripped if line.strip()]

    def _request(self, line: bytes) -> PanelRequest:
        if (query := _GET.fullmatch(line)) is not None:
            return PanelRequest(self._field(query[1]), None, line)
        setting = _SET.fullmatch(line)
        if setting is None:
            return PanelRequest(None, None, line)
        field, word = self._field(setting[1]), setting[2].decode("ascii", "replace")
        value: bool | int | str | None = None
        if field == "power":
            value = _POWER_WORDS.get(word.lower())
        elif field == "input":
            value = self.inputs.name(word)
        elif field == "volume":
            value = int(word) if word.isdigit() else None
        else:
            value = {"on": True, "off": False}.get(word.lower())
        return PanelRequest(None if value is None else field, value, line)

    def _field(self, key: bytes) -> Field:
        return FIELDS_BY_KEY[key.decode().lower()]

    def _hears_in_standby(self, request: PanelRequest) -> bool:
        if request.about != "power":
            return False
        if request.value is None:
            return self.answers_power_query_in_standby
        if request.value and self._missed < self.wake_misses:
            self._missed += 1
            return False
        return bool(request.value)

    def _answer(self, request: PanelRequest) -> bytes | None:
        field = request.about or "power"
        return f"{KEYS[field]}={self._value_of(field)}\r\n>".encode("ascii")

    def _refusal(self, request: PanelRequest) -> bytes | None:
        if self.power != "on" and not self.in_transition:
            return None  # deaf in soft-off
        return b"invalid cmd=" + request.raw.strip() + b"\r\n>"

    def _powered(self, on: bool) -> None:
        self._missed = 0
        if on:
            self.replies.send_raw(self.boot_noise)

    def _value_of(self, field: Field) -> str:
        if field == "power":
            return "on" if self.power == "on" else "ready"
        if field == "input":
            return self.inputs.code(self.input)
        if field == "volume":
            return str(self.volume)
        return "on" if self.muted else "off"
