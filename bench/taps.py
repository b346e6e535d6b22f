"""Benchmark of card taps (issue: card readers).

1. Latency: one reader, taps one after another; from the moment the simulator wrote the last
   byte of a frame to the moment the box committed the tap and its attendance row.
   Anchor: plain SQLite committing the same two rows in one durable transaction.
2. Load: 10 readers at 10 taps/s each (100 taps/s) for 60 s: every tap stored exactly once,
   and latency under that load.

The box, the simulators (byte-exact RDM6300 readers on pty pairs, as a USB-serial reader looks
to the box) and this script share one process and one monotonic clock.
Run: `.venv/bin/python bench/taps.py [--seconds 60] [--rate 100] [--readers 10]`.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._servers import next_weekday
from devices import Tap
from devices.simulators import PtyLink, Rdm6300Simulator
from edge.cli._demo import load_demo_school
from edge.db import Tx
from edge.demo import day_start_around
from edge.settings import Settings
from edge.taps import TapResult, add_reader
from edge.web import create_app
from edge.web._keys import DB, READERS

TAP_TIMEOUT = 5.0


def _register(tx: Tx, *, address: str, room: str, index: int) -> None:
    add_reader(
        tx,
        name=f"door {index}",
        protocol="rdm6300",
        address=address,
        room=room,
    )


class Box:
    """The box's application, started in this process (no HTTP needed), with readers."""

    def __init__(self, folder: Path, rooms: int) -> None:
        self.settings = (
            Settings().replace("box", data_dir=folder).replace("readers", debounce_seconds=1.0)
        )
        self.rooms = [f"Room {101 + n}" for n in range(rooms)]
        self.waiting: dict[tuple[str, str], asyncio.Future[float]] = {}
        self.results: list[TapResult] = []
        self.simulators: list[Rdm6300Simulator] = []

    async def __aenter__(self) -> Box:
        now = datetime.now(self.settings.tz)
        day = next_weekday(now.date())  # lessons are under way on school days only
        await load_demo_school(self.settings, day, day_start_around(now.time()))
        tz = self.settings.tz
        self.app = create_app(
            self.settings, clock=lambda: datetime.combine(day, datetime.now(tz).timetz())
        )
        self.runner = web.AppRunner(self.app)
        await self.runner.setup()
        self.app[READERS].on_result.append(self._committed)
        for n, room in enumerate(self.rooms):
            simulator = Rdm6300Simulator(PtyLink(), repeat_interval=3600)
            await simulator.start()
            self.simulators.append(simulator)
            await self.app[DB].write(
                functools.partial(_register, address=simulator.address, room=room, index=n)
            )
        await self.app[READERS].reload()
        for _ in range(200):
            if sum(s.available for s in self.app[READERS].states.values()) == len(self.rooms):
                return self
            await asyncio.sleep(0.05)
        raise RuntimeError("the simulated readers did not come up")

    async def __aexit__(self, *exc: object) -> None:
        for simulator in self.simulators:
            await simulator.close()
        await self.runner.cleanup()

    def _committed(self, tap: Tap, result: TapResult) -> None:
        waiter = self.waiting.pop((tap.reader_id, tap.card_uid), None)
        if waiter is not None and not waiter.done():
            waiter.set_result(time.monotonic())
        self.results.append(result)

    async def cards_by_room(self) -> list[list[str]]:
        """The EM4100 frames' 10 hex characters of the students of each room's lesson now."""

        def read(conn: sqlite3.Connection) -> list[list[str]]:
            return [
                [
                    f"0A{int(row['uid']):08X}"
                    for row in conn.execute(
                        "SELECT DISTINCT c.uid FROM lessons l JOIN rooms r ON r.id = l.room_id"
                        " JOIN enrollments e ON e.class_id = l.class_id AND e.role = 'student'"
                        " JOIN cards c ON c.person_id = e.person_id"
                        " WHERE r.name = ? ORDER BY c.uid",
                        [room],
                    )
                ]
                for room in self.rooms
            ]

        return await self.app[DB].read(read)


