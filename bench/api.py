"""Benchmark of the box's API (issue: foundation).

1. GET today's timetable as a teacher, 100 concurrent connections, load from `wrk` in another
   process; anchor: a bare aiohttp app serving the same JSON from memory, measured in the same run.
2. Mark writes from 50 concurrent writers, paced (each writer one mark every 100 ms: the load is
   set, latency is measured) and saturated (wrk, back to back: throughput, and latency under it);
   anchor: plain SQLite committing one row per durable transaction. Then the box is killed with
   SIGKILL and every acknowledged mark must be in the database.

Run: `make bench-api` or `.venv/bin/python bench/api.py` (needs `wrk`: apt-get install wrk).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._servers import (
    REPO,
    edge_demo,
    free_port,
    get_json,
    next_weekday,
    post_json,
    process,
)
from bench._wrk import mark_script, run_wrk


def busiest_teacher(db_path: Path, day: date) -> str:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        row = conn.execute(
            "SELECT u.username FROM users u JOIN lessons l ON l.teacher_id = u.person_id"
            " WHERE l.date = ? GROUP BY u.username ORDER BY count(*) DESC LIMIT 1",
            [day.isoformat()],
        ).fetchone()
    return str(row[0])


def read_throughput(base: str, anchor: str, token: str, args: argparse.Namespace) -> dict[str, Any]:
    edge, bare = [], []
    for _ in range(args.rounds):
        edge.append(
            run_wrk(f"{base}/api/v1/timetable/today", token, args.connections, args.seconds)
        )
        bare.append(
            run_wrk(f"{anchor}/api/v1/timetable/today", token, args.connections, args.seconds)
        )
    ratios = [
        e.requests_per_second / a.requests_per_second for e, a in zip(edge, bare, strict=True)
    ]
    return {
        "edge_rps": [round(e.requests_per_second) for e in edge],
        "anchor_rps": [round(a.requests_per_second) for a in bare],
        "edge_p99_ms": [e.p99_ms for e in edge],
        "edge_rps_median": statistics.median(e.requests_per_second for e in edge),
        "anchor_rps_median": statistics.median(a.requests_per_second for a in bare),
        "ratio_median": statistics.median(ratios),
    }


def saturated_writes(
    base: str, token: str, pairs: list[tuple[str, str]], folder: Path, args: argparse.Namespace
) -> dict[str, Any]:
    """50 writers posting marks back to back (closed loop): throughput, and latency under it."""
    script = mark_script(folder / "marks.lua", pairs)
    runs = [
        run_wrk(f"{base}/api/v1/marks", token, args.writers, args.seconds, script)
        for _ in range(args.rounds)
    ]
    return {
        "writes_per_second": [round(r.requests_per_second) for r in runs],
        "p50_ms": [r.p50_ms for r in runs],
        "p99_ms": [r.p99_ms for r in runs],
        "p99_ms_median": statistics.median(r.p99_ms for r in runs),
        "writes_per_second_median": statistics.median(r.requests_per_second for r in runs),
        "acknowledged": sum(r.requests for r in runs),
    }


async def paced_writes(
    base: str, token: str, pairs: list[tuple[str, str]], args: argparse.Namespace
) -> dict[str, Any]:
    """50 writers each writing a mark every `pace_ms` (open loop): latency at a set load."""
    headers = {"Authorization": f"Bearer {token}"}
    latencies: list[float] = []
    deadline = time.monotonic() + args.seconds
    async with aiohttp.ClientSession(base, headers=headers) as session:

        async def writer(seed: int) -> None:
            rng = random.Random(seed)
            await asyncio.sleep(rng.random() * args.pace_ms / 1000)
            while time.monotonic() < deadline:
                class_id, student_id = rng.choice(pairs)
                body = {
                    "class_id": class_id,
                    "student_id": student_id,
                    "value": 4,
                    "comment": "bench",
                }
                started = time.perf_counter()
                async with session.post("/api/v1/marks", json=body) as answer:
                    await answer.read()
                    assert answer.status == 201
                elapsed = time.perf_counter() - started
                latencies.append(elapsed)
                await asyncio.sleep(max(0.0, args.pace_ms / 1000 - elapsed))

        await asyncio.gather(*(writer(n) for n in range(args.writers)))
    quantiles = statistics.quantiles(latencies, n=100)
    return {
        "offered_per_second": args.writers * 1000 / args.pace_ms,
        "writes": len(latencies),
        "p50_ms": quantiles[49] * 1000,
        "p99_ms": quantiles[98] * 1000,
        "acknowledged": len(latencies),
    }


def sqlite_commits(folder: Path, count: int = 2000) -> dict[str, float]:
    """The anchor for writes: plain SQLite, WAL, synchronous=FULL, one row per transaction."""
    with sqlite3.connect(folder / "anchor.db", isolation_level=None) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("CREATE TABLE marks (id INTEGER PRIMARY KEY, value INTEGER, comment TEXT)")
        latencies = []
        started = time.perf_counter()
        for n in range(count):
            began = time.perf_counter()
            conn.execute("BEGIN")
            conn.execute("INSERT INTO marks (value, comment) VALUES (?, 'bench')", [n % 5])
            conn.execute("COMMIT")
            latencies.append(time.perf_counter() - began)
        elapsed = time.perf_counter() - started
    quantiles = statistics.quantiles(latencies, n=100)
    return {"commits_per_second": count / elapsed, "p99_ms": quantiles[98] * 1000}


def students_by_class(base: str, token: str) -> list[tuple[str, str]]:
    pairs = []
    for klass in get_json(f"{base}/api/v1/classes", token)["classes"]:
        students = get_json(f"{base}/api/v1/classes/{klass['id']}/students", token)["students"]
        pairs += [(klass["id"], student["id"]) for student in students]
    return pairs


def durable_marks(db_path: Path) -> int:
    with sqlite3.connect(db_path) as conn:
        row = conn.execute("SELECT count(*) FROM marks WHERE comment = 'bench'").fetchone()
    return int(row[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of one wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--pace-ms", type=float, default=100.0, help="paced writers' interval")
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
        login = {"username": teacher, "password": "demo-teacher"}
        token = post_json(f"{base}/api/v1/login", login)["token"]
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
        pairs = students_by_class(base, token)
        paced = asyncio.run(paced_writes(base, token, pairs, args))
        saturated = saturated_writes(base, token, pairs, folder, args)
        box.send_signal(signal.SIGKILL)
        box.wait()
    acknowledged = paced.pop("acknowledged") + saturated.pop("acknowledged")
    durable = durable_marks(data_dir / "edge.db")
    return {
        "date": today.isoformat(),
        "lessons_today": len(body["lessons"]),
        "connections": args.connections,
        "reads": reads,
        "writes_paced": paced,
        "writes_saturated": saturated,
        "plain_sqlite_anchor": sqlite_commits(folder),
        "acknowledged_writes": acknowledged,
        "durable_after_sigkill": durable,
        "every_acknowledged_write_durable": durable >= acknowledged,
    }


if __name__ == "__main__":
    main()
