"""Running the box: serve `create_app` until SIGTERM, telling systemd when it is ready."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import ClassVar

from aiohttp import web

from edge import _systemd
from edge.settings import Settings
from edge.web import create_app

_log = logging.getLogger("edge")


def configure_logging(level: str) -> None:
    """journald keeps its own timestamps; under systemd, prefix sd-daemon priorities instead."""
    handler = logging.StreamHandler(sys.stderr)
    if os.environ.get("JOURNAL_STREAM"):
        handler.setFormatter(_JournalFormatter("%(name)s: %(message)s"))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
    # APScheduler reports every job it adds and runs; the sync schedule logs its rounds itself
    logging.getLogger("apscheduler").setLevel(
        level.upper() if level.upper() == "DEBUG" else "WARNING"
    )


class _JournalFormatter(logging.Formatter):
    _PRIORITY: ClassVar[dict[str, int]] = {
        "DEBUG": 7,
        "INFO": 6,
        "WARNING": 4,
        "ERROR": 3,
        "CRITICAL": 2,
    }

    def format(self, record: logging.LogRecord) -> str:
        return f"<{self._PRIORITY.get(record.levelname, 6)}>{super().format(record)}"


#: in the data folder while the box serves: its URL, for commands that talk to it
SERVED_AT_FILE = "served-at"


async def serve(
    settings: Settings,
    app: web.Application | None = None,
    on_ready: Callable[[str], Awaitable[None]] | None = None,
) -> None:
    app = app or create_app(settings)
    # requests under way get this long at a stop: a video to a phone that left can take forever
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=10.0)
    await runner.setup()
    site = web.TCPSite(runner, settings.http.host, settings.http.port, backlog=1024)
    await site.start()
    url = _url(runner, settings)
    _log.info("serving %s on %s", settings.box.name, url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    watchdog = _start_watchdog()
    _systemd.notify(f"READY=1\nSTATUS=serving on {url}")
    served_at = settings.box.data_dir / SERVED_AT_FILE
    served_at.write_text(url + "\n", encoding="utf-8")  # where `edge panels …` finds this box
    try:
        if on_ready is not None:
            await on_ready(url)
        await stop.wait()
    finally:
        served_at.unlink(missing_ok=True)
        _systemd.notify("STOPPING=1")
        if watchdog is not None:
            watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watchdog
        await runner.cleanup()


def _start_watchdog() -> asyncio.Task[None] | None:
    interval = _systemd.watchdog_interval()
    if interval is None:
        return None
    return asyncio.create_task(_systemd.ping_watchdog_forever(interval), name="sd-watchdog")


def _url(runner: web.AppRunner, settings: Settings) -> str:
    if settings.http.public_url:
        return settings.http.public_url
    host, port = runner.addresses[0][:2]
    if host in {"0.0.0.0", "::"}:  # noqa: S104
        host = "127.0.0.1"
    return f"http://{host}:{port}"