async def tap_once(box: Box, reader: int, card: str) -> float:
    """Present a card, wait for its commit; the latency from the frame's last byte."""
    simulator = box.simulators[reader]
    reader_id = list(box.app[READERS].states)[reader]
    uid = f"{int(card[2:], 16):010d}"
    committed: asyncio.Future[float] = asyncio.get_running_loop().create_future()
    box.waiting[(reader_id, uid)] = committed
    simulator.present(card)
    async with asyncio.timeout(TAP_TIMEOUT):
        commit_time = await committed
    simulator.remove()
    assert simulator.last_byte_at is not None
    return commit_time - simulator.last_byte_at


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000


async def latency(box: Box, cards: list[str], count: int) -> dict[str, float]:
    samples = []
    for n in range(count):  # 20 taps/s: no card comes back within the debounce window
        samples.append(await tap_once(box, 0, cards[n % len(cards)]))
        await asyncio.sleep(0.05)
    return {
        "taps": count,
        "p50_ms": percentile(samples, 50),
        "p99_ms": percentile(samples, 99),
        "max_ms": max(samples) * 1000,
    }


async def load(box: Box, cards: list[list[str]], rate: float, seconds: float) -> dict[str, Any]:
    per_reader = rate / len(box.simulators)
    samples: list[float] = []
    presented = 0

    async def reader_loop(index: int) -> None:
        nonlocal presented
        start = time.monotonic()
        for n in range(int(per_reader * seconds)):
            await asyncio.sleep(max(0.0, start + n / per_reader - time.monotonic()))
            samples.append(await tap_once(box, index, cards[index][n % len(cards[index])]))
            presented += 1

    before = await stored_taps(box)
    began = time.monotonic()
    await asyncio.gather(*(reader_loop(i) for i in range(len(box.simulators))))
    elapsed = time.monotonic() - began
    stored = await stored_taps(box) - before
    return {
        "presented": presented,
        "stored": stored,
        "lost": max(0, presented - stored),
        "doubled": max(0, stored - presented),
        "taps_per_second": presented / elapsed,
        "p50_ms": percentile(samples, 50),
        "p99_ms": percentile(samples, 99),
        "max_ms": max(samples) * 1000,
    }


async def stored_taps(box: Box) -> int:
    row = await box.app[DB].read(lambda c: c.execute("SELECT count(*) AS n FROM taps").fetchone())
    return int(row["n"])


def sqlite_anchor(folder: Path, count: int = 500) -> dict[str, float]:
    """Plain SQLite, WAL, synchronous=FULL: a tap row and an attendance row per transaction."""
    with sqlite3.connect(folder / "anchor.db", isolation_level=None) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("CREATE TABLE taps (id INTEGER PRIMARY KEY, uid TEXT, at TEXT)")
        conn.execute("CREATE TABLE attendance (id INTEGER PRIMARY KEY, tap INTEGER, status TEXT)")
        samples = []
        for n in range(count):
            began = time.perf_counter()
            conn.execute("BEGIN")
            tap = conn.execute("INSERT INTO taps (uid, at) VALUES (?, 'now')", [str(n)]).lastrowid
            conn.execute("INSERT INTO attendance (tap, status) VALUES (?, 'present')", [tap])
            conn.execute("COMMIT")
            samples.append(time.perf_counter() - began)
    return {"p50_ms": percentile(samples, 50), "p99_ms": percentile(samples, 99)}


async def main(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="edge-taps-") as folder:
        async with Box(Path(folder), args.readers) as box:
            cards = await box.cards_by_room()
            single = await latency(box, cards[0], args.latency_taps)
            sustained = await load(box, cards, args.rate, args.seconds)
            outcomes = sorted({r.outcome for r in box.results})
        anchor = sqlite_anchor(Path(folder))
    return {
        "latency_one_reader": single,
        "sustained": sustained,
        "outcomes_seen": outcomes,
        "plain_sqlite_anchor": anchor,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=100.0, help="taps per second, all readers")
    parser.add_argument("--readers", type=int, default=10)
    parser.add_argument("--latency-taps", type=int, default=300)
    print(json.dumps(asyncio.run(main(parser.parse_args())), indent=2))
