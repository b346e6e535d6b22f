"""What every panel simulator does, whichever protocol it speaks and whatever its link.

The state is plain attributes (`power`, `input`, `volume`, `muted`) for tests to read and set.
After a power change it ignores (or, with `refuse_in_transition`, refuses) every command for
`transition_seconds`; in standby it hears power commands only. The faults of its answers
(silence, garbage, a drop mid-answer, dribbling) are knobs of `sim.replies` (`PanelReplies`).
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from types import TracebackType
from typing import Self

from devices.panels import Field
from devices.simulators._link import SimulatorLink
from devices.simulators._panel_faults import PanelReplies


@dataclass(frozen=True)
class PanelRequest:
    """A command as the simulator understood it: `value` None reads `about`; `about` None is a
    command it does not know. Power is a bool, input a name (or `code:…`), volume an int."""

    about: Field | None
    value: bool | int | str | None
    raw: bytes


class PanelSimulator(ABC):
    def __init__(
        self, link: SimulatorLink, *, transition_seconds: float = 0.0, seed: int = 0
    ) -> None:
        self.link = link
        self.power = "standby"  # or "on"
        self.input = "hdmi1"
        self.volume = 20
        self.muted = False
        self.transition_seconds = transition_seconds
        self.refuse_in_transition = False
        self.replies = PanelReplies(link, seed=seed)
        #: every command received, in order, understood or not
        self.requests: list[PanelRequest] = []
        self._transition_until = 0.0

    @property
    def address(self) -> str:
        return self.link.address

    @property
    def in_transition(self) -> bool:
        return time.monotonic() < self._transition_until

    async def start(self) -> None:
        await self.link.open(self._received)

    async def close(self) -> None:
        await self.replies.close()
        await self.link.close()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def unplug(self) -> None:
        await self.link.unplug()

    async def replug(self) -> None:
        await self.link.replug()

    @abstractmethod
    def _requests_in(self, data: bytes) -> list[PanelRequest]:
        """The commands that `data` completes (the parser keeps partial ones)."""

    @abstractmethod
    def _answer(self, request: PanelRequest) -> bytes | None:
        """The answer to a command carried out (None: this protocol does not answer)."""

    @abstractmethod
    def _refusal(self, request: PanelRequest) -> bytes | None:
        """The answer to a command refused (None: refused in silence)."""

    def _hears_in_standby(self, request: PanelRequest) -> bool:
        return request.about == "power"

    def _powered(self, on: bool) -> None:  # noqa: B027 - a hook most protocols leave empty
        """Called once the answer to a power change has been written."""

    def _received(self, data: bytes) -> None:
        for request in self._requests_in(data):
            self.requests.append(request)
            self._handle(request)

    def _handle(self, request: PanelRequest) -> None:
        if self.in_transition:
            if self.refuse_in_transition:
                self.replies.reply(self._refusal(request))
            return
        heard = self.power == "on" or self._hears_in_standby(request)
        if not heard or request.about is None or not self._apply(request):
            self.replies.reply(self._refusal(request))
        elif request.about == "power" and request.value is not None:
            self._switch(bool(request.value), request)
        else:
            self.replies.reply(self._answer(request))

    def _switch(self, on: bool, request: PanelRequest) -> None:
        changed = self.power != ("on" if on else "standby")
        self.power = "on" if on else "standby"
        if changed:
            self._transition_until = time.monotonic() + self.transition_seconds
        self.replies.reply(self._answer(request), (lambda: self._powered(on)) if changed else None)

    def _apply(self, request: PanelRequest) -> bool:
        """Carries out a set (the power is changed by `_handle`); False refuses it."""
        value = request.value
        if request.about == "input" and isinstance(value, str):
            if value.startswith("code:"):
                return False
            self.input = value
        elif request.about == "volume" and isinstance(value, int) and not isinstance(value, bool):
            if not 0 <= value <= 100:
                return False
            self.volume = value
        elif request.about == "mute" and isinstance(value, bool):
            self.muted = value
        return True


class CrLines:
    """Commands ending in CR, as the ASCII protocols send them; of an unfinished line only the
    last `max_line` bytes are kept, so noise without a CR cannot grow it."""

    def __init__(self, max_line: int) -> None:
        self._max_line = max_line
        self._rest = b""

    def feed(self, data: bytes) -> list[bytes]:
        *lines, rest = (self._rest + data).split(b"\r")
        self._rest = rest[-self._max_line :]
        return lines
