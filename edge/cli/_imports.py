"""`edge import oneroster|timetable`."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from edge.cli._common import open_database, settings_from
from edge.school import ImportReport, import_oneroster, import_timetable


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    imports = commands.add_parser("import", help="import school data (all or nothing)")
    sub = imports.add_subparsers(dest="import_command", required=True, metavar="KIND")
    roster = sub.add_parser("oneroster", help="a OneRoster 1.1/1.2 CSV bundle (folder or zip)")
    roster.add_argument("path", type=Path)
    roster.add_argument("--school", default="", help="sourcedId of this box's school")
    roster.set_defaults(handler=_oneroster)
    timetable = sub.add_parser("timetable", help="an iCalendar (.ics) timetable")
    timetable.add_argument("path", type=Path)
    timetable.add_argument("--class", dest="default_class", help="class of events naming none")
    timetable.add_argument(
        "--teacher", dest="default_teacher", help="teacher of events naming none"
    )
    timetable.set_defaults(handler=_timetable)


def _oneroster(args: argparse.Namespace) -> int:
    settings = settings_from(args)

    async def run() -> ImportReport:
        async with open_database(settings) as db:
            return await import_oneroster(db, args.path, args.school or settings.school.sourced_id)

    print(asyncio.run(run()).summary())
    return 0


def _timetable(args: argparse.Namespace) -> int:
    settings = settings_from(args)

    async def run() -> ImportReport:
        async with open_database(settings) as db:
            return await import_timetable(
                db,
                args.path,
                settings,
                default_class=args.default_class,
                default_teacher=args.default_teacher,
            )

    print(asyncio.run(run()).summary())
    return 0
