"""One physical panel behind the public async API: a codec over a reconnecting link.

One command is in flight at a time (a lock). After a power change the panel is left alone for
`transition_seconds`: `power()` itself sits that out, reads the state back and returns it, while
any other call meanwhile raises `PanelBusy` at once (its `retry_after` says for how long).
Link and timeout errors are turned into `PanelError` / `PanelTimeout` here, and only here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable

from devices._transport import LinkDown, Transport
from devices.panels._connection import PanelConnection
from devices.panels._exchange import PanelExchange
from devices.panels._model import (
    PanelBusy,
    PanelCodec,
    PanelError,
    PanelState,
    PanelTimeout,
    PanelTiming,
    Reply,
)
from devices.panels._power import PowerSequence

_log = logging.getLogger(__name__)


class Panel:
    def __init__(
        self, protocol: str, codec: PanelCodec, transport: Transport, timing: PanelTiming
    ) -> None:
        self.protocol = protocol
        self.name = f"{protocol} panel on {transport.describe()}"
        self._codec = codec
        self._timing = timing
        self._connection = PanelConnection(transport, codec, timing.backoff)
        self._exchange = PanelExchange(self.name, codec, self._connection, timing.timeout)
        self._lock = asyncio.Lock()
        self._busy_until = 0.0
        self._closed = False

    @property
    def last_known(self) -> PanelState:
        """What the driver last read or set, without asking the panel."""
        return self._exchange.known

    async def connect(self) -> bool:
        """Opens the link now rather than at the first call; False when it cannot be opened yet
        (the next call tries again, after the backoff)."""
        try:
            async with self._command("connect", reading=True):
                return True
        except PanelError as err:
            _log.warning("%s", err)
            return False

    async def power(self, on: bool) -> PanelState:
        """Returns once the transition is over and the state has been read back."""
        what = "power on" if on else "power off"
        sequence = PowerSequence(self.name, self._codec, self._connection, self._timing)
        async with self._command(what):
            known = self._exchange.known
            if not on and self._codec.deaf_when_off and known.power == "standby":
                return known  # it hears nothing in soft-off, and soft-off is where it is
            self._exchange.known = (await sequence.switch(on)).merged_into(known)
            self._busy_until = time.monotonic() + sequence.quiet_seconds(on)
            if sequence.must_reconnect(on):
                self._connection.drop()
        await asyncio.sleep(max(0.0, self._busy_until - time.monotonic()))
        async with self._command(f"read the state back after {what}", own_transition=True):
            state = await self._exchange.read_state()
        if state.power != ("on" if on else "standby"):
            raise PanelError(f"{self.name}: asked to {what}, but it reports power {state.power}")
        return state

    async def state(self) -> PanelState:
        """Reads the power, and while on whatever else the protocol can read back."""
        async with self._command("read the state", reading=True):
            return await self._exchange.read_state()

    async def select_input(self, name: str) -> PanelState:
        what = f"select input {name!r}"
        frame = self._encoded(lambda: self._codec.set_input(name), what)
        async with self._command(what):
            return await self._exchange.set("input", frame, Reply("input", input=name), what)

    async def set_volume(self, level: int) -> PanelState:
        what = f"set the volume to {level!r}"
        frame = self._encoded(lambda: self._codec.set_volume(level), what)
        async with self._command(what):
            return await self._exchange.set("volume", frame, Reply("volume", volume=level), what)

    async def set_mute(self, muted: bool) -> PanelState:
        what = "mute" if muted else "unmute"
        frame = self._encoded(lambda: self._codec.set_mute(muted), what)
        async with self._command(what):
            return await self._exchange.set("mute", frame, Reply("mute", muted=muted), what)

    async def close(self) -> None:
        self._closed = True
        self._connection.drop()

    @contextlib.asynccontextmanager
    async def _command(
        self, what: str, *, reading: bool = False, own_transition: bool = False
    ) -> AsyncIterator[None]:
        """`reading`: the command reads the state itself; `own_transition`: power() reading back
        at the end of the transition it started (the clock may say a few µs are left)."""
        if self._closed:
            raise PanelError(f"{self.name}: cannot {what}, the panel was closed")
        async with self._lock:
            if not own_transition:
                self._refuse_if_busy(what)
            try:
                await self._exchange.prepare(read_back=not (reading or own_transition))
                yield
            except LinkDown as err:
                self._connection.drop()
                raise PanelError(f"{self.name}: {what} failed, link down: {err}") from err
            except TimeoutError as err:
                raise PanelTimeout(f"{self.name}: no answer to {what}{self._hint()}") from err

    def _refuse_if_busy(self, what: str) -> None:
        left = self._busy_until - time.monotonic()
        if left > 0:
            message = f"{self.name} is changing power state: cannot {what} for {left:.1f} s"
            raise PanelBusy(message, retry_after=left)

    def _encoded(self, encode: Callable[[], bytes], what: str) -> bytes:
        try:
            return encode()
        except ValueError as err:
            raise PanelError(f"{self.name}: cannot {what}: {err}") from err

    def _hint(self) -> str:
        hint = f" within {self._timing.timeout:g} s"
        if self._codec.deaf_when_off and self._exchange.known.power != "on":
            hint += " (it does not answer in standby: power it on first)"
        return hint

    def __str__(self) -> str:
        return self.name
