"""`create_app(settings)`: the box's aiohttp application, one cleanup context per resource."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

from aiohttp import web

from content_cache import BLOBS, CATALOG, add_content_routes
from edge.accounts import LoginThrottle, Sessions
from edge.db import Database, ReadCache
from edge.diary import LiveRegisters
from edge.hubsync import SyncScheduler
from edge.panels import PanelService
from edge.prefetch import ContentService, open_blob_store, open_catalog
from edge.settings import Settings
from edge.taps import ReaderService
from edge.web import (
    _auth_routes,
    _catalog_routes,
    _content_routes,
    _diary_routes,
    _ops_routes,
    _panel_power_routes,
    _panel_registry_routes,
    _panel_routes,
    _prefetch_routes,
    _reader_routes,
    _sync_routes,
    _timetable_routes,
)
from edge.web._api import API, Api
from edge.web._errors import error_middleware
from edge.web._keys import (
    CLOCK,
    DB,
    LIVE,
    PANEL_AGENTS,
    PANELS,
    PREFETCH,
    READERS,
    SESSIONS,
    SETTINGS,
    STARTED_AT,
    SYNC,
    THROTTLE,
    TIMETABLE_TABLES,
    TIMETABLES,
    Clock,
)
from edge.web._metrics import METRICS, Metrics, metrics_middleware
from edge.web._panel_context import close_panel_agents, discovery_context, panel_agents_context

_log = logging.getLogger(__name__)
SESSION_PURGE_SECONDS = 3600.0
MB = 1024 * 1024


def _utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(settings: Settings, *, clock: Clock = _utc_now) -> web.Application:
    app = web.Application(
        client_max_size=settings.http.max_body_bytes,
        middlewares=[metrics_middleware, error_middleware],
    )
    app[SETTINGS] = settings
    app[CLOCK] = clock
    app[STARTED_AT] = time.monotonic()
    app[METRICS] = Metrics()
    app[THROTTLE] = LoginThrottle(
        per_account=settings.auth.account_attempts,
        per_address=settings.auth.address_attempts,
        window_seconds=settings.auth.attempt_window_seconds,
    )
    api = Api()
    app[LIVE] = LiveRegisters()
    for module in (
        _auth_routes,
        _timetable_routes,
        _diary_routes,
        _reader_routes,
        _sync_routes,
        _catalog_routes,
        _content_routes,
        _prefetch_routes,
        _panel_routes,
        _panel_power_routes,
        _panel_registry_routes,
    ):
        module.add_routes(api)
    api.install(app)
    app[API] = api
    _ops_routes.add_routes(app)
    # no login: the school's library on its own LAN (README)
    add_content_routes(app, memory_bytes=settings.content.memory_cache_mb * MB)
    app.cleanup_ctx.append(_database)
    app.cleanup_ctx.append(_sessions)
    app.cleanup_ctx.append(_readers)
    app.cleanup_ctx.append(_sync)
    app.cleanup_ctx.append(_content)
    app.cleanup_ctx.append(_prefetch)
    app.cleanup_ctx.extend((discovery_context, panel_agents_context))
    app.cleanup_ctx.append(_panels)
    app.on_shutdown.append(_close_live_registers)
    app.on_shutdown.append(close_panel_agents)
    return app


async def _database(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    db = Database(
        settings.database_path,
        reader_threads=settings.storage.reader_threads,
        busy_timeout_ms=settings.storage.busy_timeout_ms,
    )
    app[DB] = await db.open()
    app[TIMETABLES] = ReadCache(db, TIMETABLE_TABLES)
    yield
    await db.close()


async def _sessions(app: web.Application) -> AsyncIterator[None]:
    lifetime = timedelta(hours=app[SETTINGS].auth.session_hours)
    sessions = Sessions(app[DB], lifetime)
    app[SESSIONS] = sessions
    purge = asyncio.create_task(_purge_forever(sessions), name="session-purge")
    yield
    purge.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await purge


async def _purge_forever(sessions: Sessions) -> None:
    while True:
        removed = await sessions.purge_expired()
        if removed:
            _log.info("removed %d expired sessions", removed)
        await asyncio.sleep(SESSION_PURGE_SECONDS)


async def _readers(app: web.Application) -> AsyncIterator[None]:
    service = ReaderService(app[DB], app[SETTINGS], app[LIVE], app[CLOCK])
    app[READERS] = service
    await service.start()
    yield
    await service.stop()


async def _sync(app: web.Application) -> AsyncIterator[None]:
    """Diary sync with the hub on its schedule; `POST /api/v1/sync/now` works either way."""
    scheduler = SyncScheduler(app[DB], app[SETTINGS])
    app[SYNC] = scheduler
    if app[SETTINGS].sync.enabled:
        scheduler.start()
    yield
    await scheduler.stop()


async def _content(app: web.Application) -> AsyncIterator[None]:
    """The lesson blob store and catalog; the store repairs itself against the disk at start."""
    settings = app[SETTINGS]
    store = await asyncio.to_thread(open_blob_store, settings)
    try:
        repaired = await asyncio.to_thread(store.check)
        if repaired:
            _log.warning("content store repaired at start: %s", "; ".join(repaired))
        catalog = await asyncio.to_thread(open_catalog, settings)
    except BaseException:
        await asyncio.to_thread(store.close)
        raise
    app[BLOBS], app[CATALOG] = store, catalog
    yield
    await asyncio.to_thread(catalog.close)
    await asyncio.to_thread(store.close)


async def _prefetch(app: web.Application) -> AsyncIterator[None]:
    """Catalog refresh and lesson prefetch from the hub; `POST /api/v1/content/fetch` either way."""
    settings = app[SETTINGS]
    service = ContentService(app[DB], settings, app[CATALOG], app[BLOBS], app[CLOCK])
    app[PREFETCH] = service
    if settings.content.fetch_enabled:
        service.start()
    yield
    await service.stop()


async def _panels(app: web.Application) -> AsyncIterator[None]:
    """Panel drivers, and the schedule that powers them by the timetable and blanks idle ones."""
    settings = app[SETTINGS]
    service = PanelService(app[DB], settings, app[PANEL_AGENTS], app[CLOCK])
    app[PANELS] = service
    if settings.panels.schedule_enabled:
        service.start()
    yield
    await service.stop()


async def _close_live_registers(app: web.Application) -> None:
    """Open live registers end before the server waits for its handlers to finish."""
    app[LIVE].close()
