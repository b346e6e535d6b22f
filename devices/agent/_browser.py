"""Chromium in kiosk mode, steered over its DevTools port on loopback: one browser process for
the agent's lifetime, each `show` a navigation (no relaunch, no flicker); relaunched if it died."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import shutil
import socket
from pathlib import Path
from typing import Any

import aiohttp

from devices.agent._display import DisplayError

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
START_SECONDS = 15.0


class BrowserNotFound(DisplayError):
    pass


def find_browser(configured: str = "") -> str:
    """The configured binary, else the first Chromium on PATH; a clear error when none is."""
    for name in (configured,) if configured else BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    wanted = configured or " or ".join(BROWSERS)
    raise BrowserNotFound(
        f"no browser found ({wanted}): install chromium, or set browser in the config"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class KioskBrowser:
    def __init__(self, binary: str, profile: Path) -> None:
        self._binary, self._profile = binary, profile
        self._process: asyncio.subprocess.Process | None = None
        self._port = 0
        self._ids = itertools.count(1)

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    async def open(self, url: str) -> None:
        """Show `url`: navigate the running browser, or start one on it."""
        if self.running:
            await self._navigate(url)
            return
        self._port = _free_port()
        self._profile.mkdir(parents=True, exist_ok=True)
        self._process = await asyncio.create_subprocess_exec(
            self._binary,
            "--kiosk",
            "--no-first-run",
            "--noerrdialogs",
            "--disable-infobars",
            "--disable-session-crashed-bubble",
            f"--user-data-dir={self._profile}",
            f"--remote-debugging-port={self._port}",
            f"--app={url}",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )

    async def _navigate(self, url: str) -> None:
        async with aiohttp.ClientSession() as http:
            page = await self._page(http)
            async with http.ws_connect(page, max_msg_size=0) as devtools:
                request_id = next(self._ids)
                command = {"id": request_id, "method": "Page.navigate", "params": {"url": url}}
                await devtools.send_str(json.dumps(command))
                async for message in devtools:
                    answer: dict[str, Any] = json.loads(message.data)
                    if answer.get("id") == request_id:
                        if "error" in answer:
                            raise DisplayError(f"the browser refused {url}: {answer['error']}")
                        return

    async def _page(self, http: aiohttp.ClientSession) -> str:
        async with asyncio.timeout(START_SECONDS):
            while True:
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(f"http://127.0.0.1:{self._port}/json/list") as answer:
                        for target in await answer.json():
                            if target.get("type") == "page":
                                return str(target["webSocketDebuggerUrl"])
                await asyncio.sleep(0.2)

    async def close(self) -> None:
        if self.running and self._process is not None:
            self._process.terminate()
            await self._process.wait()
