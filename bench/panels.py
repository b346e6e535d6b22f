"""Benchmark of panel agents (issue 6): N headless agents (`edge-panel --headless`'s code) paired
with a real box on loopback, one WebSocket each.

1. "Show this lesson": from the teacher's HTTP request to the agent's acknowledgement (the
   request returns once the ack is back), one request at a time, rooms in turn.
   Target p99 ≤ 100 ms with 40 agents connected.
2. The box restarts (same port, same data): time until every agent is connected again.
   Target ≤ 10 s.

Box and agents share this process, its one event loop and the machine's two cores.
Run: `.venv/bin/python bench/panels.py [--agents 40] [--requests 400]`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._panel_box import box_settings, login, pair_all, password_hash, seed_rooms, serving
from bench._servers import free_port
from devices.agent import AgentConfig, HeadlessDisplay, PanelAgent
from edge.web._keys import DB, PANEL_AGENTS

API = "/api/v1"


async def show_burst(
    http: aiohttp.ClientSession, base: str, rooms: list[str], rounds: int
) -> list[float]:
    """Every room at once (as at the bell), `rounds` times: each request timed on its own."""
    teacher = await login(http, base, "teacher")

    async def one(room: str) -> float:
        started = time.perf_counter()
        path = f"{base}{API}/rooms/{room}/panel/show"
        async with http.post(path, json={"url": "/content/x"}, headers=teacher) as answer:
            assert answer.status == 200, await answer.text()
        return time.perf_counter() - started

    seconds: list[float] = []
    for _ in range(rounds):
        seconds += await asyncio.gather(*(one(room) for room in rooms))
    return seconds


def report(label: str, seconds: list[float]) -> None:
    ms = [s * 1000 for s in seconds]
    p99 = percentile(ms, 0.99)
    print(
        f"{label}: p50 {statistics.median(ms):.1f} ms, p99 {p99:.1f} ms, max {max(ms):.1f} ms"
        f" (target p99 ≤ 100 ms: {'met' if p99 <= 100 else 'NOT met'})"
    )


async def show_latency(
    http: aiohttp.ClientSession, base: str, rooms: list[str], count: int
) -> list[float]:
    teacher = await login(http, base, "teacher")
    seconds = []
    for n in range(count):
        body = {"url": f"/content/{n:064x}"}
        started = time.perf_counter()
        async with http.post(
            f"{base}{API}/rooms/{rooms[n % len(rooms)]}/panel/show", json=body, headers=teacher
        ) as answer:
            found: dict[str, Any] = await answer.json()
        seconds.append(time.perf_counter() - started)
        assert answer.status == 200 and found["agents"][0]["ok"], found
    return seconds


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def main(agents_count: int, requests: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-panels-") as name:
        folder, port = Path(name), free_port()
        settings, base = box_settings(folder, port), f"http://127.0.0.1:{port}"
        configs = [
            AgentConfig(
                box_url=base, state_dir=folder / f"agent-{n}", name=f"panel {n}", headless=True
            )
            for n in range(agents_count)
        ]
        agents = [PanelAgent(config, HeadlessDisplay()) for config in configs]
        async with aiohttp.ClientSession() as http:
            async with serving(settings) as app:
                rooms = await app[DB].write(
                    lambda tx: seed_rooms(tx, agents_count, password_hash())
                )
                tasks = [asyncio.create_task(agent.run()) for agent in agents]
                started = time.perf_counter()
                await pair_all(http, base, agents, rooms)
                paired = time.perf_counter() - started
                print(f"{agents_count} agents paired and connected in {paired:.1f} s")
                await show_latency(http, base, rooms, 20)  # warm-up
                seconds = await show_latency(http, base, rooms, requests)
                report(f"show → ack, {requests} requests one at a time", seconds)
                burst = await show_burst(http, base, rooms, max(1, requests // agents_count))
                report(
                    f"show → ack, all {agents_count} rooms at once × {len(burst) // agents_count}",
                    burst,
                )
                stopped = time.perf_counter()
            async with serving(settings) as app:
                listening = time.perf_counter()
                await asyncio.wait_for(asyncio.gather(*(a.connected.wait() for a in agents)), 60)
                back = time.perf_counter()
                assert len(list(app[PANEL_AGENTS].links_in_room(rooms[0]))) == 1
                after_stop, after_listen = back - stopped, back - listening
                print(
                    f"box restarted: all {agents_count} agents back {after_listen:.2f} s after it"
                    f" listened again, {after_stop:.2f} s after the old box stopped"
                    f" (target ≤ 10 s: {'met' if after_stop <= 10 else 'NOT met'})"
                )
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=40)
    parser.add_argument("--requests", type=int, default=400)
    arguments = parser.parse_args()
    logging.basicConfig(level="ERROR")
    asyncio.run(main(arguments.agents, arguments.requests))
