"""Shared fixtures. Autouse guards fail a test that leaks a thread or blocks the event loop."""

from __future__ import annotations

import asyncio
import gc
import os
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from edge.db import Database

if TYPE_CHECKING:
    from tests._box import Box

pytest_plugins = ["pytester"]

#: no box a test starts in a subprocess (`edge run`, `edge demo`) announces itself over mDNS:
#: nothing leaves the machine, and tests/test_discovery.py hears only its own boxes
os.environ["EDGE_DISCOVERY_ENABLED"] = "false"

SHARED_FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"
FIXTURES = Path(__file__).parent / "fixtures"
#: A callback that holds the loop longer than this fails the test.
MAX_LOOP_BLOCK_SECONDS = 0.5


def shared_fixture(*parts: str) -> Path:
    """A file under ../shared/fixtures; the test skips, saying why, where the folder is absent."""
    path = SHARED_FIXTURES.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared fixture {path} is absent (the team's ../shared/fixtures folder)")
    return path


@pytest.fixture(autouse=True)
def _no_leaked_threads() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 2
    leaked: list[threading.Thread] = []
    while time.monotonic() < deadline:
        leaked = [
            t
            for t in threading.enumerate()
            if t not in before and t.is_alive() and not t.name.startswith("asyncio_")
        ]
        if not leaked:
            return
        time.sleep(0.02)
    pytest.fail(f"test leaked threads: {[t.name for t in leaked]}")


class _GcClock:
    """Seconds spent in the garbage collector: a collection of a long session's heap can land in
    any callback, and is not the callback blocking the loop."""

    def __init__(self) -> None:
        self.total = 0.0
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.total += time.perf_counter() - self._started


@pytest.fixture(autouse=True)
def _loop_not_blocked(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Fail a test in which one event-loop callback ran longer than MAX_LOOP_BLOCK_SECONDS
    (garbage collection left out)."""
    worst = 0.0
    original = asyncio.Handle._run
    collecting = _GcClock()

    def timed(handle: asyncio.Handle) -> None:
        nonlocal worst
        started, collected = time.perf_counter(), collecting.total
        try:
            original(handle)
        finally:
            spent = time.perf_counter() - started - (collecting.total - collected)
            worst = max(worst, spent)

    monkeypatch.setattr(asyncio.Handle, "_run", timed)
    gc.callbacks.append(collecting)
    try:
        yield
    finally:
        gc.callbacks.remove(collecting)
    if worst > MAX_LOOP_BLOCK_SECONDS and "allow_loop_block" not in request.keywords:
        pytest.fail(f"an event-loop callback blocked the loop for {worst:.3f} s")


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    async with Database(tmp_path / "edge.db") as database:
        yield database


@pytest.fixture
async def box(aiohttp_client: Any, tmp_path: Path) -> Box:
    from tests._box import box_settings, make_app, start_box

    client = await aiohttp_client(make_app(box_settings(tmp_path)))
    return await start_box(client)
