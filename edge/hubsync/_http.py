"""Signed requests to the hub (docs/sync-protocol.md §2, §4): one session per sync round, the
clock offset learned from the hub's `Date`, network failures turned into `SyncError` here."""

from __future__ import annotations

import email.utils
import time
from types import TracebackType
from typing import Any

import aiohttp

from edge.db import Database
from edge.hubsync._enroll import Enrollment, HubUnreachableError, SyncError
from edge.keys import PRIVATE_NAME, load_private_key
from edge.settings import Settings
from sync import sign_request

#: `Date` has whole seconds: a smaller difference is its rounding, not a drifting clock
_OFFSET_SLACK_MS = 2000
PROBE_TIMEOUT = 10.0


class HubClient:
    def __init__(self, db: Database, settings: Settings, who: Enrollment, timeout: float) -> None:
        assert db.clock is not None
        self.who = who
        self.bytes_sent = 0
        self.bytes_received = 0
        self._clock = db.clock
        self._key = load_private_key(settings.keys_dir / PRIVATE_NAME)
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._http: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> HubClient:
        self._http = aiohttp.ClientSession(self.who.hub_url, timeout=self._timeout)
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._http is not None:
            await self._http.close()

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        """Send a signed request; on a clock-skew refusal, correct the clock and retry once."""
        for attempt in range(2):
            status, headers, answer = await self._send(method, path, body)
            date = headers.get("Date")
            if status == 401 and b"clock_skew" in answer and not attempt:
                self._clock.offset_ms = _offset_ms(date)
                continue
            if status < 500 and date:
                self._learn_offset(date)
            return status, answer
        raise SyncError("the hub keeps refusing our clock")

    async def _send(self, method: str, path: str, body: bytes) -> tuple[int, Any, bytes]:
        assert self._http is not None, "use `async with HubClient(…)`"
        created = int(time.time() + self._clock.offset_ms / 1000)
        headers = sign_request(self._key, self.who.key_id, method, path, body, created)
        try:
            async with self._http.request(method, path, data=body, headers=headers) as answer:
                found = await answer.read()
        except (aiohttp.ClientError, TimeoutError) as err:
            raise HubUnreachableError(
                f"cannot reach the hub at {self.who.hub_url}: {err!r}"
            ) from err
        self.bytes_sent += len(body) + len(path) + sum(map(len, headers.values()))
        self.bytes_received += len(found)
        return answer.status, answer.headers, found

    def _learn_offset(self, date: str) -> None:
        offset = _offset_ms(date)
        if abs(offset - self._clock.offset_ms) > _OFFSET_SLACK_MS:
            self._clock.offset_ms = offset


def _offset_ms(date: str | None) -> int:
    if not date:
        raise SyncError("the hub refused our clock and sent no Date")
    try:
        hub = email.utils.parsedate_to_datetime(date).timestamp()
    except (TypeError, ValueError) as err:
        raise SyncError(f"the hub sent a Date we cannot read: {date!r}") from err
    return int((hub - time.time()) * 1000)


async def probe_hub(hub_url: str) -> bool:
    """An unsigned GET of the hub's /healthz: does it answer at all? (§10)"""
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=PROBE_TIMEOUT)) as http,
            http.get(f"{hub_url}/healthz") as answer,
        ):
            return answer.status == 200
    except (aiohttp.ClientError, TimeoutError):
        return False
