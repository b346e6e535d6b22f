"""Chromium's DevTools protocol on loopback, as much of it as the kiosk needs: where the browser
listens (the DevToolsActivePort file it writes into its profile, so no port is guessed), its
pages, and one command at a time, each with a deadline: a hung browser fails that command (and
its ack) instead of hanging the agent's session."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

from devices.agent._display import DisplayError

COMMAND_SECONDS = 10.0
PORT_FILE = "DevToolsActivePort"


class BrowserExited(DisplayError):
    """The browser process ended while the agent waited for it."""


class DevTools:
    def __init__(self, port: int, browser_path: str) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self._browser = f"ws://127.0.0.1:{port}{browser_path}"
        self._ids = itertools.count(1)
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=COMMAND_SECONDS))

    @classmethod
    async def attach(cls, profile: Path, alive: Callable[[], bool], seconds: float) -> DevTools:
        """Once the browser has written where it listens; BrowserExited if it died first."""
        try:
            async with asyncio.timeout(seconds):
                while alive():
                    with contextlib.suppress(OSError, ValueError):  # absent, or half written
                        port, path = (profile / PORT_FILE).read_text().split()[:2]
                        return cls(int(port), path)
                    await asyncio.sleep(0.05)
        except TimeoutError:
            raise DisplayError(
                f"the browser opened no DevTools port within {seconds:.0f} s"
            ) from None
        raise BrowserExited("the browser exited as it started")

    async def first_page(self, seconds: float) -> str:
        """The id of the browser's first page, once it has one."""
        async with asyncio.timeout(seconds):
            while not (pages := await self.pages()):  # noqa: ASYNC110 - only polling tells
                await asyncio.sleep(0.05)
        return str(pages[-1]["id"])

    async def closed(self, page: str, seconds: float) -> None:
        """Once the page `page` is gone (closing a tab is answered before it is)."""
        try:
            async with asyncio.timeout(seconds):
                while page in {target["id"] for target in await self.pages()}:  # noqa: ASYNC110
                    await asyncio.sleep(0.02)
        except TimeoutError:
            raise DisplayError(f"the browser did not close a tab within {seconds} s") from None

    async def pages(self) -> list[dict[str, Any]]:
        """The browser's page targets (tabs), newest first."""
        try:
            async with self._http.get(f"{self.url}/json/list") as answer:
                targets: list[dict[str, Any]] = await answer.json()
        except (aiohttp.ClientError, TimeoutError) as err:
            raise DisplayError(f"the browser's DevTools did not answer: {err!r}") from err
        return [target for target in targets if target.get("type") == "page"]

    async def call(
        self, method: str, params: dict[str, Any] | None = None, *, page: str = ""
    ) -> dict[str, Any]:
        """`method` on the page with target id `page`, or on the browser; its result."""
        where = (
            f"{self.url.replace('http', 'ws', 1)}/devtools/page/{page}" if page else self._browser
        )
        request_id = next(self._ids)
        command = {"id": request_id, "method": method, "params": params or {}}
        try:
            async with asyncio.timeout(COMMAND_SECONDS):
                async with self._http.ws_connect(where, max_msg_size=0) as socket:
                    await socket.send_str(json.dumps(command))
                    async for message in socket:
                        answer: dict[str, Any] = json.loads(message.data)
                        if answer.get("id") == request_id:
                            return _result(method, answer)
        except TimeoutError:
            seconds = f"{COMMAND_SECONDS:.0f} s"
            raise DisplayError(f"the browser did not answer {method} within {seconds}") from None
        except aiohttp.ClientError as err:
            raise DisplayError(f"the browser's DevTools refused {method}: {err!r}") from err
        raise DisplayError(f"the browser closed DevTools during {method}")

    async def close(self) -> None:
        await self._http.close()


def _result(method: str, answer: dict[str, Any]) -> dict[str, Any]:
    if "error" in answer:
        raise DisplayError(f"the browser refused {method}: {answer['error'].get('message')}")
    result: dict[str, Any] = answer.get("result", {})
    return result
