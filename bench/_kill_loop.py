"""Kill -9 of the box and of the hub at random moments of sync rounds, then the proof that
nothing was lost or duplicated (issue: diary sync). Shared by the short loop in the tests and
the long one in `bench/sync_faults.py`.

The hub (`edge-hub run`) and each round of the box (`edge sync now`) are real processes on
loopback. Between rounds the box writes rooms and the hub makes central edits (new rooms, and
renames of the box's rooms), so every round has work both ways and conflicts to resolve.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from edge.db import Database, Tx
from sync.hub import HubStore

BIN = Path(sys.executable).parent
SCHOOL = "north"


@dataclass
class LoopResult:
    iterations: int = 0
    box_kills: int = 0
    hub_kills: int = 0
    box_changes: int = 0
    central_edits: int = 0
    problems: list[str] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Hub:
    def __init__(self, data: Path) -> None:
        self.data, self.port = data, _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [str(BIN / "edge-hub"), "--data-dir", str(self.data), "run"]
        with (self.data / "hub.log").open("ab") as log:
            self.process = subprocess.Popen(
                [*command, "--port", str(self.port)], stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"{self.url}/healthz", timeout=1).close()
                return
            time.sleep(0.05)
        raise RuntimeError("the hub did not start")

    def kill(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
            self.process = None


def _edge(data: Path, *args: str) -> list[str]:
    return [str(BIN / "edge"), "--data-dir", str(data), *args]


def _box_writes(data: Path, start: int, count: int) -> list[str]:
    async def write() -> list[str]:
        async with Database(data / "edge.db") as db:
            return await db.write(functools.partial(_rooms, start=start, count=count))

    return asyncio.run(write())


def _rooms(tx: Tx, start: int, count: int) -> list[str]:
    return [tx.insert("rooms", {"name": f"Box room {n}"}) for n in range(start, start + count)]


def _central_edits(
    store: HubStore, rng: random.Random, box_rows: list[str], n: int, count: int
) -> None:
    """`count` central edits in round `n`: new rooms, and renames of the box's rooms."""
    now = int(time.time())
    for k in range(count):
        if box_rows and rng.random() < 0.5:
            store.edit(SCHOOL, "rooms", rng.choice(box_rows), {"name": f"Renamed {n}-{k}"}, now)
        else:
            store.edit(SCHOOL, "rooms", f"central-{n}-{k}", {"name": f"Central {n}-{k}"}, now)


@contextlib.contextmanager
def _hub(work: Path) -> Iterator[_Hub]:
    hub = _Hub(work / "hub")
    subprocess.run(
        [str(BIN / "edge-hub"), "--data-dir", str(hub.data), "schools", "add", SCHOOL, "North"],
        check=True,
        capture_output=True,
    )
    hub.start()
    try:
        yield hub
    finally:
        hub.kill()


def kill_loop(work: Path, iterations: int, seed: int = 1, batch: int = 300) -> LoopResult:
    rng = random.Random(seed)
    result = LoopResult()
    box = work / "box"
    with _hub(work) as hub:
        token = subprocess.run(
            [
                str(BIN / "edge-hub"),
                "--data-dir",
                str(hub.data),
                "tokens",
                "create",
                "--school",
                SCHOOL,
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        subprocess.run(_edge(box, "init"), check=True, capture_output=True)
        subprocess.run(_edge(box, "enroll", hub.url, token), check=True, capture_output=True)
        rows = _box_writes(box, 0, 20 * batch)
        for n in range(iterations):
            rows += _box_writes(box, len(rows), batch)
            store = HubStore(hub.data / "hub.db")
            _central_edits(store, rng, rows, n, batch // 2)
            store.close()
            result.central_edits += batch // 2
            _one_round(hub, box, rng, result)
            result.iterations = n + 1
        for _ in range(2):  # the link is back for good: two clean rounds
            subprocess.run(_edge(box, "sync", "now"), check=True, capture_output=True)
        result.box_changes = len(rows)
        result.problems = _verify(hub.data / "hub.db", box / "edge.db", len(rows))
    return result


def _one_round(hub: _Hub, box: Path, rng: random.Random, result: LoopResult) -> None:
    """A sync round killed at a random moment: the box's process, or the hub's."""
    sync = subprocess.Popen(_edge(box, "sync", "now"), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    time.sleep(rng.uniform(0.6, 1.6))  # `edge sync now` takes ~1 s to start
    if rng.random() < 0.3:
        hub.kill()
        result.hub_kills += 1
        sync.wait()
        hub.start()
    elif sync.poll() is None:
        sync.send_signal(signal.SIGKILL)
        result.box_kills += 1
    sync.wait()


def _verify(hub_db: Path, box_db: Path, written: int) -> list[str]:
    problems: list[str] = []
    hub = sqlite3.connect(hub_db)
    box = sqlite3.connect(box_db)
    node = box.execute("SELECT value FROM meta WHERE key = 'node_id'").fetchone()[0]
    own = hub.execute(
        "SELECT node_seq, feed_seq FROM feed WHERE node = ? ORDER BY node_seq", [node]
    )
    positions = dict(own.fetchall())
    if sorted(positions) != list(range(1, written + 1)):
        problems.append(f"the hub holds {len(positions)} of the box's {written} changes")
    known = dict(box.execute("SELECT seq, feed_seq FROM change_log").fetchall())
    if known != positions:
        problems.append("the box's idea of where its changes are differs from the hub's")
    others = hub.execute("SELECT count(*) FROM feed WHERE node != ?", [node]).fetchone()[0]
    pulled = box.execute("SELECT count(*) FROM feed_log").fetchone()[0]
    if pulled != others:
        problems.append(f"the box applied {pulled} of the {others} changes from elsewhere")
    hub_rooms = {
        row: json.loads(value)
        for row, value in hub.execute(
            "SELECT row_id, value FROM field_versions WHERE table_name = 'rooms' AND field = 'name'"
        )
    }
    box_rooms = dict(box.execute("SELECT id, name FROM rooms").fetchall())
    if hub_rooms != box_rooms:
        differ = sum(
            1 for k in hub_rooms.keys() | box_rooms if hub_rooms.get(k) != box_rooms.get(k)
        )
        problems.append(f"{differ} rooms differ between the hub and the box")
    for name, conn in (("hub", hub), ("box", box)):
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            problems.append(f"the {name}'s database is damaged")
    hub.close()
    box.close()
    return problems
