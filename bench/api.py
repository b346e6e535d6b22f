"""Benchmark of the box's API (issue: foundation).

1. GET today's timetable as a teacher, 100 concurrent connections, load from `wrk` in another
   process; anchor: a bare aiohttp app serving the same JSON from memory, measured in the same run.
2. Mark writes from 50 concurrent writers: latency percentiles; then the box is killed with
   SIGKILL and every acknowledged mark must be in the database.

Run: `make bench-api` or `.venv/bin/python bench/api.py` (needs `wrk`: apt-get install wrk).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._servers import REPO, edge_demo, free_port, get_json, post_json, process


def next_weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def busiest_teacher(db_path: Path, day: date) -> str:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        row = conn.execute(
            "SELECT u.username FROM users u JOIN lessons l ON l.teacher_id = u.person_id"
            " WHERE l.date = ? GROUP BY u.username ORDER BY count(*) DESC LIMIT 1",
            [day.isoformat()],
        ).fetchone()
    return str(row[0])


def wrk(url: str, token: str, connections: int, seconds: int) -> float:
    result = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "-H",
            f"Authorization: Bearer {token}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    if found is None or errors is not None:
        raise RuntimeError(f"wrk failed or saw errors:\n{result.stdout}")
    return float(found.group(1))


def read_throughput(base: str, anchor: str, token: str, args: argparse.Namespace) -> dict[str, Any]:
    edge_rps, anchor_rps = [], []
    for _ in range(args.rounds):
        edge_rps.append(
            wrk(f"{base}/api/v1/timetable/today", token, args.connections, args.seconds)
        )
        anchor_rps.append(
            wrk(f"{anchor}/api/v1/timetable/today", token, args.connections, args.seconds)
        )
    ratios = [e / a for e, a in zip(edge_rps, anchor_rps, strict=True)]
    return {
        "edge_rps": edge_rps,
        "anchor_rps": anchor_rps,
        "edge_rps_median": statistics.median(edge_rps),
        "anchor_rps_median": statistics.median(anchor_rps),
        "ratio_median": statistics.median(ratios),
    }


async def write_marks(base: str, token: str, writers: int, per_writer: int) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    connector = aiohttp.TCPConnector(limit=writers)
    async with aiohttp.ClientSession(base, headers=headers, connector=connector) as session:
        targets = await _students_by_class(session)
        latencies: list[float] = []
        acknowledged: list[str] = []

        async def writer(seed: int) -> None:
            rng = random.Random(seed)
            for _ in range(per_writer):
                class_id, student_id = rng.choice(targets)
                body = {
                    "class_id": class_id,
                    "student_id": student_id,
                    "value": rng.randint(1, 5),
                    "comment": "bench",
                }
                started = time.perf_counter()
                async with session.post("/api/v1/marks", json=body) as answer:
                    mark = await answer.json()
                    assert answer.status == 201, mark
                latencies.append(time.perf_counter() - started)
                acknowledged.append(mark["id"])

        started = time.perf_counter()
        await asyncio.gather(*(writer(n) for n in range(writers)))
        elapsed = time.perf_counter() - started
    quantiles = statistics.quantiles(latencies, n=100)
    return {
        "writes": len(latencies),
        "writes_per_second": len(latencies) / elapsed,
        "p50_ms": quantiles[49] * 1000,
        "p99_ms": quantiles[98] * 1000,
        "max_ms": max(latencies) * 1000,
        "acknowledged": acknowledged,
    }


async def _students_by_class(session: aiohttp.ClientSession) -> list[tuple[str, str]]:
    async with session.get("/api/v1/classes") as answer:
        classes = (await answer.json())["classes"]
    pairs = []
    for klass in classes:
        async with session.get(f"/api/v1/classes/{klass['id']}/students") as answer:
            pairs += [(klass["id"], s["id"]) for s in (await answer.json())["students"]]
    return pairs


def durable_count(db_path: Path, ids: list[str]) -> int:
    with sqlite3.connect(db_path) as conn:
        conn.execute("CREATE TEMP TABLE acked (id TEXT PRIMARY KEY)")
        conn.executemany("INSERT INTO acked VALUES (?)", [(i,) for i in ids])
        row = conn.execute("SELECT count(*) FROM marks JOIN acked USING (id)").fetchone()
    return int(row[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of one wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--writes-per-writer", type=int, default=100)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench/api.py needs wrk: apt-get install wrk")
    today = next_weekday(date.today())
    with tempfile.TemporaryDirectory(prefix="edge-bench-") as folder:
        results = run(Path(folder), today, args)
    print(json.dumps(results, indent=2))


def run(folder: Path, today: date, args: argparse.Namespace) -> dict[str, Any]:
    port, anchor_port = free_port(), free_port()
    base, anchor = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{anchor_port}"
    data_dir = folder / "box"
    with process(edge_demo(data_dir, port, today.isoformat()), f"{base}/healthz") as box:
        teacher = busiest_teacher(data_dir / "edge.db", today)
        token = post_json(
            f"{base}/api/v1/login", {"username": teacher, "password": "demo-teacher"}
        )["token"]
        body = get_json(f"{base}/api/v1/timetable/today", token)
        body_file = folder / "today.json"
        body_file.write_text(json.dumps(body), encoding="utf-8")
        anchor_cmd = [
            sys.executable,
            str(REPO / "bench" / "_anchor_app.py"),
            str(anchor_port),
            str(body_file),
        ]
        with process(anchor_cmd, f"{anchor}/healthz"):
            reads = read_throughput(base, anchor, token, args)
        writes = asyncio.run(write_marks(base, token, args.writers, args.writes_per_writer))
        box.send_signal(signal.SIGKILL)
        box.wait()
        acknowledged = writes.pop("acknowledged")
        writes["durable_after_sigkill"] = durable_count(data_dir / "edge.db", acknowledged)
        writes["lost"] = len(acknowledged) - writes["durable_after_sigkill"]
    return {
        "date": today.isoformat(),
        "lessons_today": len(body["lessons"]),
        "connections": args.connections,
        "reads": reads,
        "writes": writes,
    }


if __name__ == "__main__":
    main()
