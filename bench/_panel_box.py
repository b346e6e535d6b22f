"""The box of `bench/panels.py`, served on loopback, and its school: N rooms, each with a lesson
going on now, all given by one teacher (so each request also runs the "teacher of the lesson in
that room now" check), and an admin who confirms the panels' PINs."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from aiohttp import web

from devices.agent import HeadlessDisplay, PanelAgent
from edge.accounts import Role, add_user, hash_password
from edge.db import Tx
from edge.settings import Settings
from edge.web import create_app

PASSWORD = "bench-password-1"
API = "/api/v1"


def seed_rooms(tx: Tx, rooms: int, password_hash: str) -> list[str]:
    """Room ids, in order; accounts `admin` and `teacher` with PASSWORD."""
    today = datetime.now(UTC).date().isoformat()
    teacher = tx.insert(
        "people",
        {
            "sourced_id": "t-bench",
            "role": "teacher",
            "given_name": "Bea",
            "family_name": "Bench",
            "username": "teacher",
        },
    )
    klass = tx.insert("classes", {"sourced_id": "c-bench", "title": "Bench class"})
    room_ids = []
    for n in range(rooms):
        room = tx.insert("rooms", {"name": f"Room {n + 1}"})
        room_ids.append(room)
        lesson = {"source_key": f"bench-{n}", "class_id": klass, "teacher_id": teacher}
        lesson |= {"room_id": room, "title": "Bench", "date": today}
        tx.insert("lessons", lesson | {"start_time": "00:00", "end_time": "23:59"})
    add_user(tx, "admin", Role.ADMIN, password_hash)
    add_user(tx, "teacher", Role.TEACHER, password_hash, "t-bench")
    return room_ids


def password_hash() -> str:
    return hash_password(PASSWORD)


def box_settings(folder: Path, port: int) -> Settings:
    settings = Settings().replace("box", data_dir=folder / "box").replace("http", port=port)
    settings = settings.replace("discovery", enabled=False).replace("sync", enabled=False)
    settings = settings.replace("content", fetch_enabled=False)
    return settings.replace("panels", pair_requests=10_000, pair_poll_seconds=0.1)


@contextlib.asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[web.Application]:
    app = create_app(settings)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=5)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", settings.http.port).start()
    try:
        yield app
    finally:
        await runner.cleanup()


async def login(http: aiohttp.ClientSession, base: str, username: str) -> dict[str, str]:
    body = {"username": username, "password": PASSWORD}
    async with http.post(f"{base}{API}/login", json=body) as answer:
        return {"Authorization": f"Bearer {(await answer.json())['token']}"}


async def pair_all(
    http: aiohttp.ClientSession, base: str, agents: list[PanelAgent], rooms: list[str]
) -> None:
    admin = await login(http, base, "admin")
    for agent, room in zip(agents, rooms, strict=True):
        pin = await _pin(agent)
        path = f"{base}{API}/panel-agents/pairings/{agent.state.agent_id}/confirm"
        async with http.post(path, json={"pin": pin, "room": room}, headers=admin) as answer:
            assert answer.status == 200, await answer.text()
    await asyncio.wait_for(asyncio.gather(*(a.connected.wait() for a in agents)), 60)


async def _pin(agent: PanelAgent) -> str:
    assert isinstance(agent.display, HeadlessDisplay)
    while True:
        for kind, text in agent.display.events:
            if kind == "text" and text.startswith("Pairing PIN: "):
                return text.removeprefix("Pairing PIN: ").replace(" ", "")
        await asyncio.sleep(0.05)
