"""`edge enroll HUB_URL TOKEN`, `edge sync now`, `edge sync status`."""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
from collections.abc import Coroutine
from typing import Any, TypeAlias

from edge.cli._common import CliError, open_database, settings_from
from edge.hubsync import SyncError, enroll, enrollment, push

Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def register(commands: Commands) -> None:
    join = commands.add_parser("enroll", help="register this box with the central hub")
    join.add_argument("hub_url", help="e.g. https://hub.example.org")
    join.add_argument("token", help="the one-time token from `edge-hub tokens create`")
    join.set_defaults(handler=_enroll)
    sync = commands.add_parser("sync", help="diary sync with the hub")
    sub = sync.add_subparsers(dest="sync_command", required=True, metavar="COMMAND")
    sub.add_parser("now", help="push the diary changes the hub has not acknowledged").set_defaults(
        handler=_now
    )
    sub.add_parser("status", help="where this box stands with the hub").set_defaults(
        handler=_status
    )


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
            who = await enrollment(db)
            if who is None:
                raise CliError("not enrolled: run `edge enroll HUB_URL TOKEN` first")
            report = await push(db, settings, who)
            return (
                f"pushed {report.changes} changes in {report.batches} batches"
                f" ({report.bytes_sent} bytes); the hub has applied {report.applied_through}"
            )

    print(_run(run()))
    return 0


def _status(args: argparse.Namespace) -> int:
    async def run() -> str:
        async with open_database(settings_from(args)) as db:
            who = await enrollment(db)
            if who is None:
                return "not enrolled (edge enroll HUB_URL TOKEN)"
            pushed, total = await db.read(_counts)
            return (
                f"hub {who.hub_url}, school {who.school_id}, box {who.box_id}\n"
                f"changes: {total} written here, {pushed} acknowledged by the hub,"
                f" {total - pushed} waiting"
            )

    print(_run(run()))
    return 0


def _counts(conn: sqlite3.Connection) -> tuple[int, int]:
    pushed = conn.execute("SELECT value FROM meta WHERE key = 'pushed_through'").fetchone()
    total = conn.execute("SELECT coalesce(max(seq), 0) AS n FROM change_log").fetchone()["n"]
    return (int(pushed["value"]) if pushed else 0), int(total)


def _run(job: Coroutine[Any, Any, str]) -> str:
    try:
        result = asyncio.run(job)
    except SyncError as err:
        raise CliError(str(err)) from err
    return result
