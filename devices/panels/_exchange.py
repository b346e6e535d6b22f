"""Commands and queries on an open link, and the panel state they leave the driver knowing.

Raises `LinkDown` and `TimeoutError` as they come, and `PanelError` for a refusal or a set a
silent panel did not apply; the `Panel` translates the first two.
"""

from __future__ import annotations

import logging

from devices.panels._connection import PanelConnection
from devices.panels._model import Field, PanelCodec, PanelError, PanelState, Reply

_log = logging.getLogger(__name__)


class PanelExchange:
    def __init__(
        self, name: str, codec: PanelCodec, connection: PanelConnection, timeout: float
    ) -> None:
        self._name = name
        self._codec = codec
        self._connection = connection
        self._timeout = timeout
        #: what was last read or acknowledged
        self.known = PanelState()

    async def prepare(self, *, read_back: bool) -> None:
        """Opens the link; after it dropped, reads the state back first if `read_back`."""
        await self._connection.ensure_open()
        if read_back and self._connection.needs_read_back:
            try:
                await self.read_state()
            except (TimeoutError, PanelError) as err:
                _log.warning("%s: state not read back after a reconnect: %s", self._name, err)

    async def read_state(self) -> PanelState:
        """The power, and while on whatever else the protocol can read back."""
        try:
            state = (await self.query("power", "report its power")).merged_into(self.known)
        except TimeoutError:
            if not (self._codec.deaf_when_off and self.known.power == "standby"):
                raise
            return self.known  # deaf in soft-off, as it was left: silence is the answer
        readable = self._codec.readable - {"power"} if state.power == "on" else frozenset()
        for field in sorted(readable):
            state = (await self.query(field, f"report its {field}")).merged_into(state)
        self.known = state
        self._connection.needs_read_back = False
        return state

    async def set(self, field: Field, frame: bytes, wanted: Reply, what: str) -> PanelState:
        await self._connection.send(frame)
        if self._codec.silent_sets:  # no answer ever comes: read the power back instead
            reply = await self.query("power", what)
            if reply.power != "on":
                raise PanelError(f"{self._name}: {what} not applied, power is {reply.power}")
        else:
            reply = await self._connection.reply(field, query=False, within=self._timeout)
            self._refuse_if_refused(reply, what)
        self.known = reply.merged_into(wanted.merged_into(self.known))
        return self.known

    async def query(self, field: Field, what: str) -> Reply:
        await self._connection.send(self._codec.query(field))
        reply = await self._connection.reply(field, query=True, within=self._timeout)
        self._refuse_if_refused(reply, what)
        return reply

    def _refuse_if_refused(self, reply: Reply, what: str) -> None:
        if reply.refused is not None:
            raise PanelError(f"{self._name} refused to {what}: {reply.refused}")
