"""What operators and monitoring read: the status page, liveness, readiness, metrics, the API
document."""

from __future__ import annotations

import asyncio
import html
import sqlite3
import time
from typing import Any

from aiohttp import web

from edge import __version__
from edge.hubsync import SyncStatus, read_status
from edge.web._api import API, PREFIX
from edge.web._keys import DB, PREFETCH, READERS, SETTINGS, STARTED_AT, SYNC
from edge.web._metrics import METRICS
from edge.web._openapi import openapi_document

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{name}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}}
dt{{font-weight:600}}code{{background:#f2f2f2;padding:0 .2rem}}</style></head>
<body><h1>{name}</h1>
<dl><dt>Version</dt><dd>{version}</dd><dt>School</dt><dd>{school}</dd>
<dt>Up for</dt><dd>{uptime}</dd></dl>
<ul><li><a href="{prefix}/openapi.json">API document (OpenAPI 3)</a></li>
<li><a href="/readyz">Readiness</a> · <a href="/metrics">Metrics</a></li></ul>
<p>Log in with <code>POST {prefix}/login</code>; see the README for a walk-through.</p>
</body></html>
"""


async def status_page(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    school = await request.app[DB].read(_school_name)
    uptime = int(time.monotonic() - request.app[STARTED_AT])
    page = _PAGE.format(
        name=html.escape(settings.box.name),
        version=__version__,
        school=html.escape(school or "no school imported yet"),
        uptime=f"{uptime // 3600} h {uptime % 3600 // 60} min",
        prefix=PREFIX,
    )
    return web.Response(text=page, content_type="text/html")


def _school_name(conn: sqlite3.Connection) -> str | None:
    row = conn.execute(
        "SELECT name FROM schools WHERE deleted = 0 AND type = 'school' ORDER BY name LIMIT 1"
    ).fetchone()
    return None if row is None else str(row["name"])


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    checks: dict[str, Any] = {}
    try:
        checks["database"] = await request.app[DB].read(_database_check)
    except sqlite3.Error as err:
        checks["database"] = {"ok": False, "detail": str(err)}
    ready = all(check["ok"] for check in checks.values())
    answer = {
        "ready": ready,
        "checks": checks,
        "sync": await _sync_detail(request),
        "content": await _content_detail(request),
    }
    return web.json_response(answer, status=200 if ready else 503)


async def _sync_detail(request: web.Request) -> dict[str, Any] | None:
    """Where sync stands; never a readiness check: the box serves while the hub is away."""
    try:
        status = await request.app[DB].read(read_status)
    except sqlite3.Error:
        return None
    return {
        "enrolled": status.enrolled,
        "last_success": status.last_success,
        "last_error": status.last_error,
    }


async def _content_detail(request: web.Request) -> dict[str, Any] | None:
    """The catalog held and whether the hub's was refused; never a readiness check either."""
    try:
        status = await asyncio.to_thread(request.app[PREFETCH].status)
    except (sqlite3.Error, OSError):
        return None
    return {
        "catalog_version": status["catalog"]["version"],
        "catalog_frozen": status["catalog"]["frozen"],
        "catalog_refused": status.get("catalog_refused", ""),
        "last_success": status.get("last_success_at"),
        "last_error": status.get("last_error", ""),
    }


def _database_check(conn: sqlite3.Connection) -> dict[str, Any]:
    applied = conn.execute("SELECT count(*) AS n FROM _sqlite_migrations").fetchone()["n"]
    return {"ok": applied > 0, "migrations": applied}


async def metrics(request: web.Request) -> web.Response:
    db = request.app[DB]
    counts = await db.read(_counts)
    gauges = {
        "edge_db_commits_total": ("Write transactions committed.", db.stats.commits),
        "edge_db_writes_total": ("Write jobs committed.", db.stats.writes),
        "edge_db_commit_seconds_total": (
            "Time spent in write transactions.",
            db.stats.commit_seconds,
        ),
        "edge_sessions_active": ("Unexpired login sessions.", counts["sessions"]),
        "edge_change_log_entries": ("Entries in the change log.", counts["changes"]),
        "edge_uptime_seconds": ("Seconds since start.", time.monotonic() - request.app[STARTED_AT]),
    }
    readers = request.app[READERS]
    gauges["edge_readers_available"] = (
        "Card readers whose link is up.",
        sum(s.available for s in readers.states.values()),
    )
    extra = [
        "# HELP edge_tap_commit_seconds From a frame's last byte to its committed diary rows.",
        "# TYPE edge_tap_commit_seconds histogram",
        *readers.latency.lines("edge_tap_commit_seconds"),
        "# HELP edge_taps_total Taps stored, by what they became.",
        "# TYPE edge_taps_total counter",
        *(f'edge_taps_total{{outcome="{o}"}} {n}' for o, n in sorted(readers.outcomes.items())),
    ]
    gauges |= _sync_gauges(await db.read(read_status), request.app[SYNC].state.failures)
    gauges |= _content_gauges(await asyncio.to_thread(request.app[PREFETCH].status))
    text = request.app[METRICS].render(gauges, extra)
    return web.Response(
        text=text,
        content_type="text/plain",
        charset="utf-8",
        headers={"X-Content-Type-Options": "nosniff"},
    )


def _content_gauges(status: dict[str, Any]) -> dict[str, tuple[str, float]]:
    progress, store = status["progress"], status["store"]
    return {
        "edge_content_catalog_version": ("Catalog version held.", status["catalog"]["version"]),
        "edge_content_catalog_refused": (
            "1 while the hub's last catalog was refused (signature, rollback, expiry).",
            float(bool(status.get("catalog_refused"))),
        ),
        "edge_content_store_bytes": ("Bytes of lesson blobs stored.", store["bytes"]),
        "edge_content_pinned_bytes": ("Bytes of stored blobs pinned.", store["pinned_bytes"]),
        "edge_content_fetch_bytes_done": ("Bytes fetched in this round.", progress["bytes_done"]),
        "edge_content_fetch_bytes_total": ("Bytes wanted in this round.", progress["bytes_total"]),
        "edge_content_fetch_failed": ("Blobs given up on in this round.", progress["items_failed"]),
        "edge_content_last_success_timestamp_seconds": (
            "When the last prefetch round succeeded (Unix seconds; 0: never).",
            status.get("last_success_at") or 0.0,
        ),
    }


def _sync_gauges(status: SyncStatus, failures: int) -> dict[str, tuple[str, float]]:
    return {
        "edge_sync_last_success_timestamp_seconds": (
            "When the last sync round succeeded (Unix seconds; 0: never).",
            status.last_success or 0,
        ),
        "edge_sync_pending_changes": (
            "Changes written here that the hub has not acknowledged.",
            status.pending,
        ),
        "edge_sync_bytes_sent_total": ("Bytes sent to the hub.", status.bytes_sent),
        "edge_sync_bytes_received_total": ("Bytes received from the hub.", status.bytes_received),
        "edge_sync_clock_offset_seconds": (
            "The hub's clock minus the box's, as learned from its Date.",
            status.clock_offset_ms / 1000,
        ),
        "edge_sync_conflicts_total": (
            "Values that lost to a concurrent edit or that the schema refused.",
            status.conflicts,
        ),
        "edge_sync_consecutive_failures": ("Failed sync rounds in a row.", failures),
    }


def _counts(conn: sqlite3.Connection) -> dict[str, int]:
    row: dict[str, int] = conn.execute(
        "SELECT (SELECT count(*) FROM sessions WHERE expires_at > strftime('%Y-%m-%dT%H:%M:%S',"
        " 'now')) AS sessions, (SELECT coalesce(max(seq), 0) FROM change_log) AS changes"
    ).fetchone()
    return row


async def openapi(request: web.Request) -> web.Response:
    return web.json_response(openapi_document(request.app[API].endpoints, __version__))


def add_routes(app: web.Application) -> None:
    app.router.add_get("/", status_page)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    app.router.add_get(f"{PREFIX}/openapi.json", openapi)
