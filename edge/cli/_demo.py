"""`edge demo`: the box with a generated school, simulated card readers and a tapper."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TypeAlias

from aiohttp import web

from edge.accounts import Role, add_user, hash_password
from edge.cli._demo_hub import DemoHub, demo_hub
from edge.cli._demo_panel import DEMO_PANEL_ROOM, DemoRoom, demo_panel, stop_demo_panel
from edge.db import Database, Tx
from edge.demo import DAY_START, day_start_around, write_demo_school
from edge.demo_readers import demo_readers, give_demo_cards, tap_forever
from edge.hubsync import enroll, enrollment
from edge.keys import ensure_box_keys
from edge.school import import_oneroster, import_timetable
from edge.service import configure_logging, serve
from edge.settings import Settings
from edge.web import create_app
from edge.web._keys import CLOCK, DB, READERS

DEMO_PASSWORDS = {"admin": "demo-admin-pass", "teacher": "demo-teacher", "student": "demo-student"}
DEMO_STUDENT_ACCOUNTS = 3
#: the demo syncs often and notices at once when its hub is back
DEMO_SYNC = {"interval_minutes": 0.5, "probe_seconds": 3.0, "backoff_min_seconds": 2.0,
             "backoff_max_seconds": 30.0}  # fmt: skip
#: and refreshes its lessons every minute
DEMO_CONTENT = {"refresh_minutes": 1.0, "backoff_min_seconds": 2.0, "backoff_max_seconds": 30.0}
#: the demo's simulated panel takes 3 s, not a real one's 20 s, to switch power
DEMO_PANELS = {"transition_seconds": 3.0}
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def register(commands: Commands) -> None:
    demo = commands.add_parser("demo", help="serve a generated demo school from a temporary folder")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8080)
    demo.add_argument(
        "--data-dir",
        type=Path,
        default=argparse.SUPPRESS,
        help="keep the demo data here instead of a temporary folder",
    )
    demo.add_argument(
        "--today",
        type=date.fromisoformat,
        help="pretend today is this date (e.g. a Monday, when demoing at weekends)",
    )
    demo.add_argument("--no-readers", action="store_true", help="without simulated card readers")
    demo.add_argument("--no-panel", action="store_true", help="without a simulated panel")
    demo.add_argument("--hub-port", type=int, default=8090, help="port of the demo's own hub")
    demo.add_argument("--no-hub", action="store_true", help="without a hub to sync with")
    demo.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace) -> int:
    if args.data_dir is not None:
        return _serve_demo(args, args.data_dir)
    with tempfile.TemporaryDirectory(prefix="edge-demo-") as folder:
        return _serve_demo(args, Path(folder))


def _serve_demo(args: argparse.Namespace, data_dir: Path) -> int:
    if args.no_hub:
        return _serve_box(args, data_dir, None)
    with demo_hub(data_dir / "hub", args.hub_port) as hub:
        return _serve_box(args, data_dir, hub)


def _serve_box(args: argparse.Namespace, data_dir: Path, hub: DemoHub | None) -> int:
    settings = Settings().replace("box", data_dir=data_dir, name="Classroom Edge demo")
    settings = settings.replace("http", host=args.host, port=args.port)
    settings = settings.replace("sync", enabled=hub is not None, **DEMO_SYNC)
    settings = settings.replace("content", fetch_enabled=hub is not None, **DEMO_CONTENT)
    settings = settings.replace("panels", **DEMO_PANELS)
    # mDNS on loopback only: a demo on a laptop does not announce itself to the whole network
    settings = settings.replace("discovery", interfaces="127.0.0.1")
    configure_logging(settings.log.level)
    now = datetime.now(settings.tz)
    today: date = args.today or now.date()
    logins = asyncio.run(load_demo_school(settings, today, day_start_around(now.time())))
    if hub is not None:
        asyncio.run(enroll_demo_box(settings, hub))

    def clock() -> datetime:
        current = datetime.now(settings.tz)
        return datetime.combine(today, current.timetz()) if args.today else current

    async def announce(url: str) -> None:
        print(_banner(url, data_dir, today, logins, readers=not args.no_readers), flush=True)
        if hub is not None:
            print(sync_banner(url, data_dir, hub), flush=True)
        if DEMO_PANEL_ROOM in app:
            print(panel_banner(url, data_dir, app[DEMO_PANEL_ROOM], settings), flush=True)

    app = create_app(settings, clock=clock)
    if not args.no_readers:
        app.cleanup_ctx.append(_simulated_readers)
    if not args.no_panel:
        app.cleanup_ctx.append(demo_panel)
        app.on_shutdown.insert(0, stop_demo_panel)
    asyncio.run(serve(settings, app, on_ready=announce))
    return 0


async def _simulated_readers(app: web.Application) -> AsyncIterator[None]:
    async with demo_readers(app[DB]) as readers:
        await app[READERS].reload()
        tapper = asyncio.create_task(tap_forever(app[DB], readers, app[CLOCK]), name="demo-tapper")
        yield
        tapper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await tapper


async def load_demo_school(
    settings: Settings, today: date, day_start: time = DAY_START
) -> dict[str, list[str]]:
    """Generate the demo school's files and load them through the real importers."""
    source = settings.box.data_dir / "demo-source"
    first, last = today - timedelta(days=28), today + timedelta(days=120)
    school = await asyncio.to_thread(write_demo_school, source, first, last, 7, day_start)
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
        await db.write(give_demo_cards)
    return logins


