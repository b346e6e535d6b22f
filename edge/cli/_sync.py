"""`edge enroll HUB_URL TOKEN`, `edge sync now|status|conflicts`."""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Coroutine
from typing import Any, TypeAlias

from edge.cli._common import CliError, open_database, settings_from
from edge.hubsync import SyncError, SyncStatus, enroll, list_conflicts, read_status, sync_once

Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def register(commands: Commands) -> None:
    join = commands.add_parser("enroll", help="register this box with the central hub")
    join.add_argument("hub_url", help="e.g. https://hub.example.org")
    join.add_argument("token", help="the one-time token from `edge-hub tokens create`")
    join.set_defaults(handler=_enroll)
    sync = commands.add_parser("sync", help="diary sync with the hub")
    sub = sync.add_subparsers(dest="sync_command", required=True, metavar="COMMAND")
    sub.add_parser(
        "now", help="push what the hub has not acknowledged, then pull what is new"
    ).set_defaults(handler=_now)
    sub.add_parser("status", help="where this box stands with the hub").set_defaults(
        handler=_status
    )
    conflicts = sub.add_parser("conflicts", help="values that lost to a concurrent edit")
    conflicts.add_argument("--limit", type=int, default=100)
    conflicts.add_argument("--after", type=int, default=0, help="only entries after this id")
    conflicts.set_defaults(handler=_conflicts)


def _enroll(args: argparse.Namespace) -> int:
    settings = settings_from(args)

    async def run() -> str:
        async with open_database(settings) as db:
            who = await enroll(db, settings, args.hub_url, args.token)
            return f"enrolled with {who.hub_url} as box {who.box_id} of school {who.school_id}"

    print(_run(run()))
    return 0


def _now(args: argparse.Namespace) -> int:
    settings = settings_from(args)

    async def run() -> str:
        async with open_database(settings) as db:
            report = await sync_once(db, settings)
            pushed, pulled = report.pushed, report.pulled
            return (
                f"pushed {pushed.changes} changes in {pushed.batches} batches; the hub has"
                f" applied {pushed.applied_through}\n"
                f"pulled {pulled.entries} changes in {pulled.pages} pages ({pulled.conflicts}"
                f" conflicts, {pulled.refused} refused); cursor {pulled.cursor}\n"
                f"{report.bytes_sent} bytes sent, {report.bytes_received} received"
                f" in {report.seconds:.1f} s"
            )

    print(_run(run()))
    return 0


def _status(args: argparse.Namespace) -> int:
    async def run() -> str:
        async with open_database(settings_from(args)) as db:
            return _describe(await db.read(read_status))

    print(_run(run()))
    return 0


def _describe(status: SyncStatus) -> str:
    if not status.enrolled:
        return "not enrolled (edge enroll HUB_URL TOKEN)"
    lines = [
        f"hub {status.hub_url}, school {status.school_id}, box {status.box_id}",
        f"last success: {_when(status.last_success)}; last attempt: {_when(status.last_attempt)}",
        f"changes: {status.written} written here, {status.pushed} acknowledged by the hub,"
        f" {status.pending} waiting",
        f"school feed applied up to {status.cursor}; {status.conflicts} conflicts logged",
        f"bytes sent {status.bytes_sent}, received {status.bytes_received};"
        f" clock offset {status.clock_offset_ms} ms",
    ]
    if status.last_error:
        lines.append(f"last error: {status.last_error}")
    return "\n".join(lines)


def _when(seconds: int | None) -> str:
    if seconds is None:
        return "never"
    return time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(seconds))


def _conflicts(args: argparse.Namespace) -> int:
    async def run() -> str:
        async with open_database(settings_from(args)) as db:
            rows = await db.read(
                lambda conn: list_conflicts(conn, limit=args.limit, after=args.after)
            )
        return "\n".join(json.dumps(row, ensure_ascii=False) for row in rows) or "no conflicts"

    print(_run(run()))
    return 0


def _run(job: Coroutine[Any, Any, str]) -> str:
    try:
        result = asyncio.run(job)
    except SyncError as err:
        raise CliError(str(err)) from err
    return result
