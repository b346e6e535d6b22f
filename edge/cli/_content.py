"""`edge content status [--watch] [--json]`, `edge content fetch`; bundles in _content_bundle."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from datetime import UTC, datetime
from typing import Any, TypeAlias

from content_cache import Fetcher, FetchError, FetchProgress
from edge.cli._common import CliError, open_database, settings_from
from edge.cli._content_bundle import register_bundles
from edge.hubsync import NotEnrolledError
from edge.prefetch import (
    ContentBusy,
    content_parts,
    content_round,
    fetch_rules,
    read_content_status,
)
from edge.settings import Settings

Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
WATCH_SECONDS = 1.0


def register(commands: Commands) -> None:
    content = commands.add_parser("content", help="lesson content: status, fetch, USB bundles")
    sub = content.add_subparsers(dest="content_command", required=True, metavar="COMMAND")
    status = sub.add_parser("status", help="the catalog held, the store, the prefetch under way")
    status.add_argument("--watch", action="store_true", help="a live progress bar until Ctrl-C")
    status.add_argument("--json", action="store_true", help="everything, as JSON")
    status.set_defaults(handler=_status)
    sub.add_parser(
        "fetch", help="refresh the catalog and fetch what the coming lessons need, now"
    ).set_defaults(handler=_fetch)
    register_bundles(sub)


def _status(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    with content_parts(settings) as (catalog, store):
        if args.json:
            print(json.dumps(read_content_status(settings, catalog, store), indent=1))
            return 0
        print(describe(read_content_status(settings, catalog, store)))
        while args.watch:
            progress = read_content_status(settings, catalog, store).get("progress", {})
            print(f"\r{progress_line(progress)}", end="", flush=True)
            time.sleep(WATCH_SECONDS)
    return 0


def _fetch(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    try:
        found = asyncio.run(_fetch_round(settings))
    except (NotEnrolledError, ContentBusy, FetchError) as err:
        raise CliError(str(err)) from err
    if found.refused:
        print(f"the hub's catalog was REFUSED: {found.refused}", file=sys.stderr)
    progress = found.progress
    print(
        f"\n{found.wanted} blobs wanted; {progress.items_done} fetched, {progress.items_failed}"
        f" failed, {progress.bytes_received} bytes received"
    )
    return 1 if progress.items_failed or found.refused else 0


async def _fetch_round(settings: Settings) -> Any:
    with content_parts(settings) as (catalog, store):
        fetcher = Fetcher(store, fetch_rules(settings), lambda: datetime.now(settings.tz))
        async with open_database(settings) as db:
            job = asyncio.ensure_future(content_round(db, settings, catalog, fetcher, store))
            while not job.done():
                print(f"\r{progress_line(fetcher.progress.to_json())}", end="", flush=True)
                await asyncio.wait([job], timeout=WATCH_SECONDS)
            return job.result()


def describe(status: dict[str, Any]) -> str:
    catalog, store = status["catalog"], status["store"]
    lines = [
        f"catalog: version {catalog['version']}, {catalog['entries']} entries;"
        f" head expires {_when(catalog['head_expires'])}"
        + (" — FROZEN (expired: the hub must sign a fresh head)" if catalog["frozen"] else ""),
        f"store: {store['blobs']} blobs, {_mb(store['bytes'])} of {_mb(store['quota_bytes'])}"
        f" quota ({_mb(store['pinned_bytes'])} pinned), {_mb(store['free_disk_bytes'])} disk free",
        f"last success: {_when(status.get('last_success_at'))};"
        f" last round: {_when(status.get('last_round_at'))}",
    ]
    if status.get("catalog_refused"):
        lines.append(f"the hub's catalog was REFUSED: {status['catalog_refused']}")
    if status.get("last_error"):
        lines.append(f"last error: {status['last_error']}")
    if status.get("progress"):
        lines.append(progress_line(status["progress"]))
    return "\n".join(lines)


def progress_line(progress: dict[str, Any], width: int = 30) -> str:
    """`[#######.....] 45%  12.3 / 27.0 MB  3 of 7 blobs  fetching`"""
    if not progress:
        return "no prefetch has run yet"
    known = FetchProgress().to_json()
    progress = {**known, **progress}
    total, done = progress["bytes_total"], progress["bytes_done"]
    share = done / total if total else 1.0
    bar = "#" * round(share * width)
    state = progress["state"]
    if state == "waiting for window":
        state += f" (opens in {progress['window_opens_in'] / 60:.0f} min)"
    failed = f", {progress['items_failed']} failed" if progress["items_failed"] else ""
    return (
        f"[{bar:.<{width}}] {share:4.0%}  {_mb(done)} / {_mb(total)}"
        f"  {progress['items_done']} of {progress['items_total']} blobs{failed}  {state}"
    )


def _mb(count: int) -> str:
    return f"{count / 1e6:.1f} MB"


def _when(seconds: float | None) -> str:
    if not seconds:
        return "never"
    return datetime.fromtimestamp(seconds, UTC).astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