async def enroll_demo_box(settings: Settings, hub: DemoHub) -> None:
    ensure_box_keys(settings.keys_dir)
    async with Database(settings.database_path) as db:
        if await enrollment(db) is None:
            await enroll(db, settings, hub.url, hub.token)


def sync_banner(url: str, data_dir: Path, hub: DemoHub) -> str:
    edge_hub = f"edge-hub --data-dir {hub.data_dir}"
    return f"""
  Diary sync: this box is enrolled with a local hub at {hub.url} and syncs every 30 s.
    edge --data-dir {data_dir} sync status
    {edge_hub} rows --school demo marks          (what the hub holds)
  Cut the link: stop the hub (kill $(pgrep -f 'sync.hub --data-dir {hub.data_dir}')), write
  marks as a teacher, see them wait in `sync status`, then restore it:
    {hub.command} &
  Within seconds the box notices and the marks arrive (`rows` again).

  Lessons: the hub publishes sample lessons; the box fetched them when it started.
    edge --data-dir {data_dir} content status --watch          (catalog, store, prefetch)
    curl -s -X POST -H "Authorization: Bearer TOKEN" {url}/api/v1/content/fetch   (admin: now)
  Open one from any device on the network: {url}/lessons/mathematics%2Ffractions-intro/
  (a catalog id holds a "/": send it as %2F)
"""


def panel_banner(url: str, data_dir: Path, room: DemoRoom, settings: Settings) -> str:
    lead, lag = settings.panels.power_on_lead_minutes, settings.panels.power_off_lag_minutes
    remote = f"{url}/api/v1/rooms/{room.id}/panel"
    return f"""
  Classroom panel: {room.name} has a simulated LG panel (byte-exact, on a local TCP port) and
  a panel agent paired with it, which shows a sample lesson. The box switches the panel on
  {lead:g} min before the room's first lesson and off {lag:g} min after its last:
    edge --data-dir {data_dir} panels status "{room.name}"        (power, input, volume)
    curl -s -H "Authorization: Bearer TOKEN" {url}/api/v1/panels           (the plan)
    curl -s -H "Authorization: Bearer TOKEN" {url}/api/v1/panel-agents     (what it shows)
  Turn a page or send another lesson as its teacher (or admin):
    curl -s -X POST -H "Authorization: Bearer TOKEN" {remote}/next
    curl -s -H "Authorization: Bearer TOKEN" {url}/api/v1/catalog                (lesson ids)
    curl -s -H "Authorization: Bearer TOKEN" {remote}/show -d '{{"entry_id": "ENTRY_ID"}}'
"""


def _add_demo_accounts(tx: Tx, logins: dict[str, list[str]], hashes: dict[str, str]) -> None:
    for role, usernames in logins.items():
        for username in usernames:
            person = None if role == "admin" else username
            add_user(tx, username, Role(role), hashes[role], person)


def _banner(
    url: str, data_dir: Path, today: date, logins: dict[str, list[str]], *, readers: bool
) -> str:
    teacher, teacher_password = logins["teacher"][0], DEMO_PASSWORDS["teacher"]
    readers_text = f"""
  Card readers (simulated, byte-exact): at the doors of Room 101 and Room 102 and at the
  entrance. Every few seconds a student of the lesson under way taps in. Watch a register fill:
    curl -s -H "Authorization: Bearer TOKEN" {url}/api/v1/timetable/today   (a lesson id)
    curl -sN -H "Authorization: Bearer TOKEN" {url}/api/v1/lessons/LESSON_ID/attendance/live
    edge --data-dir {data_dir} readers list
"""
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
      (all of them: edge --data-dir {data_dir} users list)
    {", ".join(logins["student"])} (students) / {DEMO_PASSWORDS["student"]}

  Try:
    curl -s {url}/api/v1/login -d '{{"username":"admin","password":"{DEMO_PASSWORDS["admin"]}"}}'
    curl -s {url}/api/v1/login -d '{{"username":"{teacher}","password":"{teacher_password}"}}'
    curl -s -H "Authorization: Bearer TOKEN" {url}/api/v1/timetable/today
{readers_text if readers else ""}{note}
Press Ctrl-C to stop.""".rstrip()
