"""`edge init`, `edge run` and `edge demo`."""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

from edge.accounts import Role, add_user, hash_password
from edge.cli._common import CliError, open_database, read_password, settings_from
from edge.db import Database, Tx
from edge.demo import write_demo_school
from edge.keys import ensure_box_keys
from edge.school import import_oneroster, import_timetable
from edge.service import configure_logging, serve
from edge.settings import Settings
from edge.web import create_app

DEMO_PASSWORDS = {"admin": "demo-admin-pass", "teacher": "demo-teacher", "student": "demo-student"}
DEMO_STUDENT_ACCOUNTS = 3


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    init = commands.add_parser("init", help="prepare the data folder, database, keys, first admin")
    init.add_argument("--data-dir", type=Path, help="override box.data_dir")
    init.add_argument("--admin", metavar="USERNAME", help="create this admin account")
    init.add_argument("--password-stdin", action="store_true", help="read its password from stdin")
    init.set_defaults(handler=_init)
    run = commands.add_parser("run", help="serve the box (what the systemd unit runs)")
    run.add_argument("--data-dir", type=Path, help="override box.data_dir")
    run.set_defaults(handler=_run)
    demo = commands.add_parser("demo", help="serve a generated demo school from a temporary folder")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8080)
    demo.add_argument("--data-dir", type=Path, help="keep the demo data here instead")
    demo.add_argument(
        "--today",
        type=date.fromisoformat,
        help="pretend today is this date (e.g. a Monday, when demoing at weekends)",
    )
    demo.set_defaults(handler=_demo)


def _init(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    password = read_password(args.password_stdin) if args.admin else None
    settings.box.data_dir.mkdir(parents=True, exist_ok=True, mode=0o750)
    key_path, made_key = ensure_box_keys(settings.keys_dir)

    async def run() -> None:
        async with open_database(settings, must_exist=False) as db:
            if args.admin and password is not None:
                password_hash = hash_password(password)
                await db.write(lambda tx: add_user(tx, args.admin, Role.ADMIN, password_hash))

    asyncio.run(run())
    print(f"data folder: {settings.box.data_dir}")
    print(f"database:    {settings.database_path}")
    print(f"box key:     {key_path} ({'new' if made_key else 'kept'})")
    if args.admin:
        print(f"admin:       {args.admin}")
    return 0


def _run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if not settings.database_path.exists():
        raise CliError(f"no database at {settings.database_path}; run `edge init` first")
    configure_logging(settings.log.level)
    asyncio.run(serve(settings))
    return 0


def _demo(args: argparse.Namespace) -> int:
    if args.data_dir is not None:
        return _serve_demo(args, args.data_dir)
    with tempfile.TemporaryDirectory(prefix="edge-demo-") as folder:
        return _serve_demo(args, Path(folder))


def _serve_demo(args: argparse.Namespace, data_dir: Path) -> int:
    settings = Settings().replace("box", data_dir=data_dir, name="Classroom Edge demo")
    settings = settings.replace("http", host=args.host, port=args.port)
    configure_logging(settings.log.level)
    today: date = args.today or datetime.now(settings.tz).date()
    logins = asyncio.run(load_demo_school(settings, today))

    def clock() -> datetime:
        now = datetime.now(settings.tz)
        return datetime.combine(today, now.timetz()) if args.today else now

    async def announce(url: str) -> None:
        print(_demo_banner(url, data_dir, today, logins), flush=True)

    asyncio.run(serve(settings, create_app(settings, clock=clock), on_ready=announce))
    return 0


async def load_demo_school(settings: Settings, today: date) -> dict[str, list[str]]:
    """Generate the demo school's files and load them through the real importers."""
    source = settings.box.data_dir / "demo-source"
    school = await asyncio.to_thread(
        write_demo_school, source, today - timedelta(days=28), today + timedelta(days=120)
    )
    async with Database(settings.database_path) as db:
        await import_oneroster(db, school.roster_dir)
        await import_timetable(db, school.timetable, settings, today=today)
        hashes = {
            role: await asyncio.to_thread(hash_password, pw) for role, pw in DEMO_PASSWORDS.items()
        }
        logins = {
            "admin": ["admin"],
            "teacher": school.teachers,
            "student": school.students[:DEMO_STUDENT_ACCOUNTS],
        }
        await db.write(lambda tx: _add_demo_accounts(tx, logins, hashes))
    return logins


def _add_demo_accounts(tx: Tx, logins: dict[str, list[str]], hashes: dict[str, str]) -> None:
    for role, usernames in logins.items():
        for username in usernames:
            person = None if role == "admin" else username
            add_user(tx, username, Role(role), hashes[role], person)


def _demo_banner(url: str, data_dir: Path, today: date, logins: dict[str, list[str]]) -> str:
    teacher, teacher_password = logins["teacher"][0], DEMO_PASSWORDS["teacher"]
    weekend = today.weekday() >= 5
    note = (
        f"\n  Note: {today} is a weekend, so today's timetable is empty; try\n"
        "  /api/v1/timetable/week, or restart with --today on a weekday.\n"
        if weekend
        else ""
    )
    return f"""
Classroom Edge demo is serving {url}  (data in {data_dir})

  Logins (username / password):
    admin / {DEMO_PASSWORDS["admin"]}
    {teacher} and {len(logins["teacher"]) - 1} more teachers / {teacher_password}
      (all of them: edge users list --data-dir {data_dir})
    {", ".join(logins["student"])} (students) / {DEMO_PASSWORDS["student"]}

  Try:
    curl -s {url}/api/v1/login -d '{{"username":"admin","password":"{DEMO_PASSWORDS["admin"]}"}}'
    curl -s {url}/api/v1/login -d '{{"username":"{teacher}","password":"{teacher_password}"}}'
    curl -s -H "Authorization: Bearer TOKEN" {url}/api/v1/timetable/today
{note}
Press Ctrl-C to stop.""".rstrip()
