"""A full disk and a killed process: clear errors, nothing acknowledged is lost."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from pathlib import Path
from typing import Any

import aiohttp

from edge.web._keys import DB
from tests._box import Box
from tests._demo_box import demo_box


async def _mark(box: Box, value: int = 3) -> tuple[int, Any]:
    body = {"student_id": box.school["sam"], "class_id": box.school["7a"], "value": value}
    return await box.call("POST", "/marks", "teach", body)


async def test_full_disk_gives_503_and_keeps_what_was_written(box: Box) -> None:
    db = box.client.app[DB]
    assert (await _mark(box, 4))[0] == 201
    pages = await db.read(lambda c: c.execute("PRAGMA page_count").fetchone()["page_count"])
    await db.write(lambda tx: tx.conn.execute(f"PRAGMA max_page_count = {pages}"))
    statuses = [(await _mark(box))[0] for _ in range(40)]  # until a new page is needed
    status, body = await _mark(box)
    assert 503 in statuses and status == 503
    assert body["error"] == "storage_unavailable" and "full" in body["detail"]
    await db.write(lambda tx: tx.conn.execute("PRAGMA max_page_count = 1073741823"))
    assert (await _mark(box, 5))[0] == 201, "writes resume once there is room"
    marks = await db.read(lambda c: c.execute("SELECT value FROM marks").fetchall())
    logged = await db.read(
        lambda c: c.execute(
            "SELECT count(*) AS n FROM change_log WHERE table_name = 'marks'"
        ).fetchone()
    )
    assert len(marks) == statuses.count(201) + 2 == logged["n"], "each stored mark is logged"


async def _write_marks(base: str, count: int) -> list[str]:
    async with aiohttp.ClientSession(base) as session:
        login = {"username": "admin", "password": "demo-admin-pass"}
        async with session.post("/api/v1/login", json=login) as answer:
            token = (await answer.json())["token"]
        headers = {"Authorization": f"Bearer {token}"}
        async with session.get("/api/v1/classes", headers=headers) as answer:
            klass = (await answer.json())["classes"][0]["id"]
        async with session.get(f"/api/v1/classes/{klass}/students", headers=headers) as answer:
            students = [s["id"] for s in (await answer.json())["students"]]

        async def one(n: int) -> str:
            body = {"class_id": klass, "student_id": students[n % len(students)], "value": 3}
            async with session.post("/api/v1/marks", json=body, headers=headers) as answer:
                assert answer.status == 201
                return str((await answer.json())["id"])

        return await asyncio.gather(*(one(n) for n in range(count)))


def test_acknowledged_marks_survive_sigkill(tmp_path: Path, unused_tcp_port: int) -> None:
    data = tmp_path / "box"
    with demo_box(data, unused_tcp_port, stop=signal.SIGKILL) as base:
        acknowledged = asyncio.run(_write_marks(base, 200))
    with sqlite3.connect(data / "edge.db") as conn:
        stored = {row[0] for row in conn.execute("SELECT id FROM marks")}
    assert set(acknowledged) <= stored
    assert len(acknowledged) == 200
