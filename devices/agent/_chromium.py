"""The Chromium process: found on PATH, started in kiosk mode on a throwaway profile (a fresh
one at every start, deleted at the end) with DevTools on a loopback port it picks itself, and
ended with all its helper processes. Its sandbox stays on unless the agent runs as root."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import tempfile
from pathlib import Path

from devices.agent._devtools import BrowserExited, DevTools
from devices.agent._display import DisplayError

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
START_SECONDS = 15.0
STOP_SECONDS = 5.0
#: X11 even in a Wayland session: pynput presses keys and hears input on the X display
FLAGS = (
    *("--kiosk", "--ozone-platform=x11", "--no-first-run", "--no-default-browser-check"),
    *("--noerrdialogs", "--disable-infobars", "--password-store=basic"),
)
_log = logging.getLogger(__name__)


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


def sandbox_flags(no_sandbox: bool, euid: int) -> tuple[str, ...]:
    """Chromium refuses root with its sandbox on; without it only for root, and only if asked."""
    if euid != 0:
        if no_sandbox:
            _log.warning("no_sandbox is ignored: Chromium keeps its sandbox unless run as root")
        return ()
    if no_sandbox:
        return ("--no-sandbox",)
    raise DisplayError(
        "Chromium does not run as root with its sandbox: run edge-panel as the account logged in"
        " on the panel's screen (User= in its systemd unit), or, where root cannot be avoided"
        " (a container, CI), set no_sandbox = true"
    )


class Chromium:
    def __init__(self, binary: str, *, no_sandbox: bool = False) -> None:
        self._command = (binary, *FLAGS, *sandbox_flags(no_sandbox, os.geteuid()))
        self._process: asyncio.subprocess.Process | None = None
        self._home: Path | None = None  # the throwaway profile and the browser's log

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    async def start(self, url: str) -> DevTools:
        """A new browser showing `url` (any previous one ended first), once DevTools answers."""
        await self.stop()
        self._home = Path(tempfile.mkdtemp(prefix="edge-panel-chromium-"))
        profile = self._home / "profile"
        with (self._home / "chromium.log").open("wb") as log:
            self._process = await asyncio.create_subprocess_exec(
                *self._command,
                f"--user-data-dir={profile}",
                "--remote-debugging-port=0",  # any free port: it is written into the profile
                url,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,  # its own process group, ended as a whole
            )
        try:
            return await DevTools.attach(profile, lambda: self.running, START_SECONDS)
        except BrowserExited:
            raise DisplayError(f"the browser exited as it started: {self._last_words()}") from None

    def _last_words(self) -> str:
        assert self._home is not None
        lines = (self._home / "chromium.log").read_text(errors="replace").strip().splitlines()
        return " / ".join(line[-300:] for line in lines[-2:]) or "(it said nothing)"

    async def stop(self) -> None:
        """End the browser (its whole process group) and delete its profile."""
        process, self._process = self._process, None
        if process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), STOP_SECONDS)
            except TimeoutError:
                _log.warning("the browser did not stop within %.0f s: killed", STOP_SECONDS)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # helpers left behind, if any
            await process.wait()
        if self._home is not None:
            await asyncio.to_thread(shutil.rmtree, self._home, ignore_errors=True)
            self._home = None
