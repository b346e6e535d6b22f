"""The agent's life: find the box, pair if it holds no token, then keep one WebSocket to the box,
reconnecting after any loss with exponential backoff and full jitter; a revoked or unknown
token sends it back to pairing."""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any

import aiohttp

from devices.agent._config import AgentConfig
from devices.agent._discover import BoxNotFound, discover_box
from devices.agent._display import Display
from devices.agent._pairing import PairingRefused, pair
from devices.agent._session import Health, Unauthorized, run_session
from devices.agent._state import AgentState

_log = logging.getLogger(__name__)


def backoff_delay(failures: int, low: float, high: float, rng: random.Random) -> float:
    """Uniform below min(high, low·2^(failures-1)): full jitter, so many agents spread out."""
    return 0.0 if failures < 1 else rng.uniform(0, min(high, low * 2.0 ** min(failures - 1, 64)))


class PanelAgent:
    def __init__(
        self, config: AgentConfig, display: Display, *, rng: random.Random | None = None
    ) -> None:
        self.config, self.display = config, display
        self.state = AgentState.load(config.state_dir)
        self.health = Health()
        self.connected = asyncio.Event()  # set while a session is up (after the box's welcome)
        self.welcome: dict[str, Any] = {}
        self.sessions = 0  # sessions started so far
        self._rng = rng or random.Random()
        self._failures = 0

    async def run(self) -> None:
        """Run until cancelled."""
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(sock_connect=5)) as http:
            while True:
                try:
                    await self._once(http)
                except Unauthorized as err:
                    _log.warning("%s: pairing again", err)
                    self.state.forget_token()
                except (aiohttp.ClientError, OSError, BoxNotFound, PairingRefused) as err:
                    self.health.last_error = str(err) or type(err).__name__
                    _log.warning("box unreachable: %s", self.health.last_error)
                finally:
                    self.connected.clear()
                self._failures += 1
                await asyncio.sleep(self._delay())

    def _delay(self) -> float:
        low, high = self.config.backoff_min_seconds, self.config.backoff_max_seconds
        return backoff_delay(self._failures, low, high, self._rng)

    async def _once(self, http: aiohttp.ClientSession) -> None:
        box = self.config.box_url.rstrip("/") or await discover_box(
            self.config.discovery_seconds, self.config.mdns_interfaces
        )
        token = self.state.token or await pair(http, box, self.state, self.config, self.display)
        code = await run_session(
            http,
            box,
            token,
            self.display,
            health=self.health,
            heartbeat=self.config.heartbeat_seconds,
            on_welcome=self._welcomed,
        )
        _log.info("the box closed the connection (%s); reconnecting", code)

    def _welcomed(self, welcome: dict[str, Any]) -> None:
        self.welcome = welcome
        self.sessions += 1
        self._failures = 0
        self.connected.set()
        _log.info("connected to the box as %s (room %s)", self.state.agent_id, welcome["room_id"])
