"""The README's sync walk-through against a real `edge demo` and its hub: cut the link, write a
mark, restore the link, and the mark arrives."""

from __future__ import annotations

import asyncio
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from edge.db import Database, Tx
from sync.hub import HubStore
from tests._demo_box import demo_box, free_port


def _hub_marks(hub_dir: Path) -> set[str]:
    store = HubStore(hub_dir / "hub.db")
    try:
        return set(store.rows("demo", "marks"))
    finally:
        store.close()


def _wait_until(check: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "it never happened"
        time.sleep(0.3)


def _give_mark(box_db: Path) -> str:
    def write(tx: Tx) -> str:
        student = tx.one("SELECT id FROM people WHERE role = 'student' LIMIT 1")
        lesson = tx.one("SELECT id, class_id, date FROM lessons LIMIT 1")
        assert student is not None and lesson is not None
        return tx.insert(
            "marks",
            {"student_id": student["id"], "class_id": lesson["class_id"], "value": 5,
             "date": lesson["date"], "recorded_by": "test", "recorded_at": "2026-11-23T09:00"},
        )  # fmt: skip

    async def run() -> str:
        async with Database(box_db) as db:
            return await db.write(write)

    return asyncio.run(run())


def _status(data_dir: Path) -> str:
    return subprocess.run(
        [sys.executable, "-m", "edge.cli", "--data-dir", str(data_dir), "sync", "status"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _waiting(data_dir: Path) -> int:
    found = re.search(r"(\d+) waiting", _status(data_dir))
    assert found is not None
    return int(found[1])


def test_marks_written_while_the_link_is_cut_arrive_when_it_is_back(
    tmp_path: Path, unused_tcp_port: int
) -> None:
    data, hub_port = tmp_path / "box", free_port()
    hub_dir = data / "hub"
    with demo_box(data, unused_tcp_port, hub_port=hub_port):
        _wait_until(lambda: _waiting(data) < 50)  # the first round pushed the school
        subprocess.run(["pkill", "-TERM", "-f", f"sync.hub --data-dir {hub_dir}"], check=True)
        mark = _give_mark(data / "edge.db")
        assert _waiting(data) >= 1, "the mark (and the demo's card taps) wait for the hub"
        restored = subprocess.Popen(
            [sys.executable, "-m", "sync.hub", "--data-dir", str(hub_dir), "run", "--port",
             str(hub_port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            _wait_until(lambda: mark in _hub_marks(hub_dir))
            assert "last error" not in _status(data)
        finally:
            restored.send_signal(signal.SIGTERM)
            restored.wait(timeout=10)
